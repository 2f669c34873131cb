/**
 * `ds-harden rotate-secret`: a new JWT secret at both ends — DS (every slot) and, with --nextcloud-occ, the
 * integrator — through the same pipeline as apply, with the same rollback guarantee. The integrator's new value is
 * set right after DS restarts, so the window in which the two ends disagree is the restart itself.
 */
import type { Io } from '../cli/io.js';
import { validateRequest } from '../apply/request.js';
import { runPipelineCommand, type ApplyOptions } from './apply.js';

export async function runRotateSecret(o: ApplyOptions, io: Io): Promise<number> {
  // a new secret: generated unless one is given by file or environment variable
  const given = o.flags.secretFile !== undefined || o.flags.secretEnv !== undefined;
  const req = await validateRequest({ ...o.flags, ...(given ? {} : { generateSecret: true, rotate: true }) }, 'flags');
  return runPipelineCommand(req, o, 'rotate-secret', io);
}
