/** `--policy FILE` (apply, and proxy's allow list): read as a small file, parsed and validated with the request schema. */
import { UsageError } from '../cli/errors.js';
import { validateRequest, type ApplyRequest } from '../apply/request.js';
import { readSmallFile } from '../adapters/small-file.js';

/** The policy file, parsed and validated (UsageError naming the file and field). */
export async function readPolicy(file: string, cwd: string): Promise<ApplyRequest> {
  const text = readSmallFile(file, cwd, `--policy ${file}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--policy ${file}: not valid JSON (${(e as Error).message})`);
  }
  return validateRequest(v, { policyFile: file });
}
