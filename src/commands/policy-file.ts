/** `--policy FILE` (apply, and proxy's allow list): read as a small file, parsed and validated with the request schema. */
import { parsePolicyText, validateRequest, type ApplyRequest } from '../apply/request.js';
import { readSmallFile } from '../adapters/small-file.js';

/**
 * The policy file, parsed (a BOM dropped, syntax errors at file:line:column) and validated (UsageError naming the file
 * and the line and column or the field).
 */
export async function readPolicy(file: string, cwd: string): Promise<ApplyRequest> {
  return validateRequest(parsePolicyText(file, readSmallFile(file, cwd, `--policy ${file}`)), { policyFile: file });
}
