/**
 * `-o FILE` of check, probe and proxy: one rule for all. The folder must exist (checked before any work, so a long
 * probe is not run for nothing; exit 2 naming the folder), and the file is replaced atomically (adapters/atomic-write:
 * a reader never sees half a report, and a failed write leaves the old file as it was).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/errors.js';

/** Throws UsageError when the folder `-o FILE` would be written in does not exist. */
export function checkOutputFolder(output: string, cwd: string): void {
  const dir = path.dirname(path.resolve(cwd, output));
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`-o ${output}: the folder ${dir} does not exist`);
}

/**
 * Write `text` to `-o FILE` atomically. `mode`: permission bits of a new file (an existing file keeps its own unless
 * given); 0o600 is right for output that may hold secrets (--show-secrets). Throws UsageError when it cannot write.
 */
export async function writeOutput(output: string, cwd: string, text: string, mode?: number): Promise<void> {
  checkOutputFolder(output, cwd);
  // loaded only when writing: atomic-write needs node:crypto, which check without -o never loads (start-up cost)
  const { writeFileAtomic } = await import('../adapters/atomic-write.js');
  try {
    await writeFileAtomic(path.resolve(cwd, output), text, mode !== undefined ? { mode } : {});
  } catch (e) {
    // an fs error (no permission, a directory of that name, a full disk) names the file and the cause; others are bugs
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw e;
    throw new UsageError(`-o ${output}: cannot write (${code}: ${(e as Error).message.replace(/^[A-Z]+: /, '')})`);
  }
}
