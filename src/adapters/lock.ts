/**
 * Single-run lock for commands that change files.
 *
 * The lock file holds JSON {pid, startedAt, command}. It is created
 * exclusively: the JSON is written to a private temp file (O_CREAT|O_EXCL),
 * fsync'd, and then link(2)ed to the lock path. link() fails with EEXIST when
 * the lock exists, exactly like O_EXCL, but other processes can never observe
 * a created-but-still-empty lock file.
 *
 * A lock whose holder is gone (pid not alive, or taken during an earlier
 * boot, or "our own" pid left by an earlier process in a recycled pid
 * namespace) is taken over; the returned Lock then carries `staleFrom` so the
 * caller can say "a previous run (pid N) died; checking the journal".
 */
import { constants as C, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

export interface LockInfo {
  pid: number;
  /** ISO 8601 time the holder took the lock. */
  startedAt: string;
  command: string;
  /**
   * Linux boot id when the lock was taken (/proc/sys/kernel/random/boot_id).
   * A lock from an earlier boot is stale even if its pid now belongs to some
   * other process. Absent where the boot id cannot be read.
   */
  bootId?: string;
}

export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** Set when the lock was taken over from a holder that had died. */
  readonly staleFrom?: LockInfo;
  /** Remove the lock file if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

export class LockBusyError extends Error {
  readonly holder: LockInfo;
  readonly lockPath: string;
  constructor(lockPath: string, holder: LockInfo) {
    super(
      `another ds-harden run is in progress: pid ${holder.pid} ("${holder.command}") has held ${lockPath} ` +
        `since ${holder.startedAt}. Wait for it to finish; if that process is not ds-harden, remove ${lockPath}.`,
    );
    this.name = 'LockBusyError';
    this.holder = holder;
    this.lockPath = lockPath;
  }
}

/** The lock file exists but does not contain a readable holder; a person has to look at it. */
export class LockCorruptError extends Error {
  readonly lockPath: string;
  constructor(lockPath: string, reason: string) {
    super(
      `lock file ${lockPath} is unreadable (${reason}). ` +
        `Make sure no other ds-harden run is active, then remove it.`,
    );
    this.name = 'LockCorruptError';
    this.lockPath = lockPath;
  }
}

/**
 * The lock path cannot be used at all — it is a directory, its directory cannot be written, the file system is
 * read-only — so no run can take the lock until a person fixes that. The message names the path and what to do.
 */
export class LockPathError extends Error {
  readonly lockPath: string;
  readonly code: string;
  constructor(lockPath: string, code: string, what: string) {
    super(`cannot use the lock file ${lockPath}: ${what}`);
    this.name = 'LockPathError';
    this.lockPath = lockPath;
    this.code = code;
  }
}

/** An fs error at the lock path as a LockPathError, with what to do; LockBusyError/LockCorruptError pass through. */
function lockPathError(lockPath: string, err: unknown): unknown {
  if (err instanceof LockBusyError || err instanceof LockCorruptError || err instanceof LockPathError) return err;
  const code = errCode(err);
  if (code === undefined) return err;
  const dir = path.dirname(lockPath);
  const what: Record<string, string> = {
    EISDIR: `it is a directory, not a file. If no ds-harden run is active, remove it (rmdir ${lockPath}), or pass --state-dir DIR`,
    ENOTDIR: `${dir} is not a directory. Pass --state-dir DIR (a directory ds-harden may create)`,
    EACCES: `permission denied in ${dir}. Run as root, or pass --state-dir DIR (a directory you can write)`,
    EPERM: `permission denied in ${dir}. Run as root, or pass --state-dir DIR (a directory you can write)`,
    EROFS: `${dir} is on a read-only file system. Pass --state-dir DIR on a writable one`,
    ENOSPC: `no space left on the device of ${dir}. Free some space, or pass --state-dir DIR elsewhere`,
    ELOOP: `it is a symbolic link. If no ds-harden run is active, remove it (rm ${lockPath})`,
  };
  return new LockPathError(lockPath, code, what[code] ?? `${code} (${(err as Error).message}). Fix the path, or pass --state-dir DIR`);
}

/** Lock paths this process holds (guards against treating our own live lock as stale). */
const heldHere = new Set<string>();

/** How long to keep trying while other runs are taking over a stale lock. */
const TAKEOVER_WAIT_MS = 5_000;
/** A take-over break file older than this belongs to a run that died during the take-over. */
const BREAK_STALE_MS = 10_000;

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code?: unknown }).code)
    : undefined;
}

function parseInfo(text: string): LockInfo | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text.length === 0 ? 'empty file' : 'not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o['pid'] !== 'number' || !Number.isInteger(o['pid']) || o['pid'] <= 0) return 'no valid pid';
  if (typeof o['startedAt'] !== 'string') return 'no startedAt';
  if (typeof o['command'] !== 'string') return 'no command';
  const info: LockInfo = { pid: o['pid'], startedAt: o['startedAt'], command: o['command'] };
  if (typeof o['bootId'] === 'string') info.bootId = o['bootId'];
  return info;
}

/** Whether a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

/** Why the holder is known to be gone, or undefined when it may still be running. */
function deadReason(lockPath: string, holder: LockInfo): string | undefined {
  if (holder.pid === process.pid) {
    // Our pid, but not a lock we took: an earlier process that had the same pid.
    return heldHere.has(lockPath) ? undefined : 'same pid as this process';
  }
  // Compared by boot id, not by clock: wall-clock time can jump around at boot.
  const boot = currentBootId();
  if (holder.bootId !== undefined && boot !== undefined && holder.bootId !== boot) return 'taken before the last reboot';
  if (!isPidAlive(holder.pid)) return 'process no longer exists';
  return undefined;
}

