/**
 * `ds-harden wizard`: the first-install front end of the one apply pipeline (src/apply/pipeline.ts).
 *
 *   terminal? → detect (effective configuration + host facts) → questions (pre-filled) → answers as one validated
 *   ApplyRequest → preview = the pipeline's dry run, printed by apply's formatter → confirm → the same pipeline for
 *   real (refusing if local.json changed since the preview) → apply's formatter → the equivalent `ds-harden apply …`.
 *
 * Exit codes: apply's (0 nothing to change, 10 changed, 4 refused, 20 rolled back, 21 rollback failed), 2 without a
 * terminal or for a usage error, 130 when the admin leaves at a question (nothing written). Declining the plan
 * writes nothing and exits 0. After the admin confirmed, an interrupt is the transaction's: roll back, exit 20.
 */
import type { Io } from '../../cli/io.js';
import { UsageError } from '../../cli/errors.js';
import { EXIT } from '../../cli/exit-codes.js';
import { validateRequest, type ApplyRequest } from '../../apply/request.js';
import { runApplyPipeline, type ApplyRunOptions } from '../../apply/pipeline.js';
import { formatApplyHeader, formatApplyOutcome, formatApplyPlan } from '../../formatters/apply.js';
import type { Style } from '../../formatters/style.js';
import { pipelineDeps } from '../apply.js';
import { detectSetup, type Detected } from './detect.js';
import { askAnswers, type Answers } from './questions.js';
import { answerChecks } from './checks.js';
import { equivalentCommand, policyOf, type RunTargetOptions } from './answers.js';

export interface WizardOptions extends RunTargetOptions {
  readonly showSecrets: boolean;
  readonly noColor: boolean;
}

/** What a run without a terminal prints (exit 2): the flags that make the same change without questions. */
export const NOT_A_TERMINAL =
  'ds-harden wizard asks questions and needs a terminal on stdin and stdout. Without one, make the same change with apply\'s flags:\n' +
  '  ds-harden apply --allow ADDRESS [--allow …] --generate-secret --header Authorization|AuthorizationJwt\n' +
  '                  [--integrator nextcloud|owncloud|seafile|other] [--nextcloud-occ "COMMAND"] [--storage-url URL]\n' +
  '                  [--useforrequest --behind-proxy] [--secret-file FILE] --dry-run\n' +
  '(ds-harden apply --help lists them all; drop --dry-run to apply)\n';

/** The summary printed before the first question. */
export function introText(d: Detected, style: Style): string {
  const secret =
    d.secret.state === 'strong'
      ? `strong (${d.secret.length} characters)`
      : d.secret.state === 'weak'
        ? `weak — ${d.secret.reason} (${d.secret.ruleId})`
        : d.secret.state === 'differ'
          ? 'inbox, outbox and session differ'
          : 'none';
  const ipfilter = d.allow.length ? `allows ${d.allow.join(', ')}${d.allowsEveryone ? '' : ' and loopback, denies the rest'}` : d.allowsEveryone ? 'allows every address' : 'allows loopback only';
  return (
    style.bold('ds-harden wizard') +
    ' — JWT and ipfilter for this ONLYOFFICE Document Server, step by step.\n' +
    'Nothing is written before you confirm the plan; Ctrl-C at any question quits without changing anything.\n\n' +
    `Found DS ${d.dsVersion} in ${d.configDir}, ${d.deployment.label}.\n` +
    `  JWT secret:    ${secret}\n` +
    `  JWT header:    ${d.header}\n` +
    `  ipfilter:      ${ipfilter}\n` +
    `  useforrequest: ${d.useforrequest ? 'on' : 'off'}\n\n` +
    (d.blockers.length
      ? style.red('DS will not start with this configuration; the plan will be refused until it is fixed (ds-harden check shows where):\n') +
        d.blockers.map((b) => `  ${b}\n`).join('') +
        '\n'
      : '')
  );
}

/** Refusals that other answers can avoid (an address DS cannot match, rules that block the storage URL, …). */
const ANSWERABLE: ReadonlySet<string> = new Set(['bad-address', 'storage-blocked', 'introduces-critical']);

function runOptions(o: WizardOptions, dryRun: boolean, expectBeforeSha256?: string | null): ApplyRunOptions {
  return {
    ...o,
    command: 'wizard',
    dryRun,
    testAddresses: [],
    ...(expectBeforeSha256 !== undefined ? { expectBeforeSha256 } : {}),
  };
}

export async function runWizard(o: WizardOptions, io: Io): Promise<number> {
  if (!io.stdinIsTTY || !io.stdoutIsTTY) {
    io.err(NOT_A_TERMINAL);
    return EXIT.USAGE;
  }
  const style = await io.style(o.noColor);
  const say = (s: string) => io.out(s);
  const detected = await detectSetup(o, io.cwd);
  say(introText(detected, style));
  const prompter = await io.prompter();
  const checks = answerChecks(io.cwd);
  const deps = pipelineDeps(io, (s) => say(style.dim(s)));

  // ---- questions → preview, again with the answers pre-filled while the preview is refused ----
  let answers: Answers | undefined;
  let req: ApplyRequest;
  let beforeSha256: string | null | undefined;
  for (;;) {
    answers = await askAnswers(prompter, detected, checks, say, answers);
    try {
      req = await validateRequest(policyOf(answers, detected), 'flags');
    } catch (e) {
      // each answer was checked alone; together they can still contradict (a host name with useforrequest)
      if (!(e instanceof UsageError)) throw e;
      say(style.red('These answers do not fit together — nothing was changed:\n') + `  - ${e.message}\n`);
      if (await prompter.confirm({ message: 'Change your answers and try again?', default: true })) continue;
      return EXIT.USAGE;
    }
    say('\n' + style.bold('The plan (what `ds-harden apply --dry-run` shows for these answers):') + '\n');
    const preview = await runApplyPipeline(req, runOptions(o, true), deps);
    const r = preview.result;
    say(formatApplyHeader(r, style) + formatApplyPlan(r, style));
    if (r.outcome === 'refused') {
      if (r.refusals.some((x) => ANSWERABLE.has(x.code)) && (await prompter.confirm({ message: 'Change your answers and try again?', default: true }))) continue;
      return r.exitCode;
    }
    if (r.outcome === 'no-change') {
      say(commandText(req, o, style));
      return r.exitCode;
    }
    beforeSha256 = preview.beforeSha256;
    break;
  }

  if (!(await prompter.confirm({ message: 'Apply this plan now?', default: false }))) {
    say('Nothing was changed.\n' + commandText(req, o, style));
    return EXIT.OK;
  }

  // ---- the same pipeline for real; it refuses if local.json changed since the preview ----
  let planned = false;
  const run = await runApplyPipeline(req, runOptions(o, false, beforeSha256 ?? null), { ...deps, onPlanned: () => (planned = true) });
  const r = run.result;
  say(planned ? formatApplyOutcome(r, style) : formatApplyHeader(r, style) + formatApplyPlan(r, style));
  say(commandText(req, o, style));
  return r.exitCode;
}

/** The closing lines: the same change as one command, for scripts. */
function commandText(req: ApplyRequest, o: WizardOptions, style: Style): string {
  let out = '\n' + style.bold('The same change without questions (for scripts and automation):') + '\n  ' + equivalentCommand(req, o) + '\n';
  if (req.rotate) out += style.dim('  (--rotate makes a new secret every time; leave it out to keep the secret from now on)\n');
  if (req.secretFile !== undefined) out += style.dim('  (the secret stays in that file; it is never part of a command line)\n');
  return out;
}
