/**
 * The DS host's file system seen through --root: every host path (/etc/…) is read below `root`. Every symbolic link
 * on the way — in the file name or in any directory above it — is resolved inside the root (an absolute target starts
 * again at the root, `..` stops there; see rooted-path.ts), so a copied tree behaves like the real one and nothing is
 * ever read or written outside it.
 *
 * Files are read only when they are regular files of at most a few MiB (bounded-read.ts): a FIFO, /dev/zero, a
 * directory or a huge file named as local.json, a layer, a service definition or a secret file gives a result with a
 * clear message, never a hang or an unbounded read.
 *
 * Reads are synchronous inside the async interface: a CLI that reads a dozen small files gains nothing from the
 * thread pool and loses a round trip per file (measured: ~15 ms of idle time at start-up).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReadonlyHost, ReadOptions, ReadResult } from '../core/layers/load.js';
import { MAX_CONFIG_BYTES, readBoundedFileSync } from './bounded-read.js';
import { resolveForWrite, resolveInRoot, type RootedPath } from './rooted-path.js';

export { RootEscapeError, confineTo, type RootedPath } from './rooted-path.js';

export interface RootedHost extends ReadonlyHost {
  /** Absolute path of the root on this machine. */
  readonly root: string;
  /**
   * The path on this machine to WRITE (or create) the host path `hostPath` at: every symlink resolved inside the root
   * the same way reads resolve it, so the file written is the file `check` read. `local` contains no symbolic link up
   * to its last existing component, so the atomic write, the journal's backup and a rollback all act on it without
   * following anything.
   * Throws RootEscapeError (a UserError, exit 4 "refused") when the result would leave the root, or on a link loop.
   */
  writePath(hostPath: string): RootedPath;
  /** Same as `writePath(hostPath).local` (kept for existing callers: state dir, transaction target). */
  local(hostPath: string): string;
}

export function rootedHost(root: string): RootedHost {
  const abs = path.resolve(root);
  const writePath = (hostPath: string) => resolveForWrite(abs, hostPath);

  async function read(hostPath: string, opts?: ReadOptions): Promise<ReadResult> {
    let resolved: RootedPath;
    try {
      resolved = resolveInRoot(abs, hostPath);
    } catch (e) {
      return { ok: false, code: 'ELOOP', message: (e as Error).message };
    }
    // the resolved path holds no link: O_NOFOLLOW makes a link swapped in meanwhile fail instead of being followed
    const r = readBoundedFileSync(resolved.local, {
      label: hostPath,
      noFollow: true,
      viaSymlink: resolved.viaSymlink,
      maxBytes: opts?.maxBytes ?? MAX_CONFIG_BYTES,
    });
    if (!r.ok) {
      // a name that is a symbolic link to nothing: say where it points (DS skips such a file; apply must not create it)
      const linkTarget = r.code === 'ENOENT' && resolved.viaSymlink ? resolved.hostPath : undefined;
      return { ok: false, code: r.code, message: r.message, ...(r.stat ? { stat: r.stat } : {}), ...(linkTarget ? { linkTarget } : {}) };
    }
    return { ok: true, text: r.data.toString('utf8'), stat: r.stat };
  }

  return {
    root: abs,
    writePath,
    local: (hostPath) => writePath(hostPath).local,
    read,
    async list(hostDir) {
      try {
        return fs.readdirSync(resolveInRoot(abs, hostDir).local);
      } catch {
        return undefined;
      }
    },
    async hostname() {
      if (abs === '/') return os.hostname();
      const r = await read('/etc/hostname', { maxBytes: 4096 });
      return r.ok ? r.text.trim() || undefined : undefined;
    },
  };
}
