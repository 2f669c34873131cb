/**
 * One face for the service managers DS runs under (ds-facts §5): which config-reading services run,
 * restart them, watch them settle, and read the tail of a failing one's log.
 */
import { Supervisor, detectPrograms, SupervisorUnavailableError } from './supervisor.js';

import type { WatchFailure } from './watch-types.js';

export type ServiceFailure = Readonly<WatchFailure>;

export interface ServicePort {
  readonly kind: 'supervisor' | 'systemd';
  /** Services that load the DS config (DocService, FileConverter) and are running now. */
  running(): Promise<string[]>;
  /** Restart `names` (or, with all=true, the literal `supervisorctl restart all`). */
  restart(names: readonly string[], all: boolean): Promise<{ ok: boolean; failed: ServiceFailure[]; output: string }>;
  /** Sample states for the settle window; fail on crash loops, pid changes, FATAL/BACKOFF/EXITED. */
  watch(names: readonly string[], opts: { settleMs: number; signal?: AbortSignal; onProgress?: (text: string) => void }): Promise<{ ok: boolean; failed: ServiceFailure[] }>;
  /** Last lines of a service's error output (for the failure report). */
  logTail(name: string): Promise<string>;
  /** Remember where each service's logs end now (call before a restart). */
  logMark(names: readonly string[]): Promise<LogMark>;
  /** What `name` wrote to its logs since `mark` (stdout and stderr, or the journal), last lines of each. */
  logsSince(name: string, mark: LogMark): Promise<ServiceLog[]>;
}

/** Opaque position in the services' logs, from logMark(). */
export interface LogMark {
  readonly at: number;
  readonly tails: ReadonlyMap<string, string>;
}

export interface ServiceLog {
  readonly name: string;
  /** stdout (out.log: DS's run-time errors go here), stderr (err.log: config-load errors), or journal. */
  readonly stream: 'stdout' | 'stderr' | 'journal';
  readonly tail: string;
}

/** How much of a supervisor log is fetched to find what was appended (bytes). */
const LOG_WINDOW = 256 * 1024;
/** Lines of each log shown in a failure report. */
const LOG_LINES = 15;

/**
 * The part of `after` appended since `before` was read (both are the last LOG_WINDOW bytes of the same log).
 * Exact while the log fits in the window; beyond it the end of `before` is found in `after` (the last 4 kB as an
 * anchor). A log that was rotated or truncated counts as all new.
 */
export function appendedSince(before: string, after: string): string {
  if (before === '') return after;
  if (before.length < LOG_WINDOW && after.startsWith(before)) return after.slice(before.length);
  const anchor = before.slice(-4096);
  const i = after.lastIndexOf(anchor);
  return i < 0 ? after : after.slice(i + anchor.length);
}

function lastLines(text: string, n = LOG_LINES): string {
  return text.replace(/\s+$/, '').split('\n').slice(-n).join('\n');
}

export function supervisorPort(sup: Supervisor): ServicePort {
  return {
    kind: 'supervisor',
    async running() {
      const states = await sup.status();
      const found = detectPrograms(states);
      const readers = [found.docservice, found.converter].filter((n): n is string => Boolean(n));
      return readers.filter((n) => states.find((s) => s.name === n)?.state === 'RUNNING');
    },
    async restart(names, all) {
      // One supervisorctl per program, side by side: `restart a b` starts a, waits out its startsecs, then starts
      // b and waits again, so with DocService + FileConverter the verdict came a whole startsecs (and a
      // supervisord tick) later than it needs to.
      const rs = all ? [await sup.restart(['all'])] : await Promise.all(names.map((n) => sup.restart([n])));
      const failed = rs.flatMap((r) => r.spawnErrors).map((name) => ({ name, state: 'spawn error', reason: 'exited within startsecs (ERROR (spawn error))' }));
      return { ok: rs.every((r) => r.exitCode === 0) && failed.length === 0, failed, output: rs.map((r) => r.output).join('\n') };
    },
    async watch(names, opts) {
      const r = await sup.watch([...names], {
        settleMs: opts.settleMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (states) => opts.onProgress?.(states.map((s) => `${s.name} ${s.state}`).join(', ')),
      });
      return { ok: r.ok, failed: r.failed };
    },
    async logTail(name) {
      try {
        const text = await sup.tail(name, 'stderr', 2000);
        return text.split('\n').slice(-15).join('\n');
      } catch (e) {
        return e instanceof SupervisorUnavailableError ? '' : String(e);
      }
    },
    async logMark(names) {
      const at = Date.now();
      const keys = names.flatMap((n) => (['stdout', 'stderr'] as const).map((stream) => ({ n, stream })));
      const texts = await Promise.all(keys.map((k) => sup.tail(k.n, k.stream, LOG_WINDOW).catch(() => '')));
      return { at, tails: new Map(keys.map((k, i) => [`${k.n}\0${k.stream}`, texts[i]!])) };
    },
    async logsSince(name, mark) {
      const streams = ['stdout', 'stderr'] as const;
      const afters = await Promise.all(streams.map((stream) => sup.tail(name, stream, LOG_WINDOW).catch(() => '')));
      const out: ServiceLog[] = [];
      streams.forEach((stream, i) => {
        const fresh = lastLines(appendedSince(mark.tails.get(`${name}\0${stream}`) ?? '', afters[i]!));
        if (fresh.trim()) out.push({ name, stream, tail: fresh });
      });
      return out;
    },
  };
}

/** The subset of the systemd adapter the port needs (see systemd.ts). */
interface SystemdLike {
  running(candidates?: string[]): Promise<string[]>;
  restart(units: string[]): Promise<{ exitCode: number; output: string }>;
  watch(
    units: string[],
    opts: { settleMs: number; signal?: AbortSignal; onProgress?: (s: { name: string; activeState: string; subState: string; nRestarts: number }[]) => void },
  ): Promise<{ ok: boolean; failed: ServiceFailure[] }>;
  logTail(unit: string, lines?: number): Promise<string>;
  logSince(unit: string, sinceMs: number, lines?: number): Promise<string>;
}

export function systemdPort(sd: SystemdLike): ServicePort {
  return {
    kind: 'systemd',
    running: () => sd.running(['ds-docservice.service', 'ds-converter.service']),
    async restart(names) {
      // systemctl restart returns 0 even when the unit crashes a moment later: watch() decides
      const r = await sd.restart([...names]);
      return { ok: r.exitCode === 0, failed: r.exitCode === 0 ? [] : names.map((n) => ({ name: n, state: 'failed', reason: r.output })), output: r.output };
    },
    async watch(names, opts) {
      const r = await sd.watch([...names], {
        settleMs: opts.settleMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (units) => opts.onProgress?.(units.map((u) => `${u.name} ${u.activeState}/${u.subState} restarts=${u.nRestarts}`).join(', ')),
      });
      return { ok: r.ok, failed: r.failed };
    },
    logTail: (name) => sd.logTail(name, 15).catch(() => ''),
    async logMark() {
      return { at: Date.now(), tails: new Map() };
    },
    async logsSince(name, mark) {
      const text = lastLines(await sd.logSince(name, mark.at, LOG_LINES).catch(() => ''));
      return text.trim() ? [{ name, stream: 'journal', tail: text }] : [];
    },
  };
}
