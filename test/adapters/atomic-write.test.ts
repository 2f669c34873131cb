import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  findStaleTemps,
  readFileStat,
  removeStaleTemps,
  sha256,
  writeFileAtomic,
} from '../../src/adapters/atomic-write.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ds-harden-atomic-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function tempLeftovers(d: string): Promise<string[]> {
  return (await fs.readdir(d)).filter((n) => n.includes('.ds-harden-') && n.endsWith('.tmp'));
}

describe('sha256', () => {
  it('matches the known vector and is the same for string and Buffer', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(Buffer.from('abc'))).toBe(sha256('abc'));
  });
});

describe('writeFileAtomic', () => {
  it('writes byte-exact content (binary and UTF-8)', async () => {
    const bin = Buffer.alloc(70_000);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7 + 3) & 0xff;
    const f = path.join(dir, 'bin.dat');
    await writeFileAtomic(f, bin);
    expect((await fs.readFile(f)).equals(bin)).toBe(true);

    const text = '{ "secret": "ünïcødé “quotes” \u{1F512}" }\n';
    const g = path.join(dir, 'local.json');
    const res = await writeFileAtomic(g, text);
    expect(res.target).toBe(await fs.realpath(g));
    expect((await fs.readFile(g)).equals(Buffer.from(text, 'utf8'))).toBe(true);

    await writeFileAtomic(g, Buffer.alloc(0));
    expect((await fs.stat(g)).size).toBe(0);
    expect(await tempLeftovers(dir)).toEqual([]);
  });

  it('creates a new file with mode 0640 owned by the current user', async () => {
    const f = path.join(dir, 'new.json');
    await writeFileAtomic(f, '{}');
    const st = await fs.stat(f);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.uid).toBe(process.getuid!());
    expect(st.gid).toBe(process.getgid!());
  });

  it('preserves the existing mode', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old');
    await fs.chmod(f, 0o604);
    await writeFileAtomic(f, 'new');
    expect((await fs.stat(f)).mode & 0o7777).toBe(0o604);
    await fs.chmod(f, 0o2640); // set-gid bit survives too (chmod after chown)
    await writeFileAtomic(f, 'newer');
    expect((await fs.stat(f)).mode & 0o7777).toBe(0o2640);
  });

  it.runIf(isRoot)('preserves a foreign owner and group (root)', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old');
    await fs.chown(f, NOBODY, NOBODY);
    await fs.chmod(f, 0o640);
    await writeFileAtomic(f, 'new');
    const st = await fs.stat(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o640]);
    expect(await fs.readFile(f, 'utf8')).toBe('new');
  });

  it.runIf(isRoot)('explicit uid/gid/mode win over the existing file', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old', { mode: 0o644 });
    await writeFileAtomic(f, 'new', { uid: NOBODY, gid: NOBODY, mode: 0o600 });
    const st = await fs.stat(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o600]);
  });

  it('writes through a symlink: the link stays a link, the target gets the bytes and keeps its mode', async () => {
    const realDir = path.join(dir, 'real');
    await fs.mkdir(realDir);
    const target = path.join(realDir, 'local.json');
    await fs.writeFile(target, 'old');
    await fs.chmod(target, 0o600);
    const link = path.join(dir, 'local.json');
    await fs.symlink('real/local.json', link); // relative link
    if (isRoot) await fs.chown(target, NOBODY, NOBODY);

    const res = await writeFileAtomic(link, 'new bytes');
    expect(res.target).toBe(await fs.realpath(target));
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readlink(link)).toBe('real/local.json');
    expect(await fs.readFile(target, 'utf8')).toBe('new bytes');
    const st = await fs.stat(target);
    expect(st.mode & 0o7777).toBe(0o600);
    if (isRoot) expect([st.uid, st.gid]).toEqual([NOBODY, NOBODY]);
    expect(await tempLeftovers(dir)).toEqual([]);
    expect(await tempLeftovers(realDir)).toEqual([]);
  });

  it('follows a chain of symlinks and a dangling symlink (creating its target)', async () => {
    const target = path.join(dir, 'target.json');
    await fs.writeFile(target, 'old');
    await fs.symlink(target, path.join(dir, 'a'));
    await fs.symlink('a', path.join(dir, 'b'));
    await writeFileAtomic(path.join(dir, 'b'), 'via chain');
    expect(await fs.readFile(target, 'utf8')).toBe('via chain');
    expect((await fs.lstat(path.join(dir, 'b'))).isSymbolicLink()).toBe(true);

    await fs.symlink('created.json', path.join(dir, 'dangling'));
    const res = await writeFileAtomic(path.join(dir, 'dangling'), 'created');
    expect(res.target).toBe(path.join(await fs.realpath(dir), 'created.json'));
    expect((await fs.lstat(path.join(dir, 'dangling'))).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(path.join(dir, 'created.json'), 'utf8')).toBe('created');
  });

  it('refuses to replace a directory', async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    await expect(writeFileAtomic(path.join(dir, 'sub'), 'x')).rejects.toThrow(/not a regular file/);
    expect(await tempLeftovers(dir)).toEqual([]);
  });

  it('calls pause at temp-written then renamed, with the temp file complete at the first step', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old');
    const seen: string[] = [];
    await writeFileAtomic(f, 'new', {
      pause: async (step) => {
        seen.push(step);
        const temps = await tempLeftovers(dir);
        if (step === 'atomic:temp-written') {
          expect(temps).toHaveLength(1);
          expect(temps[0]).toMatch(/^\.local\.json\.ds-harden-[0-9a-f]+\.tmp$/);
          expect(await fs.readFile(path.join(dir, temps[0]!), 'utf8')).toBe('new');
          expect(await fs.readFile(f, 'utf8')).toBe('old');
        } else {
          expect(temps).toEqual([]);
          expect(await fs.readFile(f, 'utf8')).toBe('new');
        }
      },
    });
    expect(seen).toEqual(['atomic:temp-written', 'atomic:renamed']);
  });

  it('an error before the rename removes the temp file and leaves the target untouched', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old', { mode: 0o640 });
    const before = await fs.stat(f);
    await expect(
      writeFileAtomic(f, 'new', {
        pause: async (step) => {
          if (step === 'atomic:temp-written') throw new Error('injected');
        },
      }),
    ).rejects.toThrow('injected');
    expect(await fs.readFile(f, 'utf8')).toBe('old');
    expect((await fs.stat(f)).ino).toBe(before.ino);
    expect(await tempLeftovers(dir)).toEqual([]);
  });

  it('an error after the rename leaves the new content and no temp file', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'old');
    await expect(
      writeFileAtomic(f, 'new', {
        pause: async (step) => {
          if (step === 'atomic:renamed') throw new Error('injected late');
        },
      }),
    ).rejects.toThrow('injected late');
    expect(await fs.readFile(f, 'utf8')).toBe('new');
    expect(await tempLeftovers(dir)).toEqual([]);
  });

  it.runIf(!isRoot)('fails without a temp file when the directory is not writable (non-root)', async () => {
    const sub = path.join(dir, 'ro');
    await fs.mkdir(sub);
    await fs.writeFile(path.join(sub, 'f'), 'old');
    await fs.chmod(sub, 0o555);
    await expect(writeFileAtomic(path.join(sub, 'f'), 'new')).rejects.toThrow();
    await fs.chmod(sub, 0o755);
    expect(await fs.readFile(path.join(sub, 'f'), 'utf8')).toBe('old');
  });
});

