/**
 * The apply transaction: backup → write → restart → verify → commit, or restore → restart → verify.
 * Every side effect comes in through `TxDeps`, so each failure point is testable without a machine.
 *
 * States recorded in the journal (so a crash at any point can be recovered from):
 *   prepared (backup taken) → written (new bytes in place) → restarting → verified → committed
 *   on failure: rolling-back → rolled-back | rollback-failed
 */
import { createHash } from 'node:crypto';
import type { ServiceFailure, ServicePort } from '../adapters/services/port.js';
import type { Journal, JournalEntry } from '../adapters/journal.js';

export interface HealthPort {
  /** One verdict within its own deadline: ok, or a sentence saying what is wrong. */
  check(signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

export interface TxDeps {
  readonly journal: Pick<Journal, 'begin' | 'setState' | 'recordAfter' | 'restore'>;
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
  /** Last lines of each failing service's error log (the caller scrubs secrets). */
  readonly logs: readonly { name: string; tail: string }[];
}

export type TxOutcome =
  | { readonly kind: 'changed'; readonly entry: JournalEntry; readonly restarted: readonly string[]; readonly health?: string }
  | { readonly kind: 'rolled-back'; readonly entry: JournalEntry; readonly failure: FailureReport; readonly restarted: readonly string[] }
  | { readonly kind: 'rollback-failed'; readonly entry: JournalEntry; readonly failure: FailureReport; readonly rollbackError: string };

class Aborted extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted (${signalName})`);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Aborted(String(signal.reason ?? 'SIGINT'));
}

/** Restart `names`, watch them settle, probe health. Returns undefined when healthy, else what failed. */
export async function restartAndVerify(
  deps: Pick<TxDeps, 'services' | 'health' | 'settleMs' | 'restartAll' | 'progress'>,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<FailureReport | undefined> {
  const { services, health } = deps;
  if (services && (names.length > 0 || deps.restartAll)) {
    deps.progress(deps.restartAll ? `restarting: supervisorctl restart all` : `restarting ${names.join(', ')} (${services.kind})`);
    const r = await services.restart(names, deps.restartAll);
    if (!r.ok) {
      return { reason: `restart failed: ${r.failed.map((f) => `${f.name} ${f.state}`).join(', ') || r.output}`, failed: r.failed, logs: await logs(services, r.failed) };
    }
    deps.progress(`waiting ${Math.round(deps.settleMs / 100) / 10} s for the services to settle`);
    const w = await services.watch(names, { settleMs: deps.settleMs, ...(signal ? { signal } : {}), onProgress: (t) => deps.progress(`  ${t}`) });
    if (!w.ok) {
      return { reason: `services did not stay up: ${w.failed.map((f) => `${f.name} ${f.state} (${f.reason})`).join('; ')}`, failed: w.failed, logs: await logs(services, w.failed) };
    }
  }
  if (health) {
    deps.progress('probing the healthcheck');
    const h = await health.check(signal);
    if (!h.ok) return { reason: `healthcheck failed: ${h.detail}`, failed: [], logs: services ? await logs(services, names.map((n) => ({ name: n, state: '', reason: '' }))) : [] };
    deps.progress(`healthcheck: ${h.detail}`);
  }
  return undefined;
}

async function logs(services: ServicePort, failed: readonly ServiceFailure[]): Promise<{ name: string; tail: string }[]> {
  const out: { name: string; tail: string }[] = [];
  for (const name of [...new Set(failed.map((f) => f.name))]) {
    const tail = (await services.logTail(name).catch(() => '')).trim();
    if (tail) out.push({ name, tail });
  }
  return out;
}

/**
 * Run the transaction for one file. The caller holds the lock and has validated `after`.
 * `running` = the config-reading services that were running before (they are restarted; stopped ones stay stopped).
 */
export async function runTransaction(
  target: string,
  after: string,
  running: readonly string[],
  deps: TxDeps,
): Promise<TxOutcome> {
  let entry = await deps.journal.begin('apply', [target]);
  await deps.pause?.('prepared');
  let written = false;
  let failure: FailureReport | undefined;
  try {
    throwIfAborted(deps.signal);
    // Record the hash of the bytes about to be written before writing them: if the process dies after the
    // rename but before the journal says so, `rollback` must still know the new bytes as this apply's own
    // (not as an edit made later by someone else, which it refuses to overwrite).
    entry = await deps.journal.recordAfter(entry, target, createHash('sha256').update(after).digest('hex'));
    const { sha256 } = await deps.writeFile(target, after);
    written = true;
    entry = await deps.journal.recordAfter(entry, target, sha256);
    entry = await deps.journal.setState(entry, 'written');
    await deps.pause?.('written');
    throwIfAborted(deps.signal);

    const readable = await deps.serviceCanRead(target);
    if (readable === false) {
      failure = { reason: `the DS service user cannot read ${target} after the write; DS would not start`, failed: [], logs: [] };
    } else {
      entry = await deps.journal.setState(entry, 'restarting', { restarted: [...running] });
      await deps.pause?.('restarting');
      throwIfAborted(deps.signal);
      failure = await restartAndVerify(deps, running, deps.signal);
      throwIfAborted(deps.signal);
    }
    if (!failure) {
      entry = await deps.journal.setState(entry, 'verified');
      await deps.pause?.('verified');
      entry = await deps.journal.setState(entry, 'committed');
      return { kind: 'changed', entry, restarted: running };
    }
  } catch (e) {
    if (e instanceof Aborted || deps.signal.aborted) {
      failure = { reason: `interrupted by ${String(deps.signal.reason ?? (e as Aborted).signalName)}`, failed: [], logs: [] };
    } else {
      failure = { reason: `apply failed: ${(e as Error).message}`, failed: [], logs: [] };
    }
  }
  return rollBack(entry, failure, written, running, deps);
}

/** Restore the backup, restart the same services, verify. Never throws. */
export async function rollBack(
  entry0: JournalEntry,
  failure: FailureReport,
  written: boolean,
  running: readonly string[],
  deps: Omit<TxDeps, 'signal' | 'writeFile' | 'serviceCanRead'>,
): Promise<TxOutcome> {
  let entry = entry0;
  deps.progress(`rolling back: ${failure.reason}`);
  try {
    entry = await deps.journal.setState(entry, 'rolling-back', { note: failure.reason });
    if (written) await deps.journal.restore(entry);
    await deps.pause?.('rollback:restored');
    // the restart after restoring must not be interrupted by the same signal
    const again = written ? await restartAndVerify({ ...deps, restartAll: false }, running) : undefined;
    if (again) {
      entry = await deps.journal.setState(entry, 'rollback-failed', { note: `${failure.reason}; after restore: ${again.reason}` });
      return { kind: 'rollback-failed', entry, failure, rollbackError: again.reason };
    }
    entry = await deps.journal.setState(entry, 'rolled-back', { note: failure.reason });
    return { kind: 'rolled-back', entry, failure, restarted: written ? running : [] };
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
