/**
 * The apply transaction: backup → write → restart → verify → commit, or restore → restart → verify.
 * Every side effect comes in through `TxDeps`, so each failure point is testable without a machine.
 *
 * States recorded in the journal (so a crash at any point can be recovered from):
 *   prepared (backup taken) → written (new bytes in place) → restarting → verified → committed
 *   on failure: rolling-back → rolled-back | rollback-failed
 */
import { createHash } from 'node:crypto';
import type { LogMark, ServiceFailure, ServicePort } from '../adapters/services/port.js';
import type { Journal, JournalEntry } from '../adapters/journal.js';
import type { IntegratorStep } from './integrator.js';
import type { CheckReport, CheckVerdict } from '../core/integrator/nextcloud.js';

export interface HealthPort {
  /** One verdict within its own deadline: ok, or a sentence saying what is wrong. */
  check(signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

export interface TxDeps {
  readonly journal: Pick<Journal, 'begin' | 'setState' | 'recordAfter' | 'restore' | 'saveIntegrator' | 'setIntegratorState'>;
  /** The integrator end (Nextcloud through occ): set right after the restart, checked, undone with DS. */
  readonly integrator?: IntegratorStep;
  /**
   * sha256 the target must still have when the journal takes its backup (null: must not exist). A mismatch means
   * someone changed it since the plan was made: nothing is written (outcome 'not-written').
   */
  readonly expectSha256?: string | null;
  /**
   * Owner and mode a rollback gives the restored file instead of the original's — set when the original could
   * not be read by the DS service user (restoring that would stop DS at the restart).
   */
  readonly restoreStat?: { uid: number; gid: number; mode: number };
  /** Atomic replacement keeping owner, group and mode, through a symlink to its target (paths on this machine). */
  writeFile(path: string, data: string): Promise<{ sha256: string }>;
  /** Can the DS service user read the file now? undefined when unknown. */
  serviceCanRead(path: string): Promise<boolean | undefined>;
  readonly services?: ServicePort;
  readonly health?: HealthPort;
  readonly settleMs: number;
  readonly restartAll: boolean;
  readonly progress: (line: string) => void;
  /** Aborted by SIGINT/SIGTERM: whatever was changed is rolled back. */
  readonly signal: AbortSignal;
  /** Test hook: called at each named step (tests pause there and SIGKILL the process). */
  readonly pause?: (step: string) => Promise<void>;
}

export interface FailureReport {
  readonly reason: string;
  readonly failed: readonly ServiceFailure[];
  /** What each failing service wrote to its logs after the restart, last lines per stream (the caller scrubs secrets). */
  readonly logs: readonly { name: string; stream?: string; tail: string }[];
}

/** What happened at the integrator end. */
export interface IntegratorOutcome {
  /** The app's check after the change and its verdict against the check before. */
  readonly report?: CheckReport;
  readonly verdict?: CheckVerdict;
  /** The old values were put back (the change was rolled back). */
  readonly restored?: boolean;
  /** The app's check after the rollback. */
  readonly recheck?: CheckReport;
  /** Restoring the integrator's values failed (act now). */
  readonly undoError?: string;
}

export type TxOutcome =
  /** The target was not what the plan was made from: nothing written, nothing restarted. */
  | { readonly kind: 'not-written'; readonly entry: JournalEntry; readonly reason: string }
  | { readonly kind: 'changed'; readonly entry: JournalEntry; readonly restarted: readonly string[]; readonly health?: string; readonly integrator?: IntegratorOutcome }
  | { readonly kind: 'rolled-back'; readonly entry: JournalEntry; readonly failure: FailureReport; readonly restarted: readonly string[]; readonly integrator?: IntegratorOutcome }
  | { readonly kind: 'rollback-failed'; readonly entry: JournalEntry; readonly failure: FailureReport; readonly rollbackError: string; readonly integrator?: IntegratorOutcome };

class Aborted extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted (${signalName})`);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Aborted(String(signal.reason ?? 'SIGINT'));
}

/**
 * Restart `names`, watch them settle, probe health. Returns undefined when healthy, else what failed.
 * The verdict comes from the observed state (supervisor/systemd states through the settle window, then the
 * healthcheck), not from the restart command's exit code: a supervisorctl that was itself interrupted can exit
 * non-zero while the programs came back fine. A spawn error it reports is an observed fact and fails at once.
 * The logs in a failure report are what the services wrote after this restart (stdout and stderr).
 */
export async function restartAndVerify(
  deps: Pick<TxDeps, 'services' | 'health' | 'settleMs' | 'restartAll' | 'progress'>,
  names: readonly string[],
  signal?: AbortSignal,
  afterRestart?: () => Promise<void>,
): Promise<FailureReport | undefined> {
  const { services, health } = deps;
  const mark = services ? await services.logMark(names).catch(() => undefined) : undefined;
  const since = async (failed: readonly { name: string }[]) => (services && mark ? logsSince(services, mark, failed) : []);
  const restarting = Boolean(services && (names.length > 0 || deps.restartAll));
  if (!restarting) await afterRestart?.();
  if (services && restarting) {
    deps.progress(deps.restartAll ? `restarting: supervisorctl restart all` : `restarting ${names.join(', ')} (${services.kind})`);
    const r = await services.restart(names, deps.restartAll);
    // DS now runs (or tries to run) the new file: the other end follows at once, and is undone with DS on failure
    await afterRestart?.();
    if (r.failed.some((f) => f.state === 'spawn error')) {
      return { reason: `restart failed: ${r.failed.map((f) => `${f.name} ${f.state}`).join(', ')}`, failed: r.failed, logs: await since(r.failed) };
    }
    if (!r.ok) deps.progress(`the restart command reported a problem (${(r.output || 'no output').split('\n')[0]}); judging by the services' state`);
    deps.progress(`waiting ${Math.round(deps.settleMs / 100) / 10} s for the services to settle`);
    // a line when the states change (a sample every 250 ms would repeat the same line a dozen times)
    let lastStates = '';
    const onProgress = (t: string) => {
      if (t !== lastStates) deps.progress(`  ${t}`);
      lastStates = t;
    };
    const w = await services.watch(names, { settleMs: deps.settleMs, ...(signal ? { signal } : {}), onProgress });
    if (!w.ok) {
      return { reason: `services did not stay up: ${w.failed.map((f) => `${f.name} ${f.state} (${f.reason})`).join('; ')}`, failed: w.failed, logs: await since(w.failed) };
    }
  }
  if (health) {
    deps.progress('probing the healthcheck');
    const h = await health.check(signal);
    if (!h.ok) return { reason: `healthcheck failed: ${h.detail}`, failed: [], logs: await since(names.map((n) => ({ name: n }))) };
    deps.progress(`healthcheck: ${h.detail}`);
  }
  return undefined;
}

