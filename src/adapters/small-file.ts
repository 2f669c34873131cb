/**
 * Read a small file a user names on the command line (--secret-file, --policy): only a regular file, only up to
 * `maxBytes` (bounded-read.ts does the reading). A FIFO, /dev/zero, a directory or a huge file is refused with a clear
 * message instead of hanging or filling memory.
 */
import path from 'node:path';
import { UsageError } from '../cli/errors.js';
import { readBoundedFileSync } from './bounded-read.js';

/** 64 KiB: a secret is < 1 kB and a policy a few kB. */
export const SMALL_FILE_MAX = 64 * 1024;

/** UTF-8 text of `file` (resolved against `cwd`). Throws UsageError naming `what` (e.g. "--secret-file x"). */
export function readSmallFile(file: string, cwd: string, what: string, maxBytes = SMALL_FILE_MAX): string {
  const r = readBoundedFileSync(path.resolve(cwd, file), { maxBytes, label: what });
  if (!r.ok) throw new UsageError(r.code === 'ENOENT' ? `${what}: ENOENT (no such file)` : r.message);
  return r.data.toString('utf8');
}
