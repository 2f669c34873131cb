/**
 * The apply pipeline's step for installs that are not local.json installs (chosen by the detected mechanism): plan
 * (apply/modes.ts), then for Docker Compose the transaction — journal every file, write each atomically, validate with
 * `docker compose config` when Docker is here, re-create the service with `docker compose up -d SERVICE` only when asked
 * (--compose-up), verify, and restore every file (and re-create again) on failure. Without Docker the restart is skipped
 * and said so. For every other mechanism the run is refused with the exact change printed.
 */
import type { RootedHost } from '../adapters/host-fs.js';
import type { Journal, JournalEntry } from '../adapters/journal.js';
import type { LoadedConfig } from '../core/layers/load.js';
import type { HostFacts } from '../core/rules/rule.js';
import { rules } from '../core/rules/index.js';
import { uniqueRefusals, type DesiredState, type Refusal } from '../core/plan/plan.js';
import { mask } from '../core/redact.js';
import { commandLine } from '../core/text/shell.js';
import { K } from '../core/ds/keys.js';
import { deploymentNotes } from '../core/ds/deployment.js';
import type { ApplyRequest } from './request.js';
import type { ResolvedSecret } from './secret.js';
import { APPLY_EXIT, scrubDeep, type ApplyOutcome, type ApplyResult, type FindingSummary } from './result.js';
import { changeSecrets, modeDiff, prepareMode, shaOf, type EnvFileOption, type PlannedFile } from './modes.js';
import { DEFAULT_HEALTH_URL } from './defaults.js';
import { integratorFollowUp, integratorInstructions, type IntegratorSummary } from './integrator-report.js';
import { getPath } from '../core/layers/merge.js';
import type { HealthPort } from './transaction.js';
import type { Finding } from '../core/types.js';
import { isAio } from '../core/deploy/types.js';

export interface ModeRunInput {
  readonly req: ApplyRequest;
  readonly host: RootedHost;
  readonly loaded: LoadedConfig;
  readonly facts: HostFacts;
  readonly desired: DesiredState;
  readonly secret: ResolvedSecret;
  readonly journal?: Journal;
  readonly options: {
    readonly command: ApplyResult['command'];
    readonly dryRun: boolean;
    readonly showSecrets: boolean;
    readonly envFile: EnvFileOption;
    readonly composeUp: boolean;
    readonly healthUrl?: string;
    readonly dsVersion?: string;
    readonly hostname?: string;
    readonly notes: readonly string[];
    /** ds-harden rollback ID … with the options that reach the same host */
    readonly rollbackHint: (id: string) => string;
    /** The command that prints DS's secret for the integrator (integrator-report.ts readSecretCommand). */
    readonly readSecret: string;
  };
  readonly cwd: string;
  readonly childEnv: Record<string, string>;
  readonly progress: (line: string) => void;
  readonly secrets: string[];
  readonly scrub: (t: string) => string;
  readonly makeHealth: (url: string) => HealthPort;
  /** The plan, before anything is written: front ends print it. */
  readonly onPlanned?: (planned: ApplyResult) => void;
  /**
   * Called when the transaction starts (the first write): from then on an interrupt aborts the returned signal and the
   * files are restored (pipeline.ts InterruptGate); throws when an interrupt came before.
   */
  readonly enterTransaction?: () => AbortSignal;
}

function summary(f: Finding): FindingSummary {
  return { ruleId: f.ruleId, severity: f.severity, title: f.title, message: f.message, ...(f.location ? { location: f.location } : {}) };
}

/** How the secret shows in a printed change: never its value unless --show-secrets. */
function secretShown(req: ApplyRequest, secret: ResolvedSecret, show: boolean): { shell: string; text: string } {
  if (show && secret.value) return { shell: secret.value, text: secret.value };
  if (req.secretFile) return { shell: `"$(cat ${req.secretFile})"`, text: `<the secret in ${req.secretFile}>` };
  if (req.secretEnv) return { shell: `"$${req.secretEnv}"`, text: `<the secret in $${req.secretEnv}>` };
  const m = secret.value ? mask(secret.value) : '<secret>';
  return { shell: `<${m}: choose it with --secret-file FILE, or print it with --show-secrets>`, text: `<${m}>` };
}