describe('readFileStat', () => {
  it('reports an absent file', async () => {
    const f = path.join(dir, 'nope.json');
    const st = await readFileStat(f);
    expect(st.exists).toBe(false);
    expect(st.isSymlink).toBe(false);
    expect(st.data).toBeUndefined();
    expect(st.realPath).toBe(path.join(await fs.realpath(dir), 'nope.json'));
  });

  it('reports bytes, owner and mode of a file and of a symlink to it', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'hello');
    await fs.chmod(f, 0o640);
    const st = await readFileStat(f);
    expect(st).toMatchObject({ exists: true, isSymlink: false, mode: 0o640, uid: process.getuid!() });
    expect(st.data?.toString()).toBe('hello');
    expect(st.realPath).toBe(await fs.realpath(f));

    const link = path.join(dir, 'link.json');
    await fs.symlink(f, link);
    const ls = await readFileStat(link);
    expect(ls).toMatchObject({ exists: true, isSymlink: true, mode: 0o640 });
    expect(ls.realPath).toBe(await fs.realpath(f));
    expect(ls.data?.toString()).toBe('hello');
  });
});

describe('stale temp files', () => {
  it('finds and removes only this file\'s ds-harden temp files', async () => {
    const f = path.join(dir, 'local.json');
    await fs.writeFile(f, 'x');
    await fs.writeFile(path.join(dir, '.local.json.ds-harden-0a1b2c3d4e5f.tmp'), 'partial');
    await fs.writeFile(path.join(dir, '.other.json.ds-harden-0a1b2c3d4e5f.tmp'), 'keep');
    await fs.writeFile(path.join(dir, '.local.json.ds-harden-notes.tmp'), 'keep');
    expect((await findStaleTemps(f)).map((p) => path.basename(p))).toEqual(['.local.json.ds-harden-0a1b2c3d4e5f.tmp']);
    await removeStaleTemps(f);
    expect((await fs.readdir(dir)).sort()).toEqual(
      ['.local.json.ds-harden-notes.tmp', '.other.json.ds-harden-0a1b2c3d4e5f.tmp', 'local.json'].sort(),
    );
  });
});

/*
 * Crash safety. A child `node` process runs the real module and is SIGKILLed
 * part-way through a write. vitest's transform is not available to a plain
 * child process and Node 20 cannot run .ts, so beforeAll transpiles
 * src/adapters/atomic-write.ts (which imports only node built-ins) with the
 * project's own TypeScript (ts.transpileModule) into an .mjs file in the temp
 * dir. That always tests the current source, without depending on dist/ or on
 * the rest of the project compiling.
 *
 * SIGKILL checks the ordering of the steps (no reader/crash can see a partial
 * target). It cannot simulate power loss, which is what the fsyncs are for.
 */
