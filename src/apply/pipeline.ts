/**
 * The one apply pipeline under every front end (flags, --policy, the wizard, rotate-secret):
 *
 *   lock (not for a dry run) → load the configuration as DS would → read the secret → desired state →
 *   prepare (plan, refusals, findings introduced and resolved, simulation) → [dry run: stop] →
 *   services and health before the change → transaction (journal, atomic write, restart, verify, roll back) →
 *   result (formatters/apply.ts renders it).
 *
 * The plan is made under the lock and the write happens only when local.json still has the bytes the plan was
 * made from (another run or an editor saving in between makes it refuse, never lose an update).
 * Side effects arrive through `deps` and the adapters; the result never holds a secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../cli/errors.js';
import { checkDsVersion, hostPathOf, loadTarget, openRoot, stateDirOf, type TargetOptions } from '../commands/target.js';
import { gatherHostFacts } from '../adapters/host-facts.js';
import { confineTo } from '../adapters/rooted-path.js';
import { MAX_CONFIG_BYTES, readBoundedFileSync } from '../adapters/bounded-read.js';
import { rules } from '../core/rules/index.js';
import { currentSecret, planSecrets, type DesiredState, type Refusal } from '../core/plan/plan.js';
import { unifiedDiff } from '../core/plan/diff.js';
import { K } from '../core/ds/keys.js';
import { isSecretPath, mask, maskSecretLines, scrubText } from '../core/redact.js';
import type { Finding } from '../core/types.js';
import type { SimTarget } from '../core/plan/simulation.js';
import { prepareApply, type Prepared } from './prepare.js';
import { resolveSecret, type ResolvedSecret } from './secret.js';
import type { ApplyRequest } from './request.js';
import { APPLY_EXIT, scrubDeep, type ApplyOutcome, type ApplyResult, type FindingSummary } from './result.js';
import { DEFAULT_HEALTH_URL, DEFAULT_SETTLE_MS, DEFAULT_STATE_DIR } from './defaults.js';
import { commandLine } from '../core/text/shell.js';
import type { TxOutcome } from './transaction.js';
import { getPath } from '../core/layers/merge.js';
import { integratorStep, readIntegrator, type IntegratorOptions, type IntegratorState } from './integrator.js';
import { integratorInstructions, type IntegratorSummary } from './integrator-report.js';
import type { ServicePort } from '../adapters/services/port.js';
import type { HealthPort } from './transaction.js';

/** How DS runs and how the change is verified. */
export interface ServiceOptions {
  /** auto | supervisor | systemd | none */
  readonly serviceManager: string;
  readonly supervisorConf?: string;
  readonly restartAll: boolean;
  readonly settleMs?: number;
  /** undefined = no health probe */
  readonly healthUrl?: string;
  readonly healthTimeoutMs: number;
}

export interface ApplyRunOptions extends TargetOptions, ServiceOptions {
  readonly command: ApplyResult['command'];
  /** How long the integrator's own check may take, ms. */
  readonly integratorCheckTimeoutMs?: number;
  readonly dryRun: boolean;
  readonly normalize: boolean;
  readonly showSecrets: boolean;
  readonly stateDir: string;
  readonly testAddresses: readonly string[];
  /** sha256 of local.json when a preview was shown (wizard): refuse when it changed since. */
  readonly expectBeforeSha256?: string | null;
  /** Docker Compose: --jwt-env-file [FILE] keeps JWT_SECRET out of the compose file (true: the default file name). */
  readonly envFile?: string | true;
  /** Docker Compose: --compose-up re-creates the service after writing. */
  readonly composeUp?: boolean;
}

export interface ApplyRunDeps {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress lines while the transaction runs (restart, settle, health). */
  readonly progress: (line: string) => void;
  /** Urgent lines (an interrupt arrived): shown at once, on stderr for the CLI. Default: progress. */
  readonly alert?: (line: string) => void;
  /** The plan, before anything is restarted: front ends print it. */
  readonly onPlanned?: (planned: ApplyResult) => void;
  /** Run `handler` on SIGINT/SIGTERM instead of dying; returns the function that removes it. */
  readonly onInterrupt: (handler: (signal: string) => void) => () => void;
  /** Connect the service manager (undefined with --service-manager none). */
  readonly connectServices: (o: ServiceOptions, childEnv: Record<string, string>) => Promise<ServicePort | undefined>;
  readonly makeHealth: (o: ServiceOptions) => HealthPort | undefined;
  /** Read a small regular file (the secret file); UsageError otherwise. */
  readonly readSmallFile: (file: string) => Promise<string>;
  /** Crash-test hook (DS_HARDEN_TEST_PAUSE_AT). */
  readonly pause?: (step: string) => Promise<void>;
}