export async function runModeApply(x: ModeRunInput): Promise<ApplyResult> {
  const { loaded, options: o } = x;
  const dep = loaded.deployment;
  const plan = await prepareMode({
    host: x.host,
    loaded,
    facts: x.facts,
    rules,
    desired: x.desired,
    secretShown: secretShown(x.req, x.secret, o.showSecrets),
    envFile: o.envFile,
    cwd: x.cwd,
    ...(o.dsVersion ? { dsVersion: o.dsVersion } : {}),
    ...(o.hostname ? { hostname: o.hostname } : {}),
  });
  for (const s of changeSecrets(plan.changes)) x.secrets.push(s);
  const composeFile = dep.container?.compose?.files[0];
  const service = dep.container?.compose?.service;
  const refusals: Refusal[] = [...plan.refusals];
  const beforeShas = new Map(plan.files.map((f) => [f.path, shaOf(x.host.local(f.path))]));
  for (const f of plan.files) {
    const expected = f.before === null ? null : shaOf(x.host.local(f.path)) === null ? 'gone' : beforeShas.get(f.path);
    if (expected === 'gone') refusals.push({ code: 'changed-since-read', message: `${f.path} disappeared while ds-harden was planning; run again` });
  }
  const notes = [...o.notes, ...plan.notes, ...(plan.files.length ? deploymentNotes(x.facts, plan.changes.map((c) => c.key), { recreated: o.composeUp }) : [])];
  // the integrator's end: its steps (--integrator), as on a local.json install — ds-harden runs no occ here
  const integratorMustMatch = plan.changes.some((c) => c.key === K.secretInbox || c.key === K.inboxHeader);
  const after = (k: string) => plan.changes.find((c) => c.key === k)?.to ?? getPath(loaded.effective.value, k);
  const dsSecret = after(K.secretInbox);
  const dsHeader = after(K.inboxHeader);
  const pair = after(K.enableInbox) === true && typeof dsSecret === 'string' && dsSecret ? { secret: dsSecret, header: typeof dsHeader === 'string' && dsHeader ? dsHeader : 'Authorization' } : undefined;
  const kind = x.req.integrator;
  // Nextcloud All-in-One gives Nextcloud the secret itself (aioChange says so): no steps for it
  const integrator: IntegratorSummary | undefined =
    kind && pair && !isAio(dep) && (integratorMustMatch || kind !== 'other') ? { kind, needsChange: integratorMustMatch, instructions: integratorInstructions(kind, pair, plan.printed ? undefined : o.readSecret, x.req.secretFile) } : undefined;
  const base = {
    schemaVersion: 1 as const,
    command: o.command,
    target: composeFile ?? `${loaded.configDir}/local.json`,
    dsVersion: loaded.version.label,
    dryRun: o.dryRun,
    ...(x.secret.source ? { secretSource: x.secret.source } : {}),
    changes: plan.changes.map((c) => ({ key: c.key, from: o.showSecrets || !/secret/i.test(c.key) ? c.from : mask(c.from), to: o.showSecrets || !/secret/i.test(c.key) ? c.to : mask(c.to) })),
    notes,
    refusals,
    simulation: [],
    introduced: plan.introduced.map(summary),
    resolved: plan.resolved.map(summary),
    hints: {},
    integratorMustMatch,
    ...(integrator ? { integrator } : {}),
    deployment: { kind: dep.kind, mechanism: dep.mechanism, label: dep.label },
    ...(plan.files.length ? { files: plan.files.map((f) => f.path) } : {}),
    ...(plan.printed ? { modeChange: { mechanism: dep.mechanism, text: plan.printed } } : {}),
  };
  const finish = (outcome: ApplyOutcome, extra: Partial<ApplyResult> = {}): ApplyResult => {
    const result: ApplyResult = { ...base, refusals: uniqueRefusals(base.refusals), outcome, changed: outcome === 'changed', exitCode: APPLY_EXIT[outcome], ...extra };
    return o.showSecrets ? result : scrubDeep(result, x.scrub);
  };
  if (refusals.length) return finish('refused');
  if (plan.files.length === 0) return finish('no-change');
  const diff = modeDiff(plan.files, x.secrets, o.showSecrets);
  if (o.dryRun) return finish('dry-run', { diff });
  x.onPlanned?.(finish('dry-run'));

  // ---- the transaction ----
  const signal = x.enterTransaction?.();
  const interrupted = () => (signal?.aborted ? `interrupted by ${String(signal.reason)}` : undefined);
  const { writeFileAtomic, sha256 } = await import('../adapters/atomic-write.js');
  const { composeConfig, composeUp, DockerUnavailableError } = await import('../adapters/docker.js');
  const journal = x.journal!;
  const files = plan.files;
  const local = (f: PlannedFile) => x.host.local(f.path);
  const projectDirLocal = x.host.local(dep.container!.compose!.projectDir);
  const composeFilesLocal = dep.container!.compose!.files.map((f) => x.host.local(f));
  let entry: JournalEntry = await journal.begin('apply --compose', files.map(local));
  const restoreAll = async (why: string, recreate: boolean): Promise<ApplyResult> => {
    x.progress(`rolling back: ${why}`);
    try {
      entry = await journal.setState(entry, 'rolling-back', { note: why });
      await journal.restore(entry);
      if (recreate) {
        x.progress(`re-creating ${service} with the restored files`);
        const r = await composeUp(composeFilesLocal, projectDirLocal, service!, { env: x.childEnv });
        if (r.exitCode !== 0) throw new Error(`docker compose up -d ${service} after the restore failed: ${(r.stderr || r.stdout).split('\n').slice(-3).join(' ')}`);
      }
      entry = await journal.setState(entry, 'rolled-back', { note: why });
      return finish('rolled-back', { journalId: entry.id, failure: { reason: why, failed: [], logs: [] }, diff, followUp });
    } catch (e) {
      const msg = (e as Error).message;
      entry = await journal.setState(entry, 'rollback-failed', { note: `${why}; rollback: ${msg}` }).catch(() => entry);
      return finish('rollback-failed', { journalId: entry.id, failure: { reason: why, failed: [], logs: [] }, rollbackError: msg, hints: { rollback: o.rollbackHint(entry.id) } });
    }
  };
  let written = false;
  const followUp: string[] = [];
  try {
    for (const f of files) {
      const cur = shaOf(local(f));
      if (cur !== beforeShas.get(f.path)) {
        entry = await journal.setState(entry, 'rolled-back', { note: `not written: ${f.path} changed` });
        refusals.push({ code: 'changed-since-read', message: `${f.path} changed after ds-harden read it (another run or an editor saved it); nothing was written. Run again.` });
        return finish('refused', { journalId: entry.id });
      }
    }
    for (const f of files) {
      entry = await journal.recordAfter(entry, local(f), sha256(f.after));
      await writeFileAtomic(local(f), f.after, {
        ...(f.mode !== undefined ? { mode: f.mode } : {}),
        precondition: async () => {
          if (shaOf(local(f)) !== beforeShas.get(f.path)) throw new Error(`${f.path} changed while ds-harden was writing`);
        },
      });
      written = true;
    }
    entry = await journal.setState(entry, 'written');
    if (interrupted()) return await restoreAll(interrupted()!, false);
    // docker compose's own reading of the result, when it is installed here
    try {
      const r = await composeConfig(composeFilesLocal, projectDirLocal, { env: x.childEnv });
      if (r.exitCode !== 0) return await restoreAll(`docker compose config refused the result: ${x.scrub((r.stderr || r.stdout).split('\n')[0] ?? '')}`, false);
      followUp.push('docker compose config accepts the result');
    } catch (e) {
      if (!(e instanceof DockerUnavailableError)) throw e;
      followUp.push(`${e.message}: the result was checked with the YAML library and ds-harden's reading of compose's rules only`);
    }
    let restarted: string[] = [];
    if (o.composeUp) {
      entry = await journal.setState(entry, 'restarting', { restarted: [service!] });
      try {
        x.progress(`re-creating ${service}: docker compose up -d ${service}`);
        const r = await composeUp(composeFilesLocal, projectDirLocal, service!, { env: x.childEnv, ...(signal ? { signal } : {}) });
        if (interrupted()) return await restoreAll(interrupted()!, true);
        if (r.exitCode !== 0) return await restoreAll(`docker compose up -d ${service} failed: ${x.scrub((r.stderr || r.stdout).split('\n').slice(-2).join(' '))}`, true);
        restarted = [service!];
        const url = healthUrl(o.healthUrl, dep);
        if (url) {
          x.progress(`probing the healthcheck ${url}`);
          const h = await x.makeHealth(url).check(signal);
          if (interrupted()) return await restoreAll(interrupted()!, true);
          if (!h.ok) return await restoreAll(`healthcheck failed after re-creating ${service}: ${h.detail}`, true);
          x.progress(`healthcheck: ${h.detail}`);
        } else followUp.push(`no DS port of ${service} is published on this host: the healthcheck was skipped (give --health-url)`);
      } catch (e) {
        if (!(e instanceof DockerUnavailableError)) throw e;
        followUp.push(`${e.message}: ${service} was not re-created. On the Docker host run: ${commandLine(['docker', 'compose', ...dep.container!.compose!.files.flatMap((f) => ['-f', f]), 'up', '-d', service!])}`);
      }
    }
    entry = await journal.setState(entry, 'verified');
    entry = await journal.setState(entry, 'committed', { note: `compose service ${service} in ${composeFile}` });
    // what the integrator must now do, unless its steps were printed with the plan
    const integratorHint = integratorMustMatch && !integrator?.instructions?.length && !isAio(dep) ? { readSecret: o.readSecret, integrator: integratorFollowUp(kind, o.readSecret) } : {};
    return finish('changed', { journalId: entry.id, restarted, diff, followUp, hints: { rollback: o.rollbackHint(entry.id), ...integratorHint } });
  } catch (e) {
    const msg = (e as Error).message;
    if (!written) {
      entry = await journal.setState(entry, 'rolled-back', { note: `not written: ${msg}` }).catch(() => entry);
      refusals.push({ code: 'changed-since-read', message: msg });
      return finish('refused', { journalId: entry.id });
    }
    return restoreAll(`apply failed: ${msg}`, false);
  }
}

/** --health-url when given; else the DS port 80 of the service as published on this host; else none. */
function healthUrl(given: string | undefined, dep: LoadedConfig['deployment']): string | undefined {
  if (given === undefined) return undefined;
  if (given !== DEFAULT_HEALTH_URL) return given;
  const p = dep.container?.ports.find((x) => x.containerPort === 80 && x.hostPort);
  if (!p) return undefined;
  const host = !p.hostIp || p.hostIp === '0.0.0.0' ? '127.0.0.1' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  return `http://${host}:${p.hostPort}/healthcheck`;
}
