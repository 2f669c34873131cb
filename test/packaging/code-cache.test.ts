/**
 * The launcher's V8 code cache (bin/ds-harden.cjs): written once, used on later starts, never trusted when it
 * is not safely ours or not made for this very code at this very place, and off on request. What is observable: which
 * files appear, their modes, whether a later run rewrites them (a cache V8 accepted is left alone; a missing,
 * rejected or unsafe one is written anew), what the program prints, and the file names in its stack traces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDist } from '../../scripts/build.mjs';
import { BIN } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { copyBuild, runProgram, tempDir } from './helpers.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const ARGS = ['check', '--root', EXAMPLE, '--format', 'json'];
const SUBDIR = `code-cache-${process.version}-${process.arch}`;
type Manifest = { entry: string; files: Record<string, { sha256: string }> };
const manifest = (dist = path.join(REPO, 'dist')) => JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as Manifest;
/** The cache file names of a chunk: its sha256 (first 32 digits), then the hash of its place and Node's flags. */
const NAME = /^([0-9a-f]{32})-[0-9a-f]{8}\.v8$/;
const cacheOf = (m: Manifest, chunk: string) => (name: string) => NAME.exec(name)?.[1] === m.files[chunk]!.sha256.slice(0, 32);

function launch(env: Record<string, string | undefined>, bin = BIN, args = ARGS) {
  const { DS_HARDEN_CODE_CACHE: _omit, XDG_CACHE_HOME: _omit2, ...rest } = process.env;
  return runProgram([process.execPath, bin], args, { ...rest, ...env });
}

const listing = (dir: string) =>
  Object.fromEntries(fs.readdirSync(dir).sort().map((f) => { const st = fs.statSync(path.join(dir, f)); return [f, { mode: st.mode & 0o777, ino: st.ino, mtimeMs: st.mtimeMs }]; }));

