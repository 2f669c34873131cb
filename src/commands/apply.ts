/**
 * `ds-harden apply`: flags and --policy → one validated request → the apply pipeline (src/apply/pipeline.ts) →
 * the result, formatted. Thin: everything the change decides lives in the pipeline, shared with the wizard and
 * rotate-secret.
 */
import fs from 'node:fs';
import type { Io } from '../cli/io.js';
import { mergeRequests, parsePolicyText, validateRequest, type ApplyRequest } from '../apply/request.js';
import { runApplyPipeline, type ApplyRunOptions, type ApplyRunDeps } from '../apply/pipeline.js';
import { formatApplyHeader, formatApplyJson, formatApplyOutcome, formatApplyPlan } from '../formatters/apply.js';
import { readSmallFile } from '../adapters/small-file.js';
import { connectServices, makeHealth } from './services.js';

export interface ApplyOptions extends Omit<ApplyRunOptions, 'command'> {
  /** The flags, in the policy's shape (undefined = not given). */
  readonly flags: ApplyRequest;
  readonly policy?: string;
  readonly json: boolean;
  readonly noColor: boolean;
}

/** The policy file, parsed and validated (UsageError naming the file, and the line and column or the field). */
export async function readPolicy(file: string, cwd: string): Promise<ApplyRequest> {
  return validateRequest(parsePolicyText(file, readSmallFile(file, cwd, `--policy ${file}`)), { policyFile: file });
}

/** The pipeline's side effects as this process provides them. */
export function pipelineDeps(io: Io, say: (s: string) => void): ApplyRunDeps {
  return {
    cwd: io.cwd,
    env: io.env,
    progress: (l) => say(`${l}\n`),
    alert: (l) => io.err(`\n${l}\n`),
    onInterrupt: io.onInterrupt,
    connectServices: (o, env) => connectServices(o, env, (l) => say(`${l}\n`)),
    makeHealth,
    readSmallFile: async (f) => readSmallFile(f, io.cwd, `--secret-file ${f}`),
    ...(testPause(io) ? { pause: testPause(io)! } : {}),
  };
}

export async function runApply(o: ApplyOptions, io: Io): Promise<number> {
  const flags = await validateRequest(o.flags, 'flags');
  const req = o.policy ? mergeRequests(await readPolicy(o.policy, io.cwd), flags) : flags;
  return runPipelineCommand(req, o, 'apply', io);
}

/**
 * Run the pipeline for a validated request and print as the CLI does: the plan before anything is restarted, then
 * the outcome (or the whole result as JSON on stdout, progress on stderr). Returns the exit code.
 */
export async function runPipelineCommand(req: ApplyRequest, o: Omit<ApplyOptions, 'flags'>, command: 'apply' | 'rotate-secret', io: Io): Promise<number> {
  const style = await io.style(o.noColor || o.json);
  // with --json, stdout carries only the result; progress goes to stderr
  const say = (s: string) => (o.json ? io.err(s) : io.out(s));
  let printedPlan = false;
  const run = await runApplyPipeline(req, { ...o, command }, {
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

/**
 * DS_HARDEN_TEST_PAUSE_AT=<step>: write the marker file DS_HARDEN_TEST_PAUSE_FILE at that step, then wait — until
 * the file DS_HARDEN_TEST_RESUME_FILE exists when that is set (race tests), else forever (crash tests: SIGKILL).
 */
function testPause(io: Io): ((step: string) => Promise<void>) | undefined {
  const at = io.env.DS_HARDEN_TEST_PAUSE_AT;
  const marker = io.env.DS_HARDEN_TEST_PAUSE_FILE;
  const resume = io.env.DS_HARDEN_TEST_RESUME_FILE;
  if (!at || !marker) return undefined;
  return async (step) => {
    if (step !== at) return;
    fs.writeFileSync(marker, step);
    // a pending promise alone does not keep node alive: a timer does
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (resume && fs.existsSync(resume)) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
  };
}
