import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha256, writeFileAtomic } from '../../src/adapters/atomic-write.js';
import { Journal, describe as describeEntry, type JournalEntry } from '../../src/adapters/journal.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;
const SECRET = 'Sup3r-Secret-JWT-value-4c1d';
const ORIGINAL = `{\n  "services": { "CoAuthoring": { "secret": { "inbox": { "string": "${SECRET}" } } } }\n}\n`;

let tmp: string;
let etc: string;
let jdir: string;

beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ds-harden-journal-')));
  etc = path.join(tmp, 'etc/onlyoffice/documentserver');
  await fs.mkdir(etc, { recursive: true });
  jdir = path.join(tmp, 'var/lib/ds-harden');
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function seedLocalJson(): Promise<string> {
  const f = path.join(etc, 'local.json');
  await fs.writeFile(f, ORIGINAL);
  await fs.chmod(f, 0o640);
  if (isRoot) await fs.chown(f, NOBODY, NOBODY);
  return f;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Journal.begin', () => {
  it('backs up bytes and stat into a 0700 dir with 0600 files, and a manifest without contents', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const e = await j.begin('apply --profile strict', [f]);

    expect(e.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(e.state).toBe('prepared');
    expect(e.history.map((h) => h.state)).toEqual(['prepared']);
    expect(e.files).toHaveLength(1);
    const file = e.files[0]!;
    expect(file).toMatchObject({ path: f, realPath: f, existed: true, sha256Before: sha256(ORIGINAL), mode: 0o640 });
    if (isRoot) expect([file.uid, file.gid]).toEqual([NOBODY, NOBODY]);

    expect((await fs.stat(jdir)).mode & 0o7777).toBe(0o700);
    const entryDir = path.join(jdir, e.id);
    expect((await fs.stat(entryDir)).mode & 0o7777).toBe(0o700);
    const names = (await fs.readdir(entryDir)).sort();
    expect(names).toEqual([file.backup, 'manifest.json'].sort());
    for (const n of names) expect((await fs.stat(path.join(entryDir, n))).mode & 0o7777).toBe(0o600);
    expect(await fs.readFile(path.join(entryDir, file.backup!), 'utf8')).toBe(ORIGINAL);

    const manifest = await fs.readFile(path.join(entryDir, 'manifest.json'), 'utf8');
    expect(manifest).not.toContain(SECRET);
    expect(JSON.parse(manifest)).toMatchObject({ id: e.id, state: 'prepared', command: 'apply --profile strict' });
    expect(describeEntry(e)).not.toContain(SECRET);
    expect(describeEntry(e)).not.toMatch(/\n/);
    expect(j.describe(e)).toContain(f);
    // The parent dirs were created with ordinary permissions; only the journal dir is private.
    expect((await fs.stat(path.dirname(jdir))).mode & 0o777).not.toBe(0o700);
  });

  it('tightens an existing journal directory to 0700', async () => {
    await fs.mkdir(jdir, { recursive: true, mode: 0o755 });
    await fs.chmod(jdir, 0o755);
    await new Journal(jdir).begin('apply', [await seedLocalJson()]);
    expect((await fs.stat(jdir)).mode & 0o7777).toBe(0o700);
  });

  it('fails without leaving an entry when a path cannot be resolved', async () => {
    const j = new Journal(jdir);
    await expect(j.begin('apply', [path.join(tmp, 'no/such/dir/local.json')])).rejects.toThrow();
    expect(await j.scan()).toEqual({ entries: [], corrupt: [] });
  });
});

