/**
 * Bounded reads of regular files: the one way ds-harden reads a file whose path came from a configuration, a service
 * definition or the command line.
 *
 * A FIFO, a character device (/dev/zero, /dev/random), a socket or a directory is never read: opening a FIFO for
 * reading blocks until a writer appears and a device never ends, so `readFileSync` on such a path hangs or grows
 * without bound. The file is opened with O_NONBLOCK (a FIFO opens at once), checked with fstat on the open
 * descriptor (no race between the check and the read), and read up to `maxBytes`; a larger file is refused with its
 * size, never loaded. DS configuration files are a few KB (default.json of 9.3 is ≈ 25 KB).
 *
 * Only node built-ins; no environment access.
 */
import { constants as C } from 'node:fs';
import fs from 'node:fs';
import type { FileStat } from '../core/types.js';

/** Default cap for configuration files, service definitions and secret files: 4 MiB. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export type BoundedRead =
  | { readonly ok: true; readonly data: Buffer; readonly stat: FileStat }
  | {
      readonly ok: false;
      /**
       * ENOENT, EACCES, … (the errno code), or: ENOTREG (not a regular file: FIFO, device, socket), EISDIR
       * (a directory), EFBIG (larger than maxBytes).
       */
      readonly code: string;
      /** One sentence naming the file, what it is and what to do; no stack, no errno prose. */
      readonly message: string;
      readonly stat?: FileStat;
    };

export interface BoundedReadOptions {
  /** Refuse files larger than this many bytes (default MAX_CONFIG_BYTES). */
  readonly maxBytes?: number;
  /** How the file is named in messages (default: `path`), e.g. the host path under --root or "--secret-file x". */
  readonly label?: string;
  /** Refuse a symbolic link as the last component (O_NOFOLLOW), for paths already resolved by the caller. */
  readonly noFollow?: boolean;
  /** Set on the returned stat (the caller resolved a symlink to get `path`). */
  readonly viaSymlink?: boolean;
}

/** "FIFO (named pipe)", "character device", … for a non-regular file. */
function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** "4 MiB", "120.3 MiB (126143488 bytes)", "812 bytes". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [unit, size] = n < 1024 * 1024 ? ['KiB', 1024] : ['MiB', 1024 * 1024];
  return n % size === 0 ? `${n / size} ${unit}` : `${(n / size).toFixed(1)} ${unit} (${n} bytes)`;
}

function errnoMessage(label: string, err: NodeJS.ErrnoException): string {
  const code = err.code ?? 'EIO';
  const text = err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${label}: ${code} ${text}`.trim();
}

/**
 * Read a regular file of at most `maxBytes` bytes (synchronously: callers read a dozen small files).
 *
 * Never throws for file-system conditions: missing, unreadable, not regular, too large → `{ ok: false, code, message }`.
 * `stat` (owner, group, mode, size) is returned whenever the file could be opened or stat'ed.
 */
export function readBoundedFileSync(path: string, opts: BoundedReadOptions = {}): BoundedRead {
  const max = opts.maxBytes ?? MAX_CONFIG_BYTES;
  const label = opts.label ?? path;
  let fd: number;
  try {
    fd = fs.openSync(path, C.O_RDONLY | C.O_NONBLOCK | (opts.noFollow ? C.O_NOFOLLOW : 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ELOOP' && opts.noFollow) {
      return { ok: false, code: 'ELOOP', message: `${label} changed into a symbolic link while ds-harden was reading it; run again` };
    }
    return { ok: false, code: err.code ?? 'EIO', message: errnoMessage(label, err) };
  }
  try {
    const st = fs.fstatSync(fd);
    const stat: FileStat = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, size: st.size, isSymlink: opts.viaSymlink ?? false };
    if (st.isDirectory()) return { ok: false, code: 'EISDIR', message: `${label} is a directory, not a file`, stat };
    if (!st.isFile()) {
      return {
        ok: false,
        code: 'ENOTREG',
        message: `${label} is ${kindOf(st)}, not a regular file: ds-harden reads only regular files (replace it with a regular file)`,
        stat,
      };
    }
    const tooBig = (size: number) => ({
      ok: false as const,
      code: 'EFBIG',
      message:
        `${label} is ${size > max ? formatBytes(size) : `more than ${formatBytes(max)}`}; ds-harden reads at most ${formatBytes(max)} ` +
        '(a DS configuration file is a few KB): check that this is the right file, or shrink it',
      stat,
    });
    if (st.size > max) return tooBig(st.size);
    // read to EOF, but never more than max + 1 bytes (the file may grow while it is read)
    let buf = Buffer.alloc(Math.min(max + 1, st.size + 1));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len > max) return tooBig(len);
        const bigger = Buffer.alloc(Math.min(max + 1, Math.max(4096, buf.length * 2)));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    if (len > max) return tooBig(len);
    return { ok: true, data: buf.subarray(0, len), stat };
  } catch (e) {
    return { ok: false, code: (e as NodeJS.ErrnoException).code ?? 'EIO', message: errnoMessage(label, e as NodeJS.ErrnoException) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * {@link readBoundedFileSync} as a promise, for commands (`--secret-file FILE`, `--policy FILE`): the same checks,
 * the same result. `path` is a path on this machine (resolve it against the working directory first).
 */
export async function readBoundedFile(path: string, opts: BoundedReadOptions = {}): Promise<BoundedRead> {
  return readBoundedFileSync(path, opts);
}