async function logsSince(services: ServicePort, mark: LogMark, failed: readonly { name: string }[]): Promise<FailureReport['logs']> {
  const out: { name: string; stream: string; tail: string }[] = [];
  for (const name of [...new Set(failed.map((f) => f.name))]) out.push(...(await services.logsSince(name, mark).catch(() => [])));
  return out;
}

/**
 * Run the transaction for one file. The caller holds the lock and has validated `after`.
 * `running` = the config-reading services that were running before (they are restarted; stopped ones stay stopped).
 */
export async function runTransaction(
  target: string,
  after: string | undefined,
  running0: readonly string[],
  deps: TxDeps,
): Promise<TxOutcome> {
  // after === undefined: DS's file stays as it is (only the integrator end changes); nothing is restarted
  const running = after === undefined ? [] : running0;
  let entry = await deps.journal.begin('apply', after === undefined ? [] : [target], deps.restoreStat ? { restoreStat: deps.restoreStat } : {});
  await deps.pause?.('prepared');
  let written = false;
  let failure: FailureReport | undefined;
  const notWritten = async (reason: string): Promise<TxOutcome> => {
    entry = await deps.journal.setState(entry, 'rolled-back', { note: `not written: ${reason}` });
    return { kind: 'not-written', entry, reason };
  };
  if (after !== undefined && deps.expectSha256 !== undefined && (entry.files[0]?.sha256Before ?? null) !== deps.expectSha256) {
    return notWritten(`${target} changed after ds-harden read it (another run or an editor saved it); nothing was written. Run again to plan against the new file.`);
  }
  const ig = deps.integrator;
  let integrator: IntegratorOutcome | undefined;
  try {
    if (ig) entry = await deps.journal.saveIntegrator(entry, ig.kind, ig.occ, ig.backup());
    throwIfAborted(deps.signal);
    // Record the hash of the bytes about to be written before writing them: if the process dies after the
    // rename but before the journal says so, `rollback` must still know the new bytes as this apply's own
    // (not as an edit made later by someone else, which it refuses to overwrite).
    if (after !== undefined) {
      entry = await deps.journal.recordAfter(entry, target, createHash('sha256').update(after).digest('hex'));
      const { sha256 } = await deps.writeFile(target, after);
      written = true;
      entry = await deps.journal.recordAfter(entry, target, sha256);
    }
    entry = await deps.journal.setState(entry, 'written');
    await deps.pause?.('written');
    throwIfAborted(deps.signal);

    const readable = after === undefined ? true : await deps.serviceCanRead(target);
    if (readable === false) {
      failure = { reason: `the DS service user cannot read ${target} after the write; DS would not start`, failed: [], logs: [] };
    } else {
      entry = await deps.journal.setState(entry, 'restarting', { restarted: [...running] });
      await deps.pause?.('restarting');
      throwIfAborted(deps.signal);
      const setIntegrator = ig
        ? async () => {
            await ig.apply();
            entry = await deps.journal.setIntegratorState(entry, 'set');
          }
        : undefined;
      failure = await restartAndVerify(deps, running, deps.signal, setIntegrator);
      throwIfAborted(deps.signal);
      if (!failure && ig) {
        const { verdict, report } = await ig.verify();
        integrator = { verdict, report };
        if (verdict.kind === 'broke') failure = { reason: verdict.why, failed: [], logs: [] };
      }
      throwIfAborted(deps.signal);
    }
    if (!failure) {
      entry = await deps.journal.setState(entry, 'verified');
      await deps.pause?.('verified');
      entry = await deps.journal.setState(entry, 'committed');
      return { kind: 'changed', entry, restarted: running, ...(integrator ? { integrator } : {}) };
    }
  } catch (e) {
    if (!written && (e as Error)?.name === 'ChangedSinceReadError') return notWritten((e as Error).message);
    if (e instanceof Aborted || deps.signal.aborted) {
      failure = { reason: `interrupted by ${String(deps.signal.reason ?? (e as Aborted).signalName)}`, failed: [], logs: [] };
    } else {
      failure = { reason: `apply failed: ${(e as Error).message}`, failed: [], logs: [] };
    }
  }
  const rb = await rollBack(entry, failure, written, running, deps);
  return integrator && rb.kind !== 'not-written' && rb.kind !== 'changed' ? { ...rb, integrator: { ...integrator, ...rb.integrator } } : rb;
}