describe('Journal.restore', () => {
  it('restores original bytes, owner and mode after the file was modified', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f]);

    const next = ORIGINAL.replace(SECRET, 'rotated-secret');
    await writeFileAtomic(f, next);
    await j.recordAfter(e, f, sha256(next));
    await j.setState(e, 'written');
    // Simulate drift of owner/mode too.
    await fs.chmod(f, 0o644);
    if (isRoot) await fs.chown(f, 0, 0);

    const res = await j.restore(e);
    expect(res).toEqual({ restored: [f], unchanged: [] });
    expect(await fs.readFile(f, 'utf8')).toBe(ORIGINAL);
    const st = await fs.stat(f);
    expect(st.mode & 0o7777).toBe(0o640);
    if (isRoot) expect([st.uid, st.gid]).toEqual([NOBODY, NOBODY]);
    expect((await fs.readdir(etc)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // A second restore finds nothing to do.
    expect(await j.restore(e)).toEqual({ restored: [], unchanged: [f] });
  });

  it('removes a file that did not exist before', async () => {
    const f = path.join(etc, 'local-production-linux.json');
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f]);
    expect(e.files[0]).toMatchObject({ path: f, existed: false });
    expect(e.files[0]!.backup).toBeUndefined();

    await writeFileAtomic(f, '{}');
    const res = await j.restore(e);
    expect(res).toEqual({ restored: [f], unchanged: [] });
    await expect(fs.lstat(f)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await j.restore(e)).toEqual({ restored: [], unchanged: [f] });
  });

  it('restores through a symlink: the link stays, the target gets the original bytes', async () => {
    const realDir = path.join(tmp, 'srv/config');
    await fs.mkdir(realDir, { recursive: true });
    const target = path.join(realDir, 'local.json');
    await fs.writeFile(target, ORIGINAL, { mode: 0o600 });
    await fs.chmod(target, 0o600);
    const link = path.join(etc, 'local.json');
    await fs.symlink(target, link);

    const j = new Journal(jdir);
    const e = await j.begin('apply', [link]);
    expect(e.files[0]).toMatchObject({ path: link, realPath: target, existed: true, mode: 0o600 });
    await writeFileAtomic(link, 'changed');
    expect(await fs.readFile(target, 'utf8')).toBe('changed');

    await j.restore(e);
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readlink(link)).toBe(target);
    expect(await fs.readFile(target, 'utf8')).toBe(ORIGINAL);
    expect((await fs.stat(target)).mode & 0o7777).toBe(0o600);
  });

  it('for a dangling symlink that did not exist, removes the created target and keeps the link', async () => {
    const link = path.join(etc, 'local.json');
    await fs.symlink('real-local.json', link);
    const j = new Journal(jdir);
    const e = await j.begin('apply', [link]);
    expect(e.files[0]).toMatchObject({ existed: false, realPath: path.join(etc, 'real-local.json') });
    await writeFileAtomic(link, '{}');
    await j.restore(e);
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    await expect(fs.lstat(path.join(etc, 'real-local.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to restore from a damaged backup, naming the file, and leaves it alone', async () => {
    const f = await seedLocalJson();
    const other = path.join(etc, 'other.json');
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f, other]);
    await writeFileAtomic(f, 'changed');
    await writeFileAtomic(other, 'created');
    await fs.writeFile(path.join(jdir, e.id, e.files[0]!.backup!), 'tampered');

    const err = await j.restore(e).then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(f);
    expect(err!.message).toMatch(/damaged/);
    expect(err!.message).not.toContain(SECRET);
    expect(await fs.readFile(f, 'utf8')).toBe('changed');
    // The other file was still handled.
    await expect(fs.lstat(other)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses when the path now resolves to a different file than the one backed up', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f]);
    const elsewhere = path.join(tmp, 'elsewhere.json');
    await fs.writeFile(elsewhere, 'x');
    await fs.rm(f);
    await fs.symlink(elsewhere, f);
    await expect(j.restore(e)).rejects.toThrow(/now resolves to/);
    expect(await fs.readFile(elsewhere, 'utf8')).toBe('x');
  });

  it('passes pause through to the atomic write', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f]);
    await writeFileAtomic(f, 'changed');
    const steps: string[] = [];
    await j.restore(e, { pause: async (s) => void steps.push(s) });
    expect(steps).toEqual(['atomic:temp-written', 'atomic:renamed']);
  });
});