/** What the pipeline knows about the secrets of this run, so callers can scrub any text they print themselves. */
export interface ApplyRun {
  readonly result: ApplyResult;
  /**
   * sha256 of local.json when the plan was made (null: no file): a front end that shows a preview passes it back as
   * expectBeforeSha256, so the real run refuses if the file changed in between.
   */
  readonly beforeSha256?: string | null;
  /** Scrub known secret values from free text (for progress lines printed by the caller). */
  readonly scrub: (text: string) => string;
}

function summary(f: Finding): FindingSummary {
  return { ruleId: f.ruleId, severity: f.severity, title: f.title, message: f.message, ...(f.location ? { location: f.location } : {}) };
}

function shownValue(key: string, v: unknown, showSecrets: boolean): unknown {
  return !showSecrets && isSecretPath(key) ? mask(v) : v;
}

/** The storage host as DS's outgoing ipfilter check sees it: the name and the one address it resolves to. */
async function storageTarget(url: string | undefined): Promise<SimTarget | undefined> {
  if (!url) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return { label: 'storage/callback host (--storage-url)', ip: host, hostname: host, outgoing: true };
  const ip = await lookup(host).then((r) => r.address, () => undefined);
  return { label: `storage/callback host (--storage-url${ip ? '' : ', not resolvable here'})`, hostname: host, outgoing: true, ...(ip ? { ip } : {}) };
}

/**
 * The sha256 of the bytes at a local path, or null when there is no such file. Reads only a regular file of bounded
 * size (a FIFO or /dev/zero would hang or grow without bound); anything else gives a marker no real hash equals —
 * the plan refuses such a file with its own message.
 */
function fileSha(local: string): string | null {
  const r = readBoundedFileSync(local, { maxBytes: MAX_CONFIG_BYTES });
  if (r.ok) return createHash('sha256').update(r.data).digest('hex');
  return r.code === 'ENOENT' ? null : `unreadable:${r.code}`;
}

/** The options a follow-up command (rollback, check --explain) needs to reach the same host and services. */
function carried(o: ApplyRunOptions, withServices: boolean): string[] {
  return [
    ...(o.root !== '/' ? ['--root', o.root] : []),
    ...(o.configDir ? ['--config-dir', o.configDir] : []),
    ...(withServices && o.stateDir !== DEFAULT_STATE_DIR ? ['--state-dir', o.stateDir] : []),
    ...(withServices && o.serviceManager !== 'auto' ? ['--service-manager', o.serviceManager] : []),
    ...(o.supervisorConf ? ['--supervisor-conf', o.supervisorConf] : []),
    ...(withServices && o.healthUrl === undefined ? ['--no-health'] : []),
    ...(withServices && o.healthUrl !== undefined && o.healthUrl !== DEFAULT_HEALTH_URL ? ['--health-url', o.healthUrl] : []),
  ];
}

/** `ds-harden rollback ID …` with the options that reach the same host and services. */
export function rollbackHint(o: ApplyRunOptions, id: string): string {
  return commandLine(['ds-harden', 'rollback', id, ...carried(o, true)]);
}

/**
 * Run the pipeline. Throws UsageError for bad input (exit 2); every other outcome is a result.
 * `req` must come from validateRequest().
 */