describe('crash safety (child process killed mid-write)', () => {
  let modDir: string;

  beforeAll(async () => {
    modDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ds-harden-atomic-mod-'));
    const src = await fs.readFile(path.join(REPO, 'src/adapters/atomic-write.ts'), 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    await fs.writeFile(path.join(modDir, 'atomic-write.mjs'), out.outputText);
    await fs.writeFile(
      path.join(modDir, 'child-pause.mjs'),
      `import { writeFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.mjs';
const [target, dataFile, stopAt, marker] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const data = readFileSync(dataFile);
setInterval(() => {}, 1 << 30); // keep the event loop alive while paused
await writeFileAtomic(target, data, {
  pause: async (step) => {
    if (step !== stopAt) return;
    writeFileSync(marker, step);
    await new Promise(() => {}); // wait to be killed
  },
});
writeFileSync(marker, 'finished');
process.exit(0);
`,
    );
    await fs.writeFile(
      path.join(modDir, 'child-loop.mjs'),
      `import { writeFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.mjs';
const [target, marker] = process.argv.slice(2);
const a = Buffer.alloc(1 << 21, 0x61), b = Buffer.alloc(1 << 21, 0x62);
for (let i = 0; ; i++) {
  await writeFileAtomic(target, i % 2 ? b : a);
  if (i === 0) writeFileSync(marker, 'looping');
}
`,
    );
  });

  afterAll(async () => {
    await fs.rm(modDir, { recursive: true, force: true });
  });

  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function run(script: string, args: string[]): { child: ChildProcess; exited: Promise<void>; stderr: () => string } {
    const child = spawn(process.execPath, [path.join(modDir, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return { child, exited, stderr: () => err };
  }

  async function waitFor(file: string, proc: { stderr: () => string; child: ChildProcess }): Promise<string> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (existsSync(file)) {
        const s = await fs.readFile(file, 'utf8');
        if (s) return s;
      }
      if (proc.child.exitCode !== null) throw new Error(`child exited early: ${proc.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timeout waiting for ${file}: ${proc.stderr()}`);
  }

  // Large enough that a non-atomic write would be observable as partial.
  const OLD = Buffer.from(`{"services":{"CoAuthoring":{"secret":{"inbox":{"string":"old-secret"}}}},"pad":"${'o'.repeat(1 << 20)}"}\n`);
  const NEW = Buffer.from(`{"services":{"CoAuthoring":{"secret":{"inbox":{"string":"new-secret"}}}},"pad":"${'n'.repeat(1 << 20)}"}\n`);

  for (const [step, expected] of [
    ['atomic:temp-written', 'old'],
    ['atomic:renamed', 'new'],
  ] as const) {
    it(`SIGKILL at ${step} leaves exactly the ${expected} bytes`, async () => {
      const target = path.join(dir, 'local.json');
      await fs.writeFile(target, OLD);
      await fs.chmod(target, 0o640);
      if (isRoot) await fs.chown(target, NOBODY, NOBODY);
      const dataFile = path.join(modDir, `new-${step.replace(':', '-')}.bin`);
      await fs.writeFile(dataFile, NEW);
      const marker = path.join(modDir, `marker-${step.replace(':', '-')}`);
      await fs.rm(marker, { force: true });

      const proc = run('child-pause.mjs', [target, dataFile, step, marker]);
      expect(await waitFor(marker, proc)).toBe(step);
      proc.child.kill('SIGKILL');
      await proc.exited;
      expect(proc.child.signalCode).toBe('SIGKILL');

      const now = await fs.readFile(target);
      expect(now.equals(expected === 'old' ? OLD : NEW)).toBe(true);
      const st = await fs.stat(target);
      expect(st.mode & 0o7777).toBe(0o640);
      if (isRoot) expect([st.uid, st.gid]).toEqual([NOBODY, NOBODY]);

      const temps = await findStaleTemps(target);
      if (step === 'atomic:temp-written') {
        // The killed run leaves its complete temp file; recovery can remove it.
        expect(temps).toHaveLength(1);
        expect((await fs.readFile(temps[0]!)).equals(NEW)).toBe(true);
        await removeStaleTemps(target);
        expect(await findStaleTemps(target)).toEqual([]);
      } else {
        expect(temps).toEqual([]);
      }
    });
  }

  it('SIGKILL at random moments during repeated writes never leaves a partial file', async () => {
    const target = path.join(dir, 'local.json');
    const A = Buffer.alloc(1 << 21, 0x61);
    const B = Buffer.alloc(1 << 21, 0x62);
    for (let round = 0; round < 6; round++) {
      await fs.writeFile(target, A);
      const marker = path.join(modDir, `loop-marker-${round}`);
      const proc = run('child-loop.mjs', [target, marker]);
      await waitFor(marker, proc);
      await new Promise((r) => setTimeout(r, 3 + Math.floor(Math.random() * 40)));
      proc.child.kill('SIGKILL');
      await proc.exited;
      const now = await fs.readFile(target);
      expect(now.length).toBe(1 << 21);
      expect(now.equals(A) || now.equals(B)).toBe(true);
      await removeStaleTemps(target);
    }
  });
});
