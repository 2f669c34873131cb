/**
 * Crash-safe file replacement.
 *
 * writeFileAtomic() never leaves a half-written target: the new bytes go to a
 * temp file in the target's own directory, are fsync'd, get the right
 * owner/group/mode, and only then are rename(2)d over the target; finally the
 * directory is fsync'd so the rename itself is durable. A reader (or a crash)
 * sees either the complete old file or the complete new file.
 *
 * Only node built-ins; no environment access.
 */
import { constants as C } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** Steps at which `opts.pause` is awaited (tests use them to kill a child mid-write). */
export type AtomicStep = 'atomic:temp-written' | 'atomic:renamed';

export interface WriteFileAtomicOptions {
  /** Permission bits for the result (& 0o7777). Default: the existing target's, else 0o640. */
  mode?: number;
  /** Owner for the result. Default: the existing target's, else the current user. */
  uid?: number;
  /** Group for the result. Default: the existing target's, else the current group. */
  gid?: number;
  /** Awaited at each named step; a throw aborts the write like any other error. */
  pause?: (step: string) => Promise<void>;
  /**
   * Awaited right before the rename: a throw aborts the write with the target untouched. Compare-and-swap
   * for callers that must not overwrite a change made since they read the file.
   */
  precondition?: () => Promise<void>;
  /**
   * How `p` becomes the file to replace. Default: symlinks followed as the kernel follows them (resolveTarget), which
   * is right for the journal's own files. Under --root pass `confineTo(root)` (rooted-path.ts): symlinks are then
   * followed only inside the root, the way RootedHost reads them, and a path that would leave it is refused
   * (RootEscapeError, nothing written). The resolved path is then used as is: nothing on it is followed again.
   */
  resolve?: (p: string) => string;
}

export interface FileStatInfo {
  /** True when the (symlink-resolved) file exists. */
  exists: boolean;
  data?: Buffer;
  uid?: number;
  gid?: number;
  /** Permission bits only (st_mode & 0o7777). */
  mode?: number;
  /** True when `path` itself is a symbolic link (even a dangling one). */
  isSymlink: boolean;
  /** Absolute, symlink-free path of the file that a write to `path` would replace. */
  realPath?: string;
}

const DEFAULT_MODE = 0o640;
const MAX_SYMLINK_HOPS = 40;
const TEMP_INFIX = '.ds-harden-';
const TEMP_SUFFIX = '.tmp';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code?: unknown }).code)
    : undefined;
}

function currentIds(): { uid: number; gid: number } {
  // process.getuid/getgid are absent on Windows; this tool targets Linux, but stay total.
  return {
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    gid: typeof process.getgid === 'function' ? process.getgid() : 0,
  };
}

/**
 * The absolute, symlink-free path that writing to `p` would replace, and
 * whether `p` itself is a symlink. Works when the final file does not exist
 * (including a dangling symlink: its eventual target is returned, like a
 * shell `>` redirection would create it). The parent directory must exist.
 */