let bootIdCache: string | null | undefined;

/** Linux boot id (changes at every boot; the host's inside a container), or undefined elsewhere. */
function currentBootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache ?? undefined;
}

async function readLock(lockPath: string): Promise<{ text: string } | undefined> {
  try {
    return { text: await fs.readFile(lockPath, 'utf8') };
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** link(2) the fully written temp file to the lock path; false when the lock already exists. */
async function tryLink(tmp: string, lockPath: string): Promise<boolean> {
  try {
    await fs.link(tmp, lockPath);
    return true;
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, C.O_RDONLY | C.O_DIRECTORY);
  try {
    await dh.sync();
  } catch (err) {
    if (errCode(err) !== 'EINVAL' && errCode(err) !== 'ENOTSUP') throw err;
  } finally {
    await dh.close();
  }
}

/** Create `p` exclusively (O_CREAT|O_EXCL) with `text`, fsync'd; false when it already exists. */
async function createExclusive(p: string, text: string, mode: number): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(p, C.O_CREAT | C.O_EXCL | C.O_WRONLY | C.O_NOFOLLOW, mode);
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(text, 'utf8');
    await fh.chmod(mode); // exact mode regardless of umask
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Take the lock at `lockPath`, or throw LockBusyError naming the live holder, LockCorruptError for a lock file
 * without a readable holder, LockPathError when the path cannot hold a lock file at all (a directory, EACCES, EROFS).
 * A dead holder's lock is taken over and reported as `staleFrom`.
 *
 * Take-over protocol (several runs may find the same stale lock at once):
 * whoever creates the break file `.<name>.break-<hash of the stale content>`
 * exclusively is the only one allowed to replace that particular stale lock.
 * It re-reads the lock, and only if it is still byte-identical to what was
 * judged stale it rename(2)s its own lock file over it — an atomic replace, so
 * the lock path is never momentarily absent and no other run can slip in.
 * The others wait for the break file to go away and then see a live holder.
 */
export async function acquireLock(lockPath: string, info: { command: string }): Promise<Lock> {
  try {
    return await takeLock(lockPath, info);
  } catch (e) {
    throw lockPathError(path.resolve(lockPath), e);
  }
}

async function takeLock(lockPath: string, info: { command: string }): Promise<Lock> {
  const abs = path.resolve(lockPath);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });

  const bootId = currentBootId();
  const mine: LockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command: info.command,
    ...(bootId ? { bootId } : {}),
  };
  const text = `${JSON.stringify(mine)}\n`;
  const tmp = path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

  // 0644: readable, so a non-root `status` can say who holds the lock.
  if (!(await createExclusive(tmp, text, 0o644))) throw new Error(`temp file ${tmp} already exists`);
  try {

    const deadline = Date.now() + TAKEOVER_WAIT_MS;
    while (Date.now() < deadline) {
      if (await tryLink(tmp, abs)) {
        // Mark it before any further await, so a concurrent acquire in this
        // process sees a live holder rather than "an earlier process with our pid".
        heldHere.add(abs);
        return await finishAcquire(abs, dir, mine, text, undefined);
      }
      const cur = await readLock(abs);
      if (!cur) continue; // released meanwhile: try again
      const holder = parseInfo(cur.text);
      if (typeof holder === 'string') throw new LockCorruptError(abs, holder);
      if (deadReason(abs, holder) === undefined) throw new LockBusyError(abs, holder);

      const brk = path.join(dir, `.${base}.break-${createHash('sha256').update(cur.text).digest('hex').slice(0, 16)}`);
      if (!(await createExclusive(brk, `${process.pid}\n`, 0o600))) {
        // Another run is taking this stale lock over. A break file that stays
        // around is from a run that died mid-take-over.
        const st = await fs.stat(brk).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs > BREAK_STALE_MS) await fs.rm(brk, { force: true });
        else await sleep(10 + Math.floor(Math.random() * 20));
        continue;
      }
      try {
        const again = await readLock(abs);
        if (again?.text === cur.text) {
          await fs.rename(tmp, abs); // atomic replace of the stale lock
          heldHere.add(abs);
          return await finishAcquire(abs, dir, mine, text, holder);
        }
      } finally {
        await fs.rm(brk, { force: true });
      }
    }
    const last = await readLock(abs);
    const holder = last ? parseInfo(last.text) : undefined;
    if (holder && typeof holder !== 'string' && deadReason(abs, holder) === undefined) {
      throw new LockBusyError(abs, holder);
    }
    throw new Error(`could not take lock ${abs} within ${TAKEOVER_WAIT_MS} ms (another ds-harden run starting?)`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function finishAcquire(
  abs: string,
  dir: string,
  mine: LockInfo,
  text: string,
  staleFrom: LockInfo | undefined,
): Promise<Lock> {
  try {
    await fsyncDir(dir);
  } catch (err) {
    heldHere.delete(abs);
    await fs.rm(abs, { force: true });
    throw err;
  }
  return makeLock(abs, mine, text, staleFrom);
}

function makeLock(lockPath: string, info: LockInfo, text: string, staleFrom: LockInfo | undefined): Lock {
  let released = false;
  const lock: Lock = {
    path: lockPath,
    info,
    ...(staleFrom ? { staleFrom } : {}),
    async release(): Promise<void> {
      if (released) return;
      released = true;
      heldHere.delete(lockPath);
      const cur = await readLock(lockPath);
      if (!cur || cur.text !== text) return; // not ours any more: leave it alone
      await fs.rm(lockPath, { force: true });
    },
  };
  return lock;
}