/**
 * Restore the backup, restart the same services, undo the integrator end (when the entry says it was set),
 * verify; then run the integrator's check again. Never throws.
 */
export async function rollBack(
  entry0: JournalEntry,
  failure: FailureReport,
  written: boolean,
  running: readonly string[],
  deps: Omit<TxDeps, 'signal' | 'writeFile' | 'serviceCanRead'>,
): Promise<TxOutcome> {
  let entry = entry0;
  deps.progress(`rolling back: ${failure.reason}`);
  const ig = deps.integrator;
  let integrator: IntegratorOutcome | undefined;
  const undoIntegrator = ig
    ? async () => {
        if (entry.integrator?.state !== 'set') return;
        try {
          await ig.undo();
          entry = await deps.journal.setIntegratorState(entry, 'restored');
          integrator = { restored: true };
        } catch (e) {
          integrator = { restored: false, undoError: (e as Error).message };
        }
      }
    : undefined;
  try {
    entry = await deps.journal.setState(entry, 'rolling-back', { note: failure.reason });
    if (written) await deps.journal.restore(entry);
    await deps.pause?.('rollback:restored');
    // the restart after restoring must not be interrupted by the same signal
    const again = written ? await restartAndVerify({ ...deps, restartAll: false }, running, undefined, undoIntegrator) : undefined;
    if (!written) await undoIntegrator?.();
    if (integrator?.undoError) {
      entry = await deps.journal.setState(entry, 'rollback-failed', { note: `${failure.reason}; integrator: ${integrator.undoError}` });
      return { kind: 'rollback-failed', entry, failure, rollbackError: `DS is restored, but the integrator's old values are not: ${integrator.undoError}`, integrator };
    }
    if (again) {
      entry = await deps.journal.setState(entry, 'rollback-failed', { note: `${failure.reason}; after restore: ${again.reason}` });
      return { kind: 'rollback-failed', entry, failure: { ...failure, logs: [...failure.logs, ...again.logs] }, rollbackError: again.reason, ...(integrator ? { integrator } : {}) };
    }
    // the app stores a failed check (settings_error) and hides its editors until a check passes: check again
    if (ig && integrator?.restored) integrator = { ...integrator, recheck: await ig.recheck().catch((e: Error) => ({ ok: false, auth: false, message: e.message })) };
    entry = await deps.journal.setState(entry, 'rolled-back', { note: failure.reason });
    return { kind: 'rolled-back', entry, failure, restarted: written ? running : [], ...(integrator ? { integrator } : {}) };
  } catch (e) {
    const msg = (e as Error).message;
    try {
      entry = await deps.journal.setState(entry, 'rollback-failed', { note: `${failure.reason}; rollback: ${msg}` });
    } catch {
      /* the journal itself failed; the outcome below still tells the user */
    }
    return { kind: 'rollback-failed', entry, failure, rollbackError: msg };
  }
}