export async function runApplyPipeline(req: ApplyRequest, o: ApplyRunOptions, deps: ApplyRunDeps): Promise<ApplyRun> {
  const secrets: string[] = [];
  const scrub = (t: string) => scrubText(t, secrets);
  if (req.errorcode === undefined && req.allow === undefined && req.secretFile === undefined && req.secretEnv === undefined && !req.generateSecret && req.header === undefined && req.useforrequest === undefined && req.occ === undefined) {
    throw new UsageError('nothing to apply: give --allow ADDRESS (repeatable) and/or a secret (--secret-file, --secret-env or --generate-secret)');
  }
  // the target first: a typo in --root must not create a state dir anywhere
  checkDsVersion(o.dsVersion);
  const host = openRoot(o.root, deps.cwd);
  const stateLocal = stateDirOf(host, o.stateDir, !o.dryRun);
  const { Journal } = await import('../adapters/journal.js');
  const journal = stateLocal ? new Journal(path.join(stateLocal, 'journal'), { root: host.root }) : undefined;

  let lock: { release(): Promise<void>; staleFrom?: { pid: number; command: string } } | undefined;
  if (!o.dryRun) {
    const { acquireLock, LockBusyError, LockCorruptError } = await import('../adapters/lock.js');
    try {
      lock = await acquireLock(path.join(stateLocal!, 'apply.lock'), { command: o.command });
    } catch (e) {
      if (e instanceof LockBusyError || e instanceof LockCorruptError) {
        return { result: early(o, 'refused', [{ code: 'locked', message: e.message }]), scrub };
      }
      throw e;
    }
    if (lock.staleFrom) deps.progress(`note: a previous run (pid ${lock.staleFrom.pid}, ${lock.staleFrom.command}) died holding the lock.`);
  }
  try {
    // An apply that died half-way must be dealt with first — also when the file already holds its new bytes.
    const pending = journal ? await journal.latestIncomplete().catch(() => undefined) : undefined;
    const pendingMsg = pending
      ? `a previous apply (${pending.id}) stopped in state "${pending.state}" without finishing. Restore its backup with: ${rollbackHint(o, pending.id)}  (or inspect with ds-harden history)`
      : undefined;
    if (pending && !o.dryRun) {
      return { result: { ...early(o, 'refused', [{ code: 'interrupted-apply', message: pendingMsg! }]), pendingJournal: pending.id }, scrub };
    }

    // ---- plan, under the lock ----
    const { loaded } = await loadTarget(o, deps.cwd);
    const facts = await gatherHostFacts(host, loaded);
    const current = currentSecret(loaded);
    const secret: ResolvedSecret = await resolveSecret(req, current, { readFile: deps.readSmallFile, env: deps.env });
    if (secret.value) secrets.push(secret.value);
    const desired: DesiredState = {
      ...(req.allow ? { allow: req.allow } : {}),
      ...(secret.value !== undefined ? { secret: secret.value } : {}),
      ...(req.header !== undefined ? { header: req.header } : {}),
      ...(req.useforrequest !== undefined ? { useforrequest: req.useforrequest } : {}),
      ...(req.errorcode !== undefined ? { errorcode: req.errorcode } : {}),
    };
    if (loaded.deployment.mechanism !== 'local-json') {
      // the install keeps its settings elsewhere: a compose file is edited, every other mechanism gets the change printed
      if (req.occ !== undefined) throw new UsageError(`--nextcloud-occ/--owncloud-occ work on local.json installs; this is ${loaded.deployment.label}. Apply DS's change first, then set the integrator's jwt_secret (its ONLYOFFICE settings page).`);
      const known = secrets.filter((x) => x.length >= 8);
      const childEnv = Object.fromEntries(Object.entries(deps.env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== req.secretEnv && !known.some((x) => e[1]!.includes(x))));
      let envFile: string | true | undefined = o.envFile;
      if (typeof envFile === 'string') envFile = hostPathOf(host, path.resolve(deps.cwd, envFile), '--jwt-env-file');
      const { runModeApply } = await import('./mode-run.js');
      const result = await runModeApply({
        req,
        host,
        loaded,
        facts,
        desired,
        secret,
        ...(journal ? { journal } : {}),
        options: {
          command: o.command,
          dryRun: o.dryRun,
          showSecrets: o.showSecrets,
          envFile,
          composeUp: o.composeUp === true,
          ...(o.healthUrl !== undefined ? { healthUrl: o.healthUrl } : {}),
          ...(o.dsVersion ? { dsVersion: o.dsVersion } : {}),
          ...(o.hostname ? { hostname: o.hostname } : {}),
          notes: pendingMsg ? [pendingMsg] : [],
          rollbackHint: (id) => rollbackHint(o, id),
        },
        cwd: deps.cwd,
        childEnv,
        progress: (l) => deps.progress(scrub(l)),
        secrets,
        scrub,
        makeHealth: (url) => deps.makeHealth({ ...o, healthUrl: url })!,
        ...(deps.onPlanned ? { onPlanned: deps.onPlanned } : {}),
      });
      return { result, scrub };
    }
    const prepared: Prepared = await prepareApply({
      host,
      loaded,
      facts,
      rules,
      desired,
      normalize: o.normalize,
      ...(req.storageUrl ? { storage: await storageTarget(req.storageUrl) } : {}),
      testAddresses: o.testAddresses,
      behindProxy: req.behindProxy === true,
    });
    const { plan } = prepared;
    for (const s of planSecrets(plan, loaded)) secrets.push(s);
    const targetLocal = host.local(plan.target);
    const beforeSha = fileSha(targetLocal);
    const refusals: Refusal[] = [...prepared.refusals];
    if (o.expectBeforeSha256 !== undefined && o.expectBeforeSha256 !== beforeSha) {
      refusals.push({ code: 'changed-since-read', message: `${plan.target} changed after the preview was shown (another run or an editor saved it); nothing was written. Run again to see the new plan.` });
    }

    const mk = (t: string) => (o.showSecrets ? t : maskSecretLines(scrub(t)));
    const base = {
      schemaVersion: 1 as const,
      command: o.command,
      target: plan.target,
      dsVersion: loaded.version.label,
      dryRun: o.dryRun,
      ...(secret.source ? { secretSource: secret.source } : {}),
      changes: plan.changes.map((c) => ({ key: c.key, from: shownValue(c.key, c.from, o.showSecrets), to: shownValue(c.key, c.to, o.showSecrets) })),
      notes: [
        ...(o.command === 'rotate-secret'
          ? ['rotate-secret replaces the secret DS checks every integrator\'s tokens with: every other integrator that uses this DS (another Nextcloud or ownCloud, Seafile, scripts calling the APIs) must get the new secret too, or its requests fail with "Invalid token".']
          : []),
        ...(pendingMsg ? [pendingMsg] : []),
        ...prepared.notes,
      ],
      refusals,
      simulation: prepared.simulation,
      introduced: prepared.introduced.map(summary),
      resolved: prepared.resolved.map(summary),
      hints: {},
      integratorMustMatch: plan.changes.some((c) => c.key === K.secretInbox || c.key === K.inboxHeader),
      beforeSha256: beforeSha,
    };
    const finish = (outcome: ApplyOutcome, extra: Partial<ApplyResult> = {}): ApplyRun => {
      const { beforeSha256: _drop, ...rest } = base;
      void _drop;
      const result: ApplyResult = { ...rest, outcome, changed: outcome === 'changed', exitCode: APPLY_EXIT[outcome], ...extra };
      return { result: o.showSecrets ? result : scrubDeep(result, scrub), scrub, beforeSha256: beforeSha };
    };

    if (refusals.length > 0) return finish('refused');

    // ---- the integrator end: the secret and header DS verifies inbox tokens with after the change ----
    // children (supervisorctl, systemctl, occ) never inherit the variable that holds the secret (`ps e` shows it)
    // — neither the one --secret-env names nor any other whose value holds a secret of this run
    const known = secrets.filter((x) => x.length >= 8);
    const childEnv = Object.fromEntries(
      Object.entries(deps.env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== req.secretEnv && !known.some((x) => e[1]!.includes(x))),
    );
    const effAfter = (k: string) => plan.changes.find((c) => c.key === k)?.to ?? getPath(loaded.effective.value, k);
    const inboxOn = effAfter(K.enableInbox) === true;
    const dsSecret = effAfter(K.secretInbox);
    const dsHeader = typeof effAfter(K.inboxHeader) === 'string' && effAfter(K.inboxHeader) ? String(effAfter(K.inboxHeader)) : 'Authorization';
    const pair = inboxOn && typeof dsSecret === 'string' && dsSecret ? { secret: dsSecret, header: dsHeader } : undefined;
    let integrator: IntegratorSummary | undefined;
    let igState: IntegratorState | undefined;
    let occ: import('../adapters/integrator/occ.js').Occ | undefined;
    const ig: IntegratorOptions | undefined = req.integrator || req.occ
      ? {
          kind: req.integrator ?? 'nextcloud',
          ...(req.occ !== undefined ? { occ: (await import('../adapters/integrator/occ.js')).parseOccPrefix(req.occ, '--nextcloud-occ') } : {}),
          checkTimeoutMs: o.integratorCheckTimeoutMs ?? 150_000,
        }
      : undefined;
    if (ig && ig.occ && (ig.kind === 'nextcloud' || ig.kind === 'owncloud')) {
      const { Occ } = await import('../adapters/integrator/occ.js');
      occ = new Occ(ig.occ, { env: childEnv });
      if (!pair) {
        integrator = { kind: ig.kind, occ: occ.label, needsChange: false, notes: ['DS does not verify incoming tokens after this change (token.enable.request.inbox is not true), so the app\'s secret is left as it is.'] };
      } else if (o.dryRun) {
        deps.progress(`${ig.kind === 'owncloud' ? 'ownCloud' : 'Nextcloud'}: reading the ONLYOFFICE app settings through occ (${occ.label})`);
        const settings = await occ.settings();
        if (settings.jwt_secret.value) secrets.push(settings.jwt_secret.value);
        integrator = { kind: ig.kind, occ: occ.label, ...summaryOf(settings, pair) };
      } else {
        igState = await readIntegrator(occ, deps.progress, ig.checkTimeoutMs);
        for (const v of [igState.appBefore.jwt_secret, igState.before.jwt_secret.value]) if (v) secrets.push(v);
        integrator = { kind: ig.kind, occ: occ.label, ...summaryOf(igState.before, pair), ...(igState.preCheck ? { preCheck: igState.preCheck } : {}) };
      }
    } else if (ig && pair && (base.integratorMustMatch || ig.kind !== 'other')) {
      integrator = { kind: ig.kind, needsChange: base.integratorMustMatch, instructions: integratorInstructions(ig.kind, pair, carried(o, false)) };
    }

    if (plan.changes.length === 0 && !integrator?.needsChange) return finish('no-change', integrator ? { integrator } : {});
    const diff = plan.changes.length ? unifiedDiff(mk(plan.before), mk(plan.after), plan.exists ? plan.target : '/dev/null', plan.target) : '';
    if (o.dryRun) return finish('dry-run', { ...(diff ? { diff } : {}), ...(integrator ? { integrator } : {}) });

    deps.onPlanned?.(finish('dry-run', integrator ? { integrator } : {}).result);
    await deps.pause?.('planned');

    // ---- the transaction ----
    const services = await deps.connectServices(o, childEnv);
    const health = deps.makeHealth(o);
    const running = services ? await services.running() : [];
    if (services && running.length === 0 && !o.restartAll) {
      deps.progress(`note: no DocService/FileConverter is running under ${services.kind}; the file is written, nothing is restarted.`);
    }
    if (health && running.length > 0) {
      deps.progress('probing the healthcheck before the change');
      const pre = await health.check();
      if (!pre.ok) {
        refusals.push({ code: 'unhealthy-before', message: `DS is not healthy before the change (${pre.detail}); fix that first, or pass --no-health to skip the check` });
        return finish('refused');
      }
    }
    const { writeFileAtomic, sha256 } = await import('../adapters/atomic-write.js');
    const { runTransaction } = await import('./transaction.js');
    const controller = new AbortController();
    const alert = deps.alert ?? deps.progress;
    const off = deps.onInterrupt((sig) => {
      if (!controller.signal.aborted) {
        alert(`${sig}: rolling back, please wait…`);
        controller.abort(sig);
      } else alert(`${sig}: still rolling back; ds-harden finishes the rollback before it exits.`);
    });
    let outcome: TxOutcome;
    const step = occ && igState && pair && integrator?.needsChange ? integratorStep(occ, ig!.kind as 'nextcloud' | 'owncloud', igState, pair, deps.progress, ig!.checkTimeoutMs) : undefined;
    try {
      outcome = await runTransaction(targetLocal, plan.changes.length ? plan.after : undefined, running, {
        journal: journal!,
        ...(step ? { integrator: step } : {}),
        expectSha256: beforeSha,
        ...(prepared.restoreStat ? { restoreStat: prepared.restoreStat } : {}),
        async writeFile(localPath, data) {
          await writeFileAtomic(localPath, data, {
            // symlinks are followed only inside --root, as check read them (rooted-path.ts)
            resolve: confineTo(host.root),
            ...(deps.pause ? { pause: deps.pause } : {}),
            ...(prepared.writeStat ?? {}),
            // the last moment before the rename: the file must still hold the bytes the plan was made from
            precondition: async () => {
              if (fileSha(localPath) !== beforeSha) throw new ChangedSinceReadError(plan.target);
            },
          });
          return { sha256: sha256(data) };
        },
        async serviceCanRead(localPath) {
          const user = facts.serviceUser;
          if (!user) return undefined;
          const st = fs.statSync(localPath);
          const { canRead } = await import('../core/ds/accounts.js');
          return canRead({ uid: st.uid, gid: st.gid, mode: st.mode }, user);
        },
        ...(services ? { services } : {}),
        ...(health && running.length > 0 ? { health } : {}),
        settleMs: o.settleMs ?? (services ? DEFAULT_SETTLE_MS[services.kind] : 0),
        restartAll: o.restartAll,
        progress: (l) => deps.progress(scrub(l)),
        signal: controller.signal,
        ...(deps.pause ? { pause: deps.pause } : {}),
      });
    } finally {
      off();
    }
    const rollback = rollbackHint(o, outcome.entry.id);
    const readSecret = commandLine(['sudo', 'ds-harden', 'check', ...carried(o, false), '--explain', K.secretInbox, '--show-secrets']);
    const igOut = outcome.kind !== 'not-written' && integrator ? { integrator: { ...integrator, ...(outcome.integrator ?? {}) } } : integrator ? { integrator } : {};
    if (outcome.kind === 'changed') {
      const synced = Boolean(step) && outcome.integrator?.verdict !== undefined;
      return finish('changed', { journalId: outcome.entry.id, restarted: outcome.restarted, ...igOut, hints: { rollback, ...(base.integratorMustMatch && !synced ? { readSecret } : {}) } });
    }
    if (outcome.kind === 'not-written') {
      refusals.push({ code: 'changed-since-read', message: outcome.reason });
      return finish('refused', { journalId: outcome.entry.id, ...igOut });
    }
    const failure = { reason: outcome.failure.reason, failed: outcome.failure.failed, logs: outcome.failure.logs };
    if (outcome.kind === 'rolled-back') return finish('rolled-back', { journalId: outcome.entry.id, failure, restarted: outcome.restarted, ...igOut });
    return finish('rollback-failed', { journalId: outcome.entry.id, failure, rollbackError: outcome.rollbackError, hints: { rollback }, ...igOut });
  } finally {
    await lock?.release();
  }
}