describe('code cache', () => {
  it('is written on the first run, one file per loaded chunk named by its sha256, private to the user, and used unchanged afterwards', () => {
    const base = tempDir('dsh-cc-');
    const first = launch({ DS_HARDEN_CODE_CACHE: base });
    expect(first.code).toBe(1);
    const dir = path.join(base, SUBDIR);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const files = listing(dir);
    const m = manifest();
    const known = new Set(Object.values(m.files).map((f) => f.sha256.slice(0, 32)));
    expect(Object.keys(files).length).toBeGreaterThan(2);
    for (const [name, st] of Object.entries(files)) {
      expect(known.has(NAME.exec(name)?.[1] ?? ''), name).toBe(true);
      expect(st.mode).toBe(0o600);
    }
    expect(Object.keys(files).filter(cacheOf(m, m.entry))).toHaveLength(1);
    // apply's chunk was not loaded by check, so it has no cache
    const apply = Object.keys(m.files).find((n) => n.startsWith('apply-'))!;
    expect(Object.keys(files).filter(cacheOf(m, apply))).toEqual([]);

    const second = launch({ DS_HARDEN_CODE_CACHE: base });
    expect(second).toEqual(first);
    expect(listing(dir)).toEqual(files); // accepted by V8: nothing rewritten
  });

  it('a corrupt or unsafe cache file changes nothing the user sees and is replaced', () => {
    const base = tempDir('dsh-cc-');
    const reference = launch({ DS_HARDEN_CODE_CACHE: base });
    const dir = path.join(base, SUBDIR);
    const m = manifest();
    const entry = path.join(dir, Object.keys(listing(dir)).find(cacheOf(m, m.entry))!);
    const [other] = Object.keys(listing(dir)).filter((f) => f !== path.basename(entry)).map((f) => path.join(dir, f));
    fs.writeFileSync(entry, 'not a V8 code cache');
    fs.chmodSync(other!, 0o666); // writable by anyone: must not be fed to V8

    expect(launch({ DS_HARDEN_CODE_CACHE: base })).toEqual(reference);
    expect(fs.readFileSync(entry, 'utf8')).not.toBe('not a V8 code cache');
    expect(fs.statSync(other!).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(other!).length).toBeGreaterThan(0);
  });

  it('defaults to ~/.cache/ds-harden (or $XDG_CACHE_HOME/ds-harden), and DS_HARDEN_CODE_CACHE=0 turns it off', () => {
    const home = tempDir('dsh-home-');
    expect(launch({ HOME: home }).code).toBe(1);
    expect(fs.readdirSync(path.join(home, '.cache/ds-harden', SUBDIR)).length).toBeGreaterThan(2);

    const xdg = tempDir('dsh-xdg-');
    expect(launch({ HOME: home, XDG_CACHE_HOME: xdg }).code).toBe(1);
    expect(fs.readdirSync(path.join(xdg, 'ds-harden', SUBDIR)).length).toBeGreaterThan(2);

    const off = tempDir('dsh-home-');
    expect(launch({ HOME: off, DS_HARDEN_CODE_CACHE: '0' }).code).toBe(1);
    expect(fs.readdirSync(off)).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)('root with another user\'s HOME (sudo keeping HOME) writes nothing there', () => {
    const home = tempDir('dsh-home-');
    fs.chownSync(home, 54321, 54321);
    const r = launch({ HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('a chunk changed after the build, even to the same length with the manifest unchanged, runs its own code', () => {
    const bin = copyBuild();
    const dist = path.join(path.dirname(bin), '../dist');
    const cache = tempDir('dsh-cc-');
    const text = ['check', '--root', EXAMPLE];
    const before = launch({ DS_HARDEN_CODE_CACHE: cache }, bin, text);
    expect(before.stdout).toContain('ds-harden check \u2014');
    expect(launch({ DS_HARDEN_CODE_CACHE: cache }, bin, text)).toEqual(before); // the cache is in use
    // the report's heading, edited in place as someone debugging the bundle would: V8 itself checks only the length
    const chunk = fs.readdirSync(dist).find((f) => fs.readFileSync(path.join(dist, f), 'utf8').includes('ds-harden check \\u2014'))!;
    const code = fs.readFileSync(path.join(dist, chunk), 'utf8');
    const edited = code.replace('ds-harden check \\u2014', 'ds-harden CHECK \\u2014');
    expect(edited.length).toBe(code.length);
    fs.writeFileSync(path.join(dist, chunk), edited);
    const after = launch({ DS_HARDEN_CODE_CACHE: cache }, bin, text);
    expect(after.stdout).toBe(before.stdout.replace('ds-harden check \u2014', 'ds-harden CHECK \u2014'));
    expect(after.stderr).toBe('');
  });

  it('two copies of the same build at different places each get their own cache: a stack trace names the copy that runs', async () => {
    // a program that prints where its own code is, from a stack trace
    const src = tempDir('dsh-where-');
    fs.writeFileSync(path.join(src, 'where.ts'), "const where = (): string => new Error('here').stack!.split('\\n')[1]!.trim();\nprocess.stdout.write(where());\n");
    const copies = ['a', 'b'].map((n) => {
      const dir = path.join(src, n);
      fs.cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
      return dir;
    });
    for (const dir of copies) await buildDist({ outdir: path.join(dir, 'dist'), entry: path.join(src, 'where.ts') });
    expect(manifest(path.join(copies[1]!, 'dist'))).toEqual(manifest(path.join(copies[0]!, 'dist'))); // the same code
    const cache = tempDir('dsh-cc-');
    const run = (dir: string) => launch({ DS_HARDEN_CODE_CACHE: cache }, path.join(dir, 'bin/ds-harden.cjs'), []).stdout;
    for (let round = 0; round < 2; round++) {
      for (const dir of copies) expect(run(dir)).toMatch(new RegExp(`^at \\S+ \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/dist/where-\\w+\\.cjs:\\d+:\\d+\\)$`));
    }
    expect(fs.readdirSync(path.join(cache, SUBDIR))).toHaveLength(2);
  });

  it('a cache directory that cannot be created or written changes nothing the user sees', () => {
    const reference = launch({ DS_HARDEN_CODE_CACHE: '0' });
    expect(reference.code).toBe(1);
    const file = path.join(tempDir('dsh-cc-'), 'a-file');
    fs.writeFileSync(file, '');
    // below a regular file (ENOTDIR), and below /proc, where mkdir answers ENOENT even under an existing directory
    for (const dir of [path.join(file, 'cache'), '/proc/dsh-no-such-cache']) {
      expect(launch({ DS_HARDEN_CODE_CACHE: dir }), dir).toEqual(reference);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('');
  });

  it.skipIf(process.getuid?.() === 0)('a cache directory without write permission changes nothing the user sees', () => {
    const reference = launch({ DS_HARDEN_CODE_CACHE: '0' });
    const base = tempDir('dsh-cc-');
    fs.chmodSync(base, 0o500);
    expect(launch({ DS_HARDEN_CODE_CACHE: base })).toEqual(reference);
    expect(fs.readdirSync(base)).toEqual([]);
    fs.chmodSync(base, 0o700);
  });
});

