/**
 * --root is a jail for every path the tool reads or writes: symlinks — in the file name or in any directory above
 * it — resolve inside the root (absolute targets start again at the root, `..` stops there), and a write is refused
 * when its path is not below the root. Files are read only when they are regular and small.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { rootedHost } from '../../src/adapters/host-fs.js';
import { confineTo, hostPathOf, joinRoot, resolveInRoot, RootEscapeError } from '../../src/adapters/rooted-path.js';
import { MAX_CONFIG_BYTES, readBoundedFileSync } from '../../src/adapters/bounded-read.js';
import { writeFileAtomic } from '../../src/adapters/atomic-write.js';

let base: string;
let root: string;
let outside: string;

beforeEach(() => {
  base = fs.mkdtempSync(path.join(inject('tmpBase') ?? os.tmpdir(), 'dsh-rooted-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(root, 'etc/onlyoffice/documentserver'), { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const ETC = '/etc/onlyoffice/documentserver';
const put = (p: string, text: string) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
};

describe('resolveInRoot (chroot semantics below --root)', () => {
  it('re-roots an absolute symlink target, and stops .. at the root', () => {
    fs.symlinkSync(`${outside}/evil.json`, path.join(root, ETC, 'local.json'));
    const r = resolveInRoot(root, `${ETC}/local.json`);
    expect(r.local).toBe(path.join(root, outside, 'evil.json'));
    expect(r.viaSymlink).toBe(true);
    fs.symlinkSync('../../../../../../../../../../etc/passwd', path.join(root, ETC, 'up.json'));
    expect(resolveInRoot(root, `${ETC}/up.json`)).toMatchObject({ local: path.join(root, 'etc/passwd'), hostPath: '/etc/passwd' });
  });

  it('resolves a symlinked directory on the way inside the root too', () => {
    put(path.join(root, 'srv/ds/local.json'), '{}');
    fs.rmSync(path.join(root, 'etc/onlyoffice/documentserver'), { recursive: true });
    fs.symlinkSync('/srv/ds', path.join(root, 'etc/onlyoffice/documentserver'));
    const r = resolveInRoot(root, `${ETC}/local.json`);
    expect(r).toEqual({ local: path.join(root, 'srv/ds/local.json'), hostPath: '/srv/ds/local.json', viaSymlink: false });
  });

  it('without links, the local path is joinRoot(root, hostPath) for any spelling of the host path (also for root /)', () => {
    put(path.join(root, ETC, 'local.json'), '{}');
    const spellings = ['/', '', '.', '..', `${ETC}/local.json`, `${ETC}//./local.json`, `${ETC}/../documentserver/local.json`, 'etc/onlyoffice', '/etc/x/../../..', `${ETC}/nope/../../x`, '/a/b/c/', '/../etc'];
    for (const roots of [root, `${root}/`, `${root}/etc/..`]) {
      for (const p of spellings) expect(resolveInRoot(roots, p).local, `${roots} ${p}`).toBe(joinRoot(roots, p));
    }
    // with root / the path is the host path itself
    for (const p of ['/', '', '/dsh-no-such-dir/../x/./y/', '/dsh-no-such-dir//z']) expect(resolveInRoot('/', p).local, p).toBe(joinRoot('/', p));
  });

  it('appends components that do not exist yet, and refuses a link loop', () => {
    expect(resolveInRoot(root, '/var/lib/ds-harden/journal').local).toBe(path.join(root, 'var/lib/ds-harden/journal'));
    fs.symlinkSync('b', path.join(root, 'a'));
    fs.symlinkSync('a', path.join(root, 'b'));
    expect(() => resolveInRoot(root, '/a')).toThrow(RootEscapeError);
    expect(() => resolveInRoot(root, '/a')).toThrow(/too many levels of symbolic links/);
  });

  it('refuses a local path that is not below the root (exit 4, the path named)', () => {
    const e = (() => {
      try {
        hostPathOf(root, `${outside}/evil.json`);
      } catch (err) {
        return err as RootEscapeError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(RootEscapeError);
    expect(e!.exitCode).toBe(4);
    expect(e!.message).toContain(`${outside}/evil.json`);
    expect(hostPathOf(root, path.join(root, ETC, 'local.json'))).toBe(`${ETC}/local.json`);
  });
});

describe('RootedHost: reads and writes stay inside --root', () => {
  it('local.json → absolute symlink to a file outside: check reads the file inside the root; a write goes there too', async () => {
    put(`${outside}/evil.json`, '{"outside": true}');
    put(path.join(root, outside, 'evil.json'), '{"inside": true}');
    fs.symlinkSync(`${outside}/evil.json`, path.join(root, ETC, 'local.json'));
    const host = rootedHost(root);
    const r = await host.read(`${ETC}/local.json`);
    expect(r).toMatchObject({ ok: true, text: '{"inside": true}', stat: { isSymlink: true } });
    const w = host.writePath(`${ETC}/local.json`);
    expect(w.local).toBe(path.join(root, outside, 'evil.json'));
    await writeFileAtomic(path.join(root, ETC, 'local.json'), '{"new": 1}', { resolve: confineTo(root) });
    expect(fs.readFileSync(`${outside}/evil.json`, 'utf8')).toBe('{"outside": true}');
    expect(fs.readFileSync(path.join(root, outside, 'evil.json'), 'utf8')).toBe('{"new": 1}');
    expect(fs.lstatSync(path.join(root, ETC, 'local.json')).isSymbolicLink()).toBe(true);
  });

  it('writeFileAtomic with confineTo refuses a path outside the root and writes nothing', async () => {
    put(`${outside}/x.json`, 'old');
    await expect(writeFileAtomic(`${outside}/x.json`, 'new', { resolve: confineTo(root) })).rejects.toThrow(RootEscapeError);
    expect(fs.readFileSync(`${outside}/x.json`, 'utf8')).toBe('old');
    expect(fs.readdirSync(outside)).toEqual(['x.json']);
  });

  it('the state dir below a symlinked /var/lib is created inside the root (host.local)', () => {
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.mkdirSync(path.join(root, 'var'), { recursive: true });
    fs.symlinkSync('/data', path.join(root, 'var/lib'));
    expect(rootedHost(root).local('/var/lib/ds-harden')).toBe(path.join(root, 'data/ds-harden'));
  });
});

describe('bounded reads: only regular files of bounded size', () => {
  it('a FIFO is refused at once (no writer, no hang), naming the file and what it is', async () => {
    execFileSync('mkfifo', [path.join(root, ETC, 'local.json')]);
    const r = await rootedHost(root).read(`${ETC}/local.json`);
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ code: 'ENOTREG', message: `${ETC}/local.json is a FIFO (named pipe), not a regular file: ds-harden reads only regular files (replace it with a regular file)` });
  });

  it('/dev/zero (a character device) is refused without reading a byte', () => {
    const r = readBoundedFileSync('/dev/zero', { label: '--secret-file /dev/zero' });
    expect(r).toMatchObject({ ok: false, code: 'ENOTREG' });
    expect(!r.ok && r.message).toMatch(/^--secret-file \/dev\/zero is a character device, not a regular file/);
  });

  it('a directory is refused as EISDIR; a missing file as ENOENT', async () => {
    fs.mkdirSync(path.join(root, ETC, 'local.json'));
    expect(await rootedHost(root).read(`${ETC}/local.json`)).toMatchObject({ ok: false, code: 'EISDIR', message: `${ETC}/local.json is a directory, not a file` });
    expect(await rootedHost(root).read(`${ETC}/nope.json`)).toMatchObject({ ok: false, code: 'ENOENT' });
  });

  it('a file over the cap is refused with its size, never loaded; one at the cap is read', () => {
    const big = path.join(base, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_CONFIG_BYTES + 1); // sparse: no disk used
    const r = readBoundedFileSync(big, { label: 'local.json' });
    expect(r).toMatchObject({ ok: false, code: 'EFBIG' });
    expect(!r.ok && r.message).toBe('local.json is 4.0 MiB (4194305 bytes); ds-harden reads at most 4 MiB (a DS configuration file is a few KB): check that this is the right file, or shrink it');
    fs.truncateSync(big, MAX_CONFIG_BYTES);
    const ok = readBoundedFileSync(big);
    expect(ok.ok && ok.data.length).toBe(MAX_CONFIG_BYTES);
    expect(readBoundedFileSync(big, { maxBytes: 10 })).toMatchObject({ ok: false, code: 'EFBIG' });
  });
});
