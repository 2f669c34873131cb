/**
 * systemd service-manager adapter for deb/rpm installs of DS 7.3+ (ds-facts §5.1): units
 * ds-docservice.service, ds-converter.service (ds-metrics.service does not read local.json).
 *
 * Everything goes through `systemctl` / `journalctl` with an argv array (never a shell), with
 * LC_ALL=C so the output can be parsed.
 *
 * Behaviour this relies on (ds-facts §5.2/§5.4, checked against a systemd 252 manager running units
 * shaped like DS's: Type=simple, Restart=always, RestartSec=30, `sh -c 'exec … 2>&1 | tee -a …'`):
 * - `systemctl restart` returns 0 as soon as the main process is forked. It says nothing about DS.
 * - A DS process that dies at start-up leaves the unit in `activating (auto-restart)` with MainPID=0
 *   for RestartSec (30 s), then systemd starts it again and NRestarts goes up by one. With 8.0+ units
 *   the main process is `sh` and the exit status is tee's, so ExecMainStatus is 0 and the unit is
 *   never `failed`: `is-failed` is useless, watch() is needed.
 * - `systemctl show -p A,B units…` prints one blank-line separated block per unit, in the order the
 *   units were given (duplicates repeated), but the properties inside a block come in systemd's own
 *   order, not in the order of -p. Unknown units give `LoadState=not-found` and exit 0.
 * - NRestarts is not a reliable absolute number: a manual restart of a running unit resets it to 0
 *   (systemd 252), a restart out of `auto-restart` keeps it. watch() therefore only compares samples
 *   taken after restart() returned. (Absent on systemd < 235; then parsed as 0 and watch() relies on
 *   MainPID and ExecMainStartTimestampMonotonic.)
 */
import { execa } from 'execa';
import { sleep } from '../sleep.js';
import type { WatchFailure, WatchResult } from './watch-types.js';
export type { WatchFailure, WatchResult } from './watch-types.js';

export interface UnitState {
  /** the unit's Id as systemd reports it ("ds-docservice.service"); the requested name when there is no Id */
  name: string;
  activeState: string;
  subState: string;
  /** 0 when there is no main process (inactive, auto-restart) */
  mainPid: number;
  /** 0 when the property is missing (systemd < 235) */
  nRestarts: number;
  execMainStatus: number;
  /** µs since boot (CLOCK_MONOTONIC) of the last start of the main process; 0 if never started */
  execMainStartTimestampMonotonic?: number;
  /** loaded, not-found, masked, error, bad-setting; 'unknown' when the unit was missing from the output */
  loadState: string;
}

export interface SystemdOptions {
  /** systemctl binary; default 'systemctl' (looked up in PATH) */
  systemctl?: string;
  /** journalctl binary; default 'journalctl' */
  journalctl?: string;
  /**
   * Environment for the children. When given, it is the whole environment (nothing inherited); pass a copy
   * of process.env for inheritance. When omitted, the child inherits this process's environment.
   * LC_ALL=C and LANG=C are always set on top.
   */
  env?: Record<string, string>;
  /** kill show / journalctl after this many ms (default 30 000) */
  timeoutMs?: number;
  /** kill `systemctl restart` after this many ms (default 660 000: DS units have TimeoutSec=600) */
  restartTimeoutMs?: number;
}

export interface RestartResult {
  exitCode: number;
  /** stdout + stderr, trimmed */
  output: string;
}

export interface SystemdWatchOptions {
  /** how long the units must stay up */
  settleMs: number;
  /** default 500 */
  intervalMs?: number;
  onProgress?: (states: UnitState[]) => void;
  /** abort → watch resolves { ok: false } with reason 'aborted' for every unit */
  signal?: AbortSignal;
  /**
   * States captured right after restart() returned. NRestarts and MainPID of the first sample are compared
   * with these. Never pass states from *before* the restart: the restart itself changes MainPID.
   */
  baseline?: UnitState[];
}


export type SystemdUnavailableReason = 'not-installed' | 'no-systemd' | 'timeout' | 'unexpected';

