/**
 * `ds-harden rotate-secret`: a new JWT secret at both ends — DS (every slot) and, with --nextcloud-occ, the
 * integrator — through the same pipeline as apply, with the same rollback guarantee. The integrator's new value is
 * set right after DS restarts, so the window in which the two ends disagree is the restart itself.
 */
import type { Io } from '../cli/io.js';
import { validateRequest, type ApplyRequest } from '../apply/request.js';
import { runApplyPipeline } from '../apply/pipeline.js';
import { formatApplyHeader, formatApplyJson, formatApplyOutcome, formatApplyPlan } from '../formatters/apply.js';
import { pipelineDeps, type ApplyOptions } from './apply.js';

export async function runRotateSecret(o: ApplyOptions, io: Io): Promise<number> {
  // a new secret: generated unless one is given by file or environment variable
  const given = o.flags.secretFile !== undefined || o.flags.secretEnv !== undefined;
  const flags: ApplyRequest = await validateRequest({ ...o.flags, ...(given ? {} : { generateSecret: true, rotate: true }) }, 'flags');
  const style = await io.style(o.noColor || o.json);
  const say = (s: string) => (o.json ? io.err(s) : io.out(s));
  let printedPlan = false;
  const run = await runApplyPipeline(flags, { ...o, command: 'rotate-secret' }, {
    ...pipelineDeps(io, (s) => say(style.dim(s))),
    onPlanned: (planned) => {
      printedPlan = true;
      if (!o.json) say(formatApplyHeader(planned, style) + formatApplyPlan(planned, style));
    },
  });
  const r = run.result;
  if (o.json) io.out(formatApplyJson(r));
  else if (printedPlan) say(formatApplyOutcome(r, style));
  else say(formatApplyHeader(r, style) + formatApplyPlan(r, style));
  return r.exitCode;
}
