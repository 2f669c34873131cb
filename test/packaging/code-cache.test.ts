/**
 * The launcher's V8 code cache (bin/ds-harden.cjs): written once, used on later starts, never trusted when it
 * is not safely ours, and off on request. What is observable: which files appear, their modes, whether a later
 * run rewrites them (a cache V8 accepted is left alone; a missing, rejected or unsafe one is written anew).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { runProgram, tempDir } from './helpers.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const ARGS = ['check', '--root', EXAMPLE, '--format', 'json'];
const SUBDIR = `code-cache-${process.version}-${process.arch}`;
const manifest = () => JSON.parse(fs.readFileSync(path.join(REPO, 'dist/manifest.json'), 'utf8')) as { entry: string; files: Record<string, { sha256: string }> };

function launch(env: Record<string, string | undefined>) {
  const { DS_HARDEN_CODE_CACHE: _omit, XDG_CACHE_HOME: _omit2, ...rest } = process.env;
  return runProgram([process.execPath, BIN], ARGS, { ...rest, ...env });
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
    const known = new Set(Object.values(m.files).map((f) => `${f.sha256}.v8`));
    expect(Object.keys(files).length).toBeGreaterThan(2);
    for (const [name, st] of Object.entries(files)) {
      expect(known.has(name), name).toBe(true);
      expect(st.mode).toBe(0o600);
    }
    expect(files[`${m.files[m.entry]!.sha256}.v8`]).toBeDefined();
    // apply's chunk was not loaded by check, so it has no cache
    const apply = Object.keys(m.files).find((n) => n.startsWith('apply-'))!;
    expect(files[`${m.files[apply]!.sha256}.v8`]).toBeUndefined();

    const second = launch({ DS_HARDEN_CODE_CACHE: base });
    expect(second).toEqual(first);
    expect(listing(dir)).toEqual(files); // accepted by V8: nothing rewritten
  });

  it('a corrupt or unsafe cache file changes nothing the user sees and is replaced', () => {
    const base = tempDir('dsh-cc-');
    const reference = launch({ DS_HARDEN_CODE_CACHE: base });
    const dir = path.join(base, SUBDIR);
    const m = manifest();
    const entry = path.join(dir, `${m.files[m.entry]!.sha256}.v8`);
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
});
