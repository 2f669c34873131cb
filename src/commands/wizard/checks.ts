/**
 * The checks behind the wizard's typed answers — the same functions that check `apply`'s flags, so a value the
 * wizard accepts is one `apply` accepts, and the message under the prompt is the one `apply` prints:
 * validateRequest (schema; checkAllowInput: an address DS can match, e.g. no CIDR DS cannot express; the storage URL),
 * parseOccPrefix (--nextcloud-occ), resolveSecret (--secret-file: readable, strong).
 */
import { UsageError } from '../../cli/errors.js';
import { validateRequest } from '../../apply/request.js';
import { resolveSecret } from '../../apply/secret.js';
import { parseOccPrefix } from '../../adapters/integrator/occ.js';
import { readSmallFile } from '../../adapters/small-file.js';
import type { AnswerChecks } from './questions.js';

/** A UsageError's message for the prompt (the flag names stay: they tell what the matching apply flag is). */
async function verdict(fn: () => unknown): Promise<true | string> {
  try {
    await fn();
    return true;
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    if (e instanceof Error) return e.message;
    throw e;
  }
}

/** Checks for the wizard's answers; `cwd` resolves relative secret-file paths as apply does. */
export function answerChecks(cwd: string): AnswerChecks {
  return {
    allow: (list) =>
      verdict(async () => {
        if (list.length === 0) throw new UsageError("give at least one address: the integrator's IP as DS sees it (behind NAT or a Docker network, the address DS's log shows)");
        await validateRequest({ allow: [...list] }, 'flags');
      }),
    storageUrl: (url) => verdict(() => validateRequest({ storageUrl: url }, 'flags')),
    header: (name) => verdict(() => validateRequest({ header: name }, 'flags')),
    occ: (command, integrator) =>
      verdict(async () => {
        await validateRequest({ occ: command, integrator }, 'flags');
        parseOccPrefix(command, integrator === 'owncloud' ? '--owncloud-occ' : '--nextcloud-occ');
      }),
    secretFile: (file) =>
      verdict(async () => {
        // read and judged as the pipeline will (the value stays here; messages never hold it)
        await resolveSecret(await validateRequest({ secretFile: file }, 'flags'), undefined, { readFile: async (f) => readSmallFile(f, cwd, `--secret-file ${f}`), env: {} });
      }),
  };
}