/** What the integrator holds now compared with what DS will verify (values never leave this function). */
function summaryOf(settings: import('../core/integrator/nextcloud.js').NcSettings, pair: { secret: string; header: string }): Pick<IntegratorSummary, 'needsChange' | 'headerBefore' | 'headerAfter' | 'secretMatchedBefore' | 'secretSourceBefore'> {
  const header = settings.jwt_header.value || 'Authorization';
  const matched = settings.jwt_secret.value === pair.secret;
  return { needsChange: !matched || header !== pair.header, headerBefore: header, headerAfter: pair.header, secretMatchedBefore: matched, secretSourceBefore: settings.jwt_secret.source };
}

/** Thrown by the write precondition: the file is not what the plan was made from. */
export class ChangedSinceReadError extends Error {
  override readonly name = 'ChangedSinceReadError';
  constructor(target: string) {
    super(`${target} changed while ds-harden was working (another run or an editor saved it); nothing was written. Run again to plan against the new file.`);
  }
}

/** A result before anything was loaded (lock busy, interrupted apply). */
function early(o: ApplyRunOptions, outcome: ApplyOutcome, refusals: ApplyResult['refusals']): ApplyResult {
  return {
    schemaVersion: 1,
    command: o.command,
    target: '',
    dsVersion: '',
    dryRun: o.dryRun,
    outcome,
    changed: false,
    exitCode: APPLY_EXIT[outcome],
    changes: [],
    notes: [],
    refusals,
    simulation: [],
    introduced: [],
    resolved: [],
    hints: {},
    integratorMustMatch: false,
  };
}
