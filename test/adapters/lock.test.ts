import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LockBusyError, LockCorruptError, acquireLock, isPidAlive } from '../../src/adapters/lock.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BOOT_ID = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
})();
const DEAD_PID = 2 ** 22 - 1; // above the default pid_max and at its maximum: never a live pid

let dir: string;
let lockPath: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ds-harden-lock-'));
  lockPath = path.join(dir, 'run.lock');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function spawnNode(args: string[]): ChildProcess {
  const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  return c;
}

async function writeLockFile(info: unknown): Promise<void> {
  await fs.writeFile(lockPath, typeof info === 'string' ? info : JSON.stringify(info));
}

describe('acquireLock', () => {
  it('creates a lock file with pid, startedAt, command and removes it on release', async () => {
    const lock = await acquireLock(lockPath, { command: 'apply' });
    expect(lock.staleFrom).toBeUndefined();
    expect(lock.info.pid).toBe(process.pid);
    const onDisk = JSON.parse(await fs.readFile(lockPath, 'utf8'));
    expect(onDisk).toEqual(lock.info);
    expect(onDisk).toMatchObject({ pid: process.pid, command: 'apply' });
    if (BOOT_ID) expect(onDisk.bootId).toBe(BOOT_ID);
    expect(Number.isNaN(Date.parse(onDisk.startedAt))).toBe(false);
    expect(await fs.readdir(dir)).toEqual(['run.lock']); // no temp files left
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
    await lock.release(); // idempotent
    const again = await acquireLock(lockPath, { command: 'apply' });
    await again.release();
  });

  it('a second acquire while held throws LockBusyError naming the pid, command and time', async () => {
    const lock = await acquireLock(lockPath, { command: 'apply --profile strict' });
    const err = await acquireLock(lockPath, { command: 'rollback' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LockBusyError);
    const busy = err as LockBusyError;
    expect(busy.holder).toEqual(lock.info);
    expect(busy.message).toContain(`pid ${process.pid}`);
    expect(busy.message).toContain('apply --profile strict');
    expect(busy.message).toContain(lock.info.startedAt);
    expect(await fs.readFile(lockPath, 'utf8')).toContain('apply --profile strict');
    await lock.release();
  });

  it('a lock held by another live process is busy', async () => {
    const child = spawnNode(['-e', 'setInterval(() => {}, 1 << 30)']);
    const pid = child.pid!;
    expect(isPidAlive(pid)).toBe(true);
    const holder = { pid, startedAt: new Date().toISOString(), command: 'apply' };
    await writeLockFile(holder);
    await expect(acquireLock(lockPath, { command: 'check' })).rejects.toSatisfy(
      (e: unknown) => e instanceof LockBusyError && e.holder.pid === pid && e.message.includes(`pid ${pid}`),
    );
    expect(JSON.parse(await fs.readFile(lockPath, 'utf8'))).toEqual(holder);
  });

  it('takes over a lock whose pid is dead and reports staleFrom', async () => {
    expect(isPidAlive(DEAD_PID)).toBe(false);
    const old = { pid: DEAD_PID, startedAt: new Date(Date.now() - 60_000).toISOString(), command: 'apply' };
    await writeLockFile(old);
    const lock = await acquireLock(lockPath, { command: 'apply' });
    expect(lock.staleFrom).toEqual(old);
    expect(JSON.parse(await fs.readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    expect((await fs.readdir(dir)).sort()).toEqual(['run.lock']);
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it.runIf(BOOT_ID)('takes over a lock from an earlier boot even if its pid is alive now', async () => {
    const old = { pid: 1, startedAt: new Date().toISOString(), command: 'apply', bootId: '00000000-0000-4000-8000-000000000000' };
    await writeLockFile(old);
    const lock = await acquireLock(lockPath, { command: 'apply' });
    expect(lock.staleFrom).toEqual(old);
    await lock.release();
  });

  it('a live pid with the current boot id is busy', async () => {
    const holder = { pid: 1, startedAt: new Date().toISOString(), command: 'apply', ...(BOOT_ID ? { bootId: BOOT_ID } : {}) };
    await writeLockFile(holder);
    await expect(acquireLock(lockPath, { command: 'apply' })).rejects.toBeInstanceOf(LockBusyError);
  });

  it('takes over a lock left by an earlier process with our own pid', async () => {
    const old = { pid: process.pid, startedAt: new Date(Date.now() - 1000).toISOString(), command: 'apply' };
    await writeLockFile(old);
    const lock = await acquireLock(lockPath, { command: 'apply' });
    expect(lock.staleFrom).toEqual(old);
    await lock.release();
  });

  it('an unreadable lock file is not guessed at: LockCorruptError', async () => {
    await writeLockFile('garbage{');
    await expect(acquireLock(lockPath, { command: 'apply' })).rejects.toBeInstanceOf(LockCorruptError);
    await writeLockFile({ pid: 'x', startedAt: 'y', command: 'z' });
    await expect(acquireLock(lockPath, { command: 'apply' })).rejects.toThrow(/no valid pid/);
    expect(await fs.readFile(lockPath, 'utf8')).toContain('"x"');
    expect((await fs.readdir(dir)).sort()).toEqual(['run.lock']);
  });

  it('release() leaves a lock file that is no longer ours', async () => {
    const lock = await acquireLock(lockPath, { command: 'apply' });
    const other = JSON.stringify({ pid: 1, startedAt: new Date().toISOString(), command: 'other' });
    await fs.writeFile(lockPath, other);
    await lock.release();
    expect(await fs.readFile(lockPath, 'utf8')).toBe(other);
  });

  it('concurrent acquires in one process: exactly one wins', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => acquireLock(lockPath, { command: 'apply' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockBusyError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  });

  it('creates a missing parent directory', async () => {
    const deep = path.join(dir, 'var/lib/ds-harden/lock');
    const lock = await acquireLock(deep, { command: 'apply' });
    expect(existsSync(deep)).toBe(true);
    await lock.release();
  });
});

/*
 * Several processes race for the lock at the same moment. The children run
 * src/adapters/lock.ts transpiled by the project's TypeScript (it imports only
 * node built-ins), see the note in atomic-write.test.ts.
 */
describe('acquireLock across processes', () => {
  let modDir: string;

  beforeAll(async () => {
    modDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ds-harden-lock-mod-'));
    const src = await fs.readFile(path.join(REPO, 'src/adapters/lock.ts'), 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    await fs.writeFile(path.join(modDir, 'lock.mjs'), out.outputText);
    await fs.writeFile(
      path.join(modDir, 'racer.mjs'),
      `import { existsSync, writeFileSync } from 'node:fs';
import { acquireLock } from './lock.mjs';
const [lockPath, ready, go, done] = process.argv.slice(2);
writeFileSync(ready, '1');
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2));
try {
  const lock = await acquireLock(lockPath, { command: 'race' });
  process.stdout.write('won\\n');
  while (!existsSync(done)) await new Promise((r) => setTimeout(r, 5));
  await lock.release();
} catch (e) {
  process.stdout.write((e && e.name) + '\\n');
}
`,
    );
  });

  afterAll(async () => {
    await fs.rm(modDir, { recursive: true, force: true });
  });

  it.each([
    ['free lock', false],
    ['lock left by a dead pid', true],
  ])('exactly one of 6 simultaneous processes gets the %s', async (_label, seedStale) => {
    if (seedStale) {
      await fs.writeFile(lockPath, JSON.stringify({ pid: DEAD_PID, startedAt: new Date().toISOString(), command: 'apply' }));
    }
    const go = path.join(dir, 'go');
    const done = path.join(dir, 'done');
    const procs = Array.from({ length: 6 }, (_, i) => {
      const ready = path.join(dir, `ready-${i}`);
      const c = spawnNode([path.join(modDir, 'racer.mjs'), lockPath, ready, go, done]);
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((r) => c.on('exit', () => r()));
      return { ready, exited, out: () => out.trim() };
    });
    const deadline = Date.now() + 15_000;
    while (!procs.every((p) => existsSync(p.ready))) {
      if (Date.now() > deadline) throw new Error('children did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    await fs.writeFile(go, '1');
    while (procs.filter((p) => p.out() !== '').length < 6) {
      if (Date.now() > deadline) throw new Error(`no answer: ${procs.map((p) => p.out()).join(',')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await fs.writeFile(done, '1');
    await Promise.all(procs.map((p) => p.exited));
    const outs = procs.map((p) => p.out()).sort();
    expect(outs).toEqual(['LockBusyError', 'LockBusyError', 'LockBusyError', 'LockBusyError', 'LockBusyError', 'won']);
    expect(existsSync(lockPath)).toBe(false);
    expect(await fs.readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$|stale-/));
  });
});
