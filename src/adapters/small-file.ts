/**
 * Read a small file a user names on the command line (--secret-file, --policy): only a regular file, only up to
 * `maxBytes`. A FIFO, /dev/zero, a directory or a huge file is refused with a clear message instead of hanging
 * or filling memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/errors.js';

/** 64 KiB: a secret is < 1 kB and a policy a few kB. */
export const SMALL_FILE_MAX = 64 * 1024;

/** UTF-8 text of `file` (resolved against `cwd`). Throws UsageError naming `what` (e.g. "--secret-file x"). */
export function readSmallFile(file: string, cwd: string, what: string, maxBytes = SMALL_FILE_MAX): string {
  const p = path.resolve(cwd, file);
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below refuses it.
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${what}: not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a device' : 'a special file'})`);
    if (st.size > maxBytes) throw new UsageError(`${what}: ${st.size} bytes is too large (at most ${maxBytes})`);
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) throw new UsageError(`${what}: larger than ${maxBytes} bytes`);
    }
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