/** systemctl/journalctl cannot run, or systemd cannot be reached. Not a unit failure. */
export class SystemdUnavailableError extends Error {
  override readonly name = 'SystemdUnavailableError';
  constructor(
    message: string,
    readonly reason: SystemdUnavailableReason,
    readonly output: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

export const SHOW_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'NRestarts',
  'ExecMainStatus',
  'ExecMainStartTimestampMonotonic',
] as const;

export const DEFAULT_CANDIDATES: readonly string[] = ['ds-docservice.service', 'ds-converter.service'];

/** First second after watch() starts: units may still be in a transient state (e.g. activating/start). */
const GRACE_MS = 1000;

const UNIT_SUFFIX = /\.(service|socket|target|timer|mount|automount|path|slice|scope|device|swap)$/;

/** "ds-docservice" → "ds-docservice.service" (what systemctl does with a bare name). */
export function canonicalUnitName(name: string): string {
  return UNIT_SUFFIX.test(name) ? name : `${name}.service`;
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^-?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

function missingUnit(name: string): UnitState {
  return { name, loadState: 'unknown', activeState: 'unknown', subState: 'unknown', mainPid: 0, nRestarts: 0, execMainStatus: 0 };
}

function blockToState(props: Map<string, string>, fallbackName: string): UnitState {
  const state: UnitState = {
    name: props.get('Id') || fallbackName,
    loadState: props.get('LoadState') || 'unknown',
    activeState: props.get('ActiveState') || 'unknown',
    subState: props.get('SubState') || 'unknown',
    mainPid: toInt(props.get('MainPID')) ?? 0,
    nRestarts: toInt(props.get('NRestarts')) ?? 0,
    execMainStatus: toInt(props.get('ExecMainStatus')) ?? 0,
  };
  const mono = toInt(props.get('ExecMainStartTimestampMonotonic'));
  if (mono !== undefined) state.execMainStartTimestampMonotonic = mono;
  return state;
}

/**
 * Parse `systemctl show -p … <units…>` output: blank-line separated blocks of KEY=VALUE, one per unit in the
 * order requested, properties in any order. CRLF, stray blank lines and non KEY=VALUE lines are tolerated.
 * With `requested`, the result has exactly one entry per requested unit, in that order: blocks are matched
 * by position when the counts agree, else by Id; a unit with no block gets loadState 'unknown'.
 */
export function parseShow(text: string, requested?: string[]): UnitState[] {
  const blocks: Map<string, string>[] = [];
  let cur: Map<string, string> | undefined;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line === '') {
      cur = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) continue;
    if (!cur) {
      cur = new Map();
      blocks.push(cur);
    } else if (cur.has(key) && key === 'Id') {
      // a second Id without a blank line in between: treat as a new block
      cur = new Map();
      blocks.push(cur);
    }
    cur.set(key, line.slice(eq + 1));
  }
  if (!requested) return blocks.map((b) => blockToState(b, ''));
  if (blocks.length === requested.length) return blocks.map((b, i) => blockToState(b, requested[i]!));
  const used = new Set<number>();
  return requested.map((name) => {
    const want = canonicalUnitName(name);
    const i = blocks.findIndex((b, j) => !used.has(j) && b.get('Id') === want);
    if (i === -1) return missingUnit(want);
    used.add(i);
    return blockToState(blocks[i]!, want);
  });
}

function assertUnits(units: string[], what: string): void {
  if (!Array.isArray(units) || units.length === 0) throw new TypeError(`${what}: no unit names given`);
  for (const u of units) {
    // eslint-disable-next-line no-control-regex
    if (typeof u !== 'string' || u === '' || u.length > 256 || /[\s\u0000-\u001f\u007f]/.test(u) || u.startsWith('-')) {
      throw new TypeError(`${what}: invalid unit name ${JSON.stringify(u)}`);
    }
  }
}

function isRunning(s: UnitState): boolean {
  return s.activeState === 'active' && s.subState === 'running';
}

function stateOf(s: UnitState): string {
  return `${s.activeState}/${s.subState}`;
}


interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class Systemd {
  private readonly systemctl: string;
  private readonly journalctl: string;
  private readonly env: Record<string, string> | undefined;
  private readonly timeoutMs: number;
  private readonly restartTimeoutMs: number;

  constructor(opts: SystemdOptions = {}) {
    this.systemctl = opts.systemctl ?? 'systemctl';
    this.journalctl = opts.journalctl ?? 'journalctl';
    this.env = opts.env ? { ...opts.env } : undefined;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.restartTimeoutMs = opts.restartTimeoutMs ?? 660_000;
  }

  /** Run a binary; throws SystemdUnavailableError only when it cannot run at all or times out. */
  private async run(bin: string, args: string[], timeout: number, signal?: AbortSignal): Promise<RunResult> {
    const r = await execa(bin, args, {
      reject: false,
      shell: false,
      stdin: 'ignore',
      // its own process group: a Ctrl-C at the terminal reaches ds-harden (which rolls back), not this child
      detached: true,
      timeout,
      ...(signal ? { cancelSignal: signal } : {}),
      extendEnv: this.env === undefined,
      env: { ...(this.env ?? {}), LC_ALL: 'C', LANG: 'C' },
      stripFinalNewline: true,
    });
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const output = `${stdout}\n${stderr}`.trim();
    const cmd = `${bin} ${args.join(' ')}`;
    if (r.timedOut) throw new SystemdUnavailableError(`${cmd}: timed out after ${timeout} ms`, 'timeout', output);
    if (r.exitCode === undefined) {
      const code = (r as { code?: string }).code;
      if (code === 'ENOENT') throw new SystemdUnavailableError(`${bin}: not found`, 'not-installed', output);
      throw new SystemdUnavailableError(`${cmd}: ${r.message}`, 'unexpected', output);
    }
    return { exitCode: r.exitCode, stdout, stderr };
  }

  private async showRaw(units: string[], signal?: AbortSignal): Promise<UnitState[]> {
    assertUnits(units, 'show');
    const args = ['show', '-p', SHOW_PROPERTIES.join(','), ...units];
    const r = await this.run(this.systemctl, args, this.timeoutMs, signal);
    if (r.exitCode !== 0) {
      const text = `${r.stdout}\n${r.stderr}`.trim();
      const noSystemd = /not been booted with systemd|Failed to connect to bus|Host is down/i.test(text);
      throw new SystemdUnavailableError(
        `systemctl show: ${text || `exit ${r.exitCode}`}`,
        noSystemd ? 'no-systemd' : 'unexpected',
        text,
        r.exitCode,
      );
    }
    return parseShow(r.stdout, units);
  }

  /**
   * systemctl runs, systemd answers `show -p LoadState ds-docservice.service`, and that unit exists
   * (LoadState other than not-found; a masked unit counts, so restart can report it).
   */
  async available(): Promise<boolean> {
    try {
      const r = await this.run(this.systemctl, ['show', '-p', 'LoadState', 'ds-docservice.service'], this.timeoutMs);
      const m = /^LoadState=(.*)$/m.exec(r.stdout);
      return r.exitCode === 0 && m !== null && m[1]!.trim() !== '' && m[1]!.trim() !== 'not-found';
    } catch {
      return false;
    }
  }

  /** One state per requested unit, in the order given. Throws SystemdUnavailableError when systemd cannot be asked. */
  show(units: string[]): Promise<UnitState[]> {
    return this.showRaw(units);
  }

  /** The candidates whose ActiveState is `active`, as unit Ids. */
  async running(candidates: string[] = [...DEFAULT_CANDIDATES]): Promise<string[]> {
    const states = await this.show(candidates);
    return states.filter((s) => s.activeState === 'active').map((s) => s.name);
  }

  /**
   * `systemctl --no-ask-password restart <units…>`. Exit 0 only means systemd forked the main process
   * (Type=simple): always follow with watch(). Exit 5 with "Unit … not found", 4 / "Access denied" without root.
   */
  async restart(units: string[]): Promise<RestartResult> {
    assertUnits(units, 'restart');
    const r = await this.run(this.systemctl, ['--no-ask-password', 'restart', ...units], this.restartTimeoutMs);
    return { exitCode: r.exitCode, output: [r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n').trim() };
  }

  /** Last lines of the unit's journal (`journalctl -u <unit> -n <lines> --no-pager -o cat`); '' when journalctl is missing or fails to run. */
  async logTail(unit: string, lines = 20): Promise<string> {
    assertUnits([unit], 'logTail');
    const n = Math.min(10_000, Math.max(1, Math.floor(Number.isFinite(lines) ? lines : 20)));
    try {
      const r = await this.run(this.journalctl, ['-u', unit, '-n', String(n), '--no-pager', '-o', 'cat'], this.timeoutMs);
      return r.stdout;
    } catch {
      return '';
    }
  }

  /**
   * What the unit logged since `sinceMs` (epoch ms): `journalctl -u <unit> --since @<seconds> -n <lines> --no-pager -o cat`
   * (systemd.time(7): "@" followed by seconds since the epoch). '' when journalctl is missing or fails to run.
   */
  async logSince(unit: string, sinceMs: number, lines = 20): Promise<string> {
    assertUnits([unit], 'logSince');
    const n = Math.min(10_000, Math.max(1, Math.floor(Number.isFinite(lines) ? lines : 20)));
    const since = `@${Math.floor(sinceMs / 1000)}`;
    try {
      const r = await this.run(this.journalctl, ['-u', unit, '--since', since, '-n', String(n), '--no-pager', '-o', 'cat'], this.timeoutMs);
      return r.stdout;
    } catch {
      return '';
    }
  }

  /**
   * Sample `systemctl show` every intervalMs for settleMs. Fails (and stops) as soon as a unit
   * - is not loaded (not-found, masked, …),
   * - is `failed`, or `activating (auto-restart)` (its main process exited and Restart=always will restart it),
   * - has a higher NRestarts than in the baseline (opts.baseline, else the first sample),
   * - has a different MainPID or ExecMainStartTimestampMonotonic than in the previous sample,
   * - is not active/running in a sample taken after the first second, or in the last sample.
   * Call it right after restart() returns. Throws SystemdUnavailableError if systemctl stops answering.
   */
  async watch(units: string[], opts: SystemdWatchOptions): Promise<WatchResult> {
    assertUnits(units, 'watch');
    const interval = Math.max(10, opts.intervalMs ?? 500);
    const settle = Math.max(0, opts.settleMs);
    const signal = opts.signal;
    const t0 = Date.now();
    let samples = 0;
    let prev: UnitState[] | undefined;
    let last: UnitState[] | undefined;
    const baseline = new Map<string, UnitState>();
    for (const b of opts.baseline ?? []) baseline.set(canonicalUnitName(b.name), b);

    const done = (failed: WatchFailure[]): WatchResult => ({ ok: failed.length === 0, failed, samples, elapsedMs: Date.now() - t0 });
    const aborted = (): WatchResult =>
      done(units.map((u, i) => ({ name: last?.[i]?.name ?? canonicalUnitName(u), state: last?.[i] ? stateOf(last[i]) : 'unknown', reason: 'aborted' })));

    for (;;) {
      if (signal?.aborted) return aborted();
      // The verdict comes from a sample *started* at or after settleMs.
      const sampleStart = Date.now() - t0;
      let states: UnitState[];
      try {
        states = await this.showRaw(units, signal);
      } catch (err) {
        if (signal?.aborted) return aborted();
        throw err;
      }
      if (signal?.aborted) return aborted();
      samples++;
      last = states;
      opts.onProgress?.(states);

      const failed: WatchFailure[] = [];
      states.forEach((s, i) => {
        const key = canonicalUnitName(s.name);
        if (!baseline.has(key)) baseline.set(key, s); // first sample is the baseline when none was given
        const base = baseline.get(key)!;
        const before = prev?.[i] ?? (opts.baseline ? base : undefined);
        const reasons: string[] = [];

        if (s.loadState !== 'loaded') reasons.push(`unit is not loaded (LoadState=${s.loadState})`);
        if (s.activeState === 'failed') {
          reasons.push(`unit failed (${s.subState}), ExecMainStatus=${s.execMainStatus}`);
        } else if (s.activeState === 'activating' && s.subState === 'auto-restart') {
          const status =
            s.execMainStatus === 0
              ? 'ExecMainStatus=0, which on DS 8.0+ units is the status of tee, not of DS'
              : `ExecMainStatus=${s.execMainStatus}`;
          const counter = s.nRestarts > base.nRestarts ? `NRestarts ${base.nRestarts} -> ${s.nRestarts}` : `NRestarts=${s.nRestarts}, counted when the restart happens`;
          reasons.push(
            `activating (auto-restart): the main process exited (${status}) and Restart=always will start it again after RestartSec — the service crashed (${counter})`,
          );
        }
        if (before && before.mainPid > 0 && s.mainPid > 0 && before.mainPid !== s.mainPid) {
          reasons.push(`MainPID changed ${before.mainPid} -> ${s.mainPid}: the process exited and was started again`);
        } else if (
          before &&
          (before.execMainStartTimestampMonotonic ?? 0) > 0 &&
          (s.execMainStartTimestampMonotonic ?? 0) > 0 &&
          before.execMainStartTimestampMonotonic !== s.execMainStartTimestampMonotonic
        ) {
          reasons.push('ExecMainStartTimestampMonotonic changed: the main process was started again');
        }
        if (s.nRestarts > base.nRestarts && !(s.activeState === 'activating' && s.subState === 'auto-restart')) {
          reasons.push(`NRestarts increased ${base.nRestarts} -> ${s.nRestarts}: systemd restarted the service after it exited`);
        }
        if (reasons.length === 0 && !isRunning(s) && sampleStart >= GRACE_MS) {
          reasons.push(`${s.activeState} (${s.subState}), expected active (running), ${sampleStart} ms after watch started`);
        }
        if (reasons.length) failed.push({ name: s.name, state: stateOf(s), reason: reasons.join('; ') });
      });
      prev = states;
      if (failed.length) return done(failed);

      if (sampleStart >= settle) {
        return done(
          states
            .filter((s) => !isRunning(s))
            .map((s) => ({ name: s.name, state: stateOf(s), reason: `${s.activeState} (${s.subState}), expected active (running) after ${settle} ms` })),
        );
      }
      // fixed cadence: sample k is due at t0 + k*interval
      const nextDue = Math.max(samples * interval, Date.now() - t0);
      if (!(await sleep(Math.max(0, Math.min(nextDue, settle) - (Date.now() - t0)), signal))) return aborted();
    }
  }
}
