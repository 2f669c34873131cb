/**
 * `-o FILE` of check, probe and proxy: the folder is checked before any work is done, and a write that fails (no
 * folder, no permission, a directory of that name, a full disk) is a usage error naming the file — never an internal
 * error. Only node built-ins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/errors.js';

/** The path on this machine of `-o output` (relative to `cwd`). UsageError when its folder does not exist. */
export function outputPath(output: string, cwd: string): string {
  const file = path.resolve(cwd, output);
  const dir = path.dirname(file);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`-o ${output}: the folder ${dir} does not exist`);
  return file;
}

/** Run `write` (which writes `-o output`); an fs error becomes a UsageError naming the file and the cause. */
export async function writingOutput(output: string, write: () => unknown): Promise<void> {
  try {
    await write();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw e;
    throw new UsageError(`-o ${output}: cannot write (${code}: ${(e as Error).message.replace(/^[A-Z]+: /, '')})`);
  }
}
