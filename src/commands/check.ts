/** `ds-harden check`: discover → load → resolve → evaluate → report. Read-only. */
import fs from 'node:fs';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { gatherHostFacts } from '../adapters/host-facts.js';
import { loadTarget, type TargetOptions } from './target.js';
import { evaluate, makeContext, ruleMeta } from '../core/evaluate.js';
import { liveRules, rules } from '../core/rules/index.js';
import type { LiveObservations } from '../core/probe/judge.js';
import type { LiveOptions } from './probe.js';
import { scrubText } from '../core/redact.js';
import { failed, summarizeDeployment, type Report } from '../core/report.js';
import type { Severity } from '../core/types.js';
import { TOOL_VERSION } from '../version.js';
import { nextStep } from '../core/next-step.js';
import { getPath } from '../core/layers/merge.js';
import { explain } from './explain.js';
import { formatJson } from '../formatters/json.js';
import { formatText } from '../formatters/text.js';

export interface CheckOptions extends TargetOptions {
  readonly root: string;
  readonly configDir?: string;
  readonly dsVersion?: string;
  readonly hostname?: string;
  readonly format: 'text' | 'json' | 'sarif';
  readonly failOn: Severity;
  readonly explain?: string;
  readonly showSecrets: boolean;
  readonly noColor: boolean;
  readonly output?: string;
  readonly supervisorConf?: string;
  /** `--url`: probe the running server too (commands/probe.ts) and report both */
  readonly live?: LiveOptions;
}

export async function runCheck(opts: CheckOptions, io: Io): Promise<number> {
  if (opts.explain !== undefined && !/^[^.\s][^\s]*$/.test(opts.explain)) {
    throw new UsageError(`--explain ${JSON.stringify(opts.explain)}: give a dotted key such as services.CoAuthoring.token.enable.browser`);
  }
  if (opts.output !== undefined) {
    const dir = path.dirname(path.resolve(io.cwd, opts.output));
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`-o ${opts.output}: the folder ${dir} does not exist`);
  }
  const { loaded, host } = await loadTarget(opts, io.cwd);
  const style = await io.style(opts.noColor || opts.format !== 'text' || Boolean(opts.output));

  if (opts.explain) {
    io.out(explain(loaded, opts.explain, opts.showSecrets, style).text);
    return EXIT.OK;
  }

  const facts = await gatherHostFacts(host, loaded);
  let live: LiveObservations | undefined;
  let secret: string | undefined;
  if (opts.live) {
    const { liveProbe } = await import('./probe.js');
    ({ live, secret } = await liveProbe(opts.live, io, loaded, facts.secretFiles));
  }
  const evaluated = live ? [...rules, ...liveRules] : rules;
  const ctx = makeContext(loaded, facts, live);
  const findings = evaluate(evaluated, ctx);
  const ruleMetas = evaluated.map((r) => ruleMeta(r, facts.deployment));
  const next = nextStep({
    findings,
    rules: ruleMetas,
    get: (key) => getPath(loaded.effective.value, key),
    originFile: (key) => ctx.originLayer(key)?.file,
    options: { root: host.root, ...pick(opts, ['configDir', 'dsVersion', 'hostname', 'supervisorConf', 'compose', 'composeService', 'dockerInspect', 'container']) },
    ...(composeFiles(loaded.deployment) ? { alsoInReach: (file: string) => composeFiles(loaded.deployment)!.has(file) } : {}),
  });
  const report: Report = {
    tool: { name: 'ds-harden', version: TOOL_VERSION },
    configDir: loaded.configDir,
    root: host.root,
    dsVersion: loaded.version,
    layers: loaded.layers.map((l) => ({ file: l.file, kind: l.kind, status: l.status, atStartup: l.atStartup })),
    findings,
    failOn: opts.failOn,
    ...(live ? { probe: live } : {}),
    rules: ruleMetas,
    ...(next ? { nextStep: next } : {}),
    deployment: summarizeDeployment(loaded.deployment, opts.showSecrets),
  };
  let text: string;
  if (opts.format === 'json') text = formatJson(report, { showSecrets: opts.showSecrets });
  // SARIF's fingerprints need node:crypto, which costs a few ms to load: only for --format sarif
  else if (opts.format === 'sarif') text = (await import('../formatters/sarif.js')).formatSarif(report, { showSecrets: opts.showSecrets });
  else text = formatText(report, { style });
  if (secret && !opts.showSecrets) text = scrubText(text, [secret]);
  if (opts.output) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, opts.output), text);
    } catch (e) {
      throw new UsageError(`-o ${opts.output}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    io.err(`report written to ${opts.output}\n`);
  } else io.out(text);
  return failed(report) ? EXIT.FINDINGS : EXIT.OK;
}

/** The files apply edits on a Docker Compose deployment (compose file, env files, .env, the mounted local-production-linux.json). */
function composeFiles(dep: import('../core/deploy/types.js').Deployment): Set<string> | undefined {
  const c = dep.kind === 'compose' ? dep.container : undefined;
  if (!c?.compose) return undefined;
  return new Set([...c.compose.files, ...c.compose.envFiles, ...(c.compose.dotEnv ? [c.compose.dotEnv] : []), ...c.mounts.map((m) => m.source)]);
}

/** The options among `keys` that the user gave (check carries them into the apply command it suggests). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