describe('Journal state, listing and pruning', () => {
  it('setState records history and persists; recordAfter stores the hash', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const e = await j.begin('apply', [f]);
    await j.recordAfter(e, f, 'ab'.repeat(32));
    await j.setState(e, 'written');
    await j.setState(e, 'restarting', { restarted: ['ds-docservice', 'ds-converter'] });
    await j.setState(e, 'verified', { note: 'healthcheck ok' });
    const back = await j.get(e.id);
    expect(back?.state).toBe('verified');
    expect(back?.history.map((h) => h.state)).toEqual(['prepared', 'written', 'restarting', 'verified']);
    expect(back?.restarted).toEqual(['ds-docservice', 'ds-converter']);
    expect(back?.note).toBe('healthcheck ok');
    expect(back?.files[0]?.sha256After).toBe('ab'.repeat(32));
    expect(back).toEqual(e);
    await expect(j.recordAfter(e, path.join(etc, 'unrelated.json'), 'x')).rejects.toThrow(/does not cover/);
    await expect(j.setState(e, 'bogus' as never)).rejects.toThrow(/unknown journal state/);
  });

  it('list() is newest first and latestIncomplete() skips committed/rolled-back', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    expect(await j.list()).toEqual([]);
    expect(await j.latestIncomplete()).toBeUndefined();

    const a = await j.begin('apply #1', [f]);
    await sleep(15);
    const b = await j.begin('apply #2', [f]);
    await sleep(15);
    const c = await j.begin('apply #3', [f]);
    await j.setState(c, 'committed');
    await j.setState(a, 'rolled-back');

    expect((await j.list()).map((e) => e.id)).toEqual([c.id, b.id, a.id]);
    expect((await j.latestIncomplete())?.id).toBe(b.id);
    await j.setState(b, 'rollback-failed');
    expect((await j.latestIncomplete())?.id).toBe(b.id);
    await j.setState(b, 'rolled-back');
    expect(await j.latestIncomplete()).toBeUndefined();
    expect(await j.get('20000101-000000-dead')).toBeUndefined();
    expect(await j.get('../../etc')).toBeUndefined();
  });

  it('a corrupt or missing manifest is reported by scan() and skipped by list(), not thrown', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const good = await j.begin('apply', [f]);
    const bad = await j.begin('apply', [f]);
    await fs.writeFile(path.join(jdir, bad.id, 'manifest.json'), '{"format":"ds-harden-journal/1","id":');
    const wrongShape = await j.begin('apply', [f]);
    await fs.writeFile(path.join(jdir, wrongShape.id, 'manifest.json'), JSON.stringify({ format: 'ds-harden-journal/1', id: wrongShape.id }));
    await fs.mkdir(path.join(jdir, '20000101-000000-beef'));
    await fs.writeFile(path.join(jdir, 'README'), 'not an entry');

    const list = await j.list();
    expect(list.map((e) => e.id)).toEqual([good.id]);
    const { corrupt } = await j.scan();
    expect(corrupt.map((c) => c.id).sort()).toEqual([bad.id, wrongShape.id, '20000101-000000-beef'].sort());
    expect(corrupt.find((c) => c.id === bad.id)?.error).toMatch(/not valid JSON/);
    expect(corrupt.find((c) => c.id === '20000101-000000-beef')?.error).toMatch(/missing/);
    await expect(j.get(bad.id)).rejects.toThrow(new RegExp(`${bad.id} is corrupt`));
    expect((await j.latestIncomplete())?.id).toBe(good.id);
  });

  it('prune(keep) keeps the newest N committed entries and never touches others', async () => {
    const f = await seedLocalJson();
    const j = new Journal(jdir);
    const made: JournalEntry[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await j.begin(`apply #${i}`, [f]));
      await sleep(15);
    }
    for (const e of made.slice(0, 4)) await j.setState(e, 'committed');
    // made[4] stays 'prepared' (incomplete), must survive.
    const removed = await j.prune(2);
    expect(removed.sort()).toEqual([made[0]!.id, made[1]!.id].sort());
    expect((await j.list()).map((e) => e.id)).toEqual([made[4]!.id, made[3]!.id, made[2]!.id]);
    expect(await j.prune(2)).toEqual([]);
    await expect(j.prune(-1)).rejects.toThrow();
  });
});