export async function resolveTarget(p: string): Promise<{ target: string; isSymlink: boolean }> {
  let isSymlink = false;
  try {
    isSymlink = (await fs.lstat(p)).isSymbolicLink();
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
  try {
    return { target: await fs.realpath(p), isSymlink };
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
  // Does not exist (or is a dangling link): follow links by hand, canonicalising
  // the directory at each hop so relative links resolve the way the kernel does.
  let cur = path.resolve(p);
  for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
    cur = path.join(await fs.realpath(path.dirname(cur)), path.basename(cur));
    let st;
    try {
      st = await fs.lstat(cur);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { target: cur, isSymlink };
      throw err;
    }
    if (!st.isSymbolicLink()) return { target: cur, isSymlink };
    cur = path.resolve(path.dirname(cur), await fs.readlink(cur));
  }
  const e = new Error(`too many levels of symbolic links resolving ${p}`) as NodeJS.ErrnoException;
  e.code = 'ELOOP';
  throw e;
}

/** Bytes and ownership of `p` (following symlinks), without throwing when it is absent. */
export async function readFileStat(p: string): Promise<FileStatInfo> {
  const { target, isSymlink } = await resolveTarget(p);
  let handle: FileHandle;
  try {
    handle = await fs.open(target, C.O_RDONLY);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { exists: false, isSymlink, realPath: target };
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${p} is not a regular file`);
    const data = await handle.readFile();
    return {
      exists: true,
      data,
      uid: st.uid,
      gid: st.gid,
      mode: st.mode & 0o7777,
      isSymlink,
      realPath: target,
    };
  } finally {
    await handle.close();
  }
}

/** Temp-file name used for `target`: `.<base>.ds-harden-<random>.tmp` in the same directory. */
function tempPathFor(target: string): string {
  const rnd = randomBytes(6).toString('hex');
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_INFIX}${rnd}${TEMP_SUFFIX}`);
}

/**
 * Leftover temp files of `p`'s target (from a run that was killed between
 * creating its temp file and renaming it). Returns their absolute paths.
 */
export async function findStaleTemps(p: string): Promise<string[]> {
  const { target } = await resolveTarget(p);
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}${TEMP_INFIX}`;
  const names = await fs.readdir(dir);
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX) && /^[0-9a-f]+$/.test(n.slice(prefix.length, -TEMP_SUFFIX.length)))
    .map((n) => path.join(dir, n));
}

/** Removes the leftovers findStaleTemps() reports. Only call while holding the ds-harden lock. */
export async function removeStaleTemps(p: string): Promise<string[]> {
  const stale = await findStaleTemps(p);
  for (const t of stale) await fs.rm(t, { force: true });
  return stale;
}

/** fsync a directory so a rename in it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, C.O_RDONLY | C.O_DIRECTORY);
  try {
    await dh.sync();
  } catch (err) {
    // A few filesystems cannot fsync a directory; nothing more can be done there.
    if (errCode(err) !== 'EINVAL' && errCode(err) !== 'ENOTSUP') throw err;
  } finally {
    await dh.close();
  }
}

/**
 * Atomically replace the file at `p` with `data`.
 *
 * - A symlink at `p` is followed; its target is replaced and the link stays a link.
 * - Owner/group/mode: explicit opts win; else copied from the existing target;
 *   else 0o640 and the current user/group.
 * - On any error the temp file is removed and the error rethrown; the target is
 *   then untouched (unless the error came after the rename, i.e. from the
 *   'atomic:renamed' pause or the directory fsync: the new bytes are in place).
 */
export async function writeFileAtomic(
  p: string,
  data: Buffer | string,
  opts: WriteFileAtomicOptions = {},
): Promise<{ target: string }> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  // under a root: resolved inside it, symlink-free; the checks below use lstat, so nothing is followed afterwards
  const { target } = opts.resolve ? { target: opts.resolve(p) } : await resolveTarget(p);
  const dir = path.dirname(target);

  let existing: { uid: number; gid: number; mode: number } | undefined;
  try {
    const st = opts.resolve ? await fs.lstat(target) : await fs.stat(target);
    if (!st.isFile()) throw Object.assign(new Error(`refusing to replace ${target}: not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    existing = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
  const me = currentIds();
  const uid = opts.uid ?? existing?.uid ?? me.uid;
  const gid = opts.gid ?? existing?.gid ?? me.gid;
  const mode = (opts.mode ?? existing?.mode ?? DEFAULT_MODE) & 0o7777;

  const tmp = tempPathFor(target);
  let handle: FileHandle | undefined;
  let renamed = false;
  try {
    handle = await fs.open(tmp, C.O_CREAT | C.O_EXCL | C.O_WRONLY | C.O_NOFOLLOW, 0o600);
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, bytes.length - off, off);
      if (bytesWritten <= 0) throw new Error(`short write to ${tmp}`);
      off += bytesWritten;
    }
    // Owner first: chown(2) may clear set-id bits, so chmod comes after it.
    if (me.uid === 0 || uid !== me.uid || gid !== me.gid) {
      try {
        await handle.chown(uid, gid);
      } catch (err) {
        if (!(errCode(err) === 'EPERM' && uid === me.uid && gid === me.gid)) throw err;
      }
    }
    await handle.chmod(mode);
    // One fsync covering data and metadata, before the rename makes it visible.
    await handle.sync();
    await handle.close();
    handle = undefined;

    await opts.pause?.('atomic:temp-written');
    await opts.precondition?.();
    await fs.rename(tmp, target);
    renamed = true;
    await opts.pause?.('atomic:renamed');
    await fsyncDir(dir);
    return { target };
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    if (!renamed) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
