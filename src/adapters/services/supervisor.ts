/**
 * supervisor (supervisord/supervisorctl 4.x) service-manager adapter.
 *
 * Used by `ds-harden apply` for Docker images (all versions) and deb/rpm installs up to 7.2
 * (ds-facts §5.1). Everything goes through `supervisorctl` with an argv array (never a shell), with
 * LC_ALL=C so the output can be parsed.
 *
 * Real supervisor 4.2.5 behaviour this relies on (ds-observed §3, toolchain-notes):
 * - `restart` prints `<name>: stopped` / `<name>: started` and exits 0; a program that exits within
 *   startsecs gives `<name>: ERROR (spawn error)` and exit 7. A crash *after* startsecs still gives 0,
 *   hence watch().
 * - `status` exits 0 when all RUNNING, 3 when any is STOPPED/EXITED/FATAL, 0 during BACKOFF, 4 when the
 *   socket is unreachable (`unix:///… no such file`, `… refused connection`).
 * - RUNNING is not healthy: the caller must still probe /healthcheck.
 */
import { execa } from 'execa';
import type { WatchFailure, WatchResult } from './watch-types.js';
export type { WatchFailure, WatchResult } from './watch-types.js';

export type ProgramStateName = 'RUNNING' | 'STARTING' | 'BACKOFF' | 'STOPPED' | 'STOPPING' | 'EXITED' | 'FATAL' | 'UNKNOWN';

export interface ProgramState {
  /** namespec as supervisorctl prints it, e.g. "ds:docservice" (or "docservice" for an ungrouped program) */
  name: string;
  state: ProgramStateName;
  /** only in RUNNING (supervisorctl prints no pid for STARTING) */
  pid?: number;
  /** only in RUNNING; whole seconds */
  uptimeSec?: number;
  /** the rest of the status line, e.g. "pid 123, uptime 0:00:08" or "Exited too quickly (process log may have details)" */
  description: string;
}

export interface SupervisorOptions {
  /** supervisorctl binary; default 'supervisorctl' (looked up in PATH) */
  ctlPath?: string;
  /** supervisord.conf; passed as `-c <confPath>` when set */
  confPath?: string;
  /**
   * Environment for supervisorctl. When given, it is used as the whole environment (nothing inherited);
   * pass a copy of process.env if you want inheritance. When omitted, the child inherits this process's
   * environment. LC_ALL=C and LANG=C are always set on top.
   */
  env?: Record<string, string>;
  /** kill supervisorctl after this many ms (default 120 000: a restart waits for stopwaitsecs + startsecs) */
  timeoutMs?: number;
}

export interface CtlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ActionOutcome =
  | 'started'
  | 'stopped'
  | 'spawn error'
  | 'abnormal termination'
  | 'no such process'
  | 'no such group'
  | 'no such file'
  | 'file is not executable'
  | 'already started'
  | 'not running'
  | 'other';

export interface ActionLine {
  name: string;
  outcome: ActionOutcome;
  line: string;
}

export interface ActionResult {
  exitCode: number;
  /** stdout + stderr of supervisorctl, trimmed */
  output: string;
  /** programs that did not stay up through startsecs: `ERROR (spawn error)` or `ERROR (abnormal termination)` */
  spawnErrors: string[];
  /** one entry per `<name>: …` line */
  results: ActionLine[];
}

export interface WatchOptions {
  settleMs: number;
  /** default 250 */
  intervalMs?: number;
  onProgress?: (states: ProgramState[]) => void;
  /** aborting rejects watch() with the signal's reason */
  signal?: AbortSignal;
}


export type UnavailableReason = 'not-installed' | 'socket-missing' | 'refused' | 'no-config' | 'timeout' | 'unexpected';

/** supervisord cannot be reached (or supervisorctl cannot run at all). Not a program failure. */
export class SupervisorUnavailableError extends Error {
  override readonly name = 'SupervisorUnavailableError';
  constructor(
    message: string,
    readonly reason: UnavailableReason,
    readonly output: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

const STATES: readonly ProgramStateName[] = ['RUNNING', 'STARTING', 'BACKOFF', 'STOPPED', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];
const STATUS_LINE = new RegExp(`^(\\S+)\\s+(${STATES.join('|')})(?:\\s+(.*?))?\\s*$`);

/** Python timedelta str(): "0:00:08", "1 day, 2:03:04", "3 days, 0:00:01". */
export function parseUptime(text: string): number | undefined {
  const m = /^(?:(-?\d+) days?, )?(\d+):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const days = m[1] ? Number(m[1]) : 0;
  return days * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** Parse `supervisorctl status` output; lines that are not status lines are ignored. */
export function parseStatus(text: string): ProgramState[] {
  const out: ProgramState[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = STATUS_LINE.exec(raw);
    if (!m) continue;
    const state: ProgramState = { name: m[1]!, state: m[2] as ProgramStateName, description: m[3] ?? '' };
    if (state.state === 'RUNNING') {
      const d = /^pid (\d+), uptime (.+)$/.exec(state.description);
      if (d) {
        state.pid = Number(d[1]);
        const up = parseUptime(d[2]!);
        if (up !== undefined) state.uptimeSec = up;
      }
    }
    out.push(state);
  }
  return out;
}

const OUTCOMES: readonly ActionOutcome[] = [
  'spawn error',
  'abnormal termination',
  'no such process',
  'no such group',
  'no such file',
  'file is not executable',
  'already started',
  'not running',
];

/** Parse the `<name>: started|stopped|ERROR (…)` lines of start/stop/restart. */
export function parseActionOutput(text: string): ActionLine[] {
  const out: ActionLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(\S+): (started|stopped|ERROR \((.+)\))$/.exec(line);
    if (!m) continue;
    let outcome: ActionOutcome;
    if (m[2] === 'started' || m[2] === 'stopped') outcome = m[2];
    else outcome = (OUTCOMES as readonly string[]).includes(m[3]!) ? (m[3] as ActionOutcome) : 'other';
    out.push({ name: m[1]!, outcome, line });
  }
  return out;
}

/**
 * Recognise an unreachable supervisord in supervisorctl output. Careful: `<name>: ERROR (no such file)`
 * is a per-program result (missing command binary), `unix:///x.sock no such file` is the socket.
 */
export function unavailableReason(text: string): UnavailableReason | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^\S+:\/\/\S* no such file$/.test(line)) return 'socket-missing';
    if (/^\S+:\/\/\S* refused connection$/.test(line)) return 'refused';
    if (/^Error: could not find config file/.test(line) || /^Error: .*\.conf.*(?:not found|No such file)/i.test(line)) return 'no-config';
    if (/^Sorry, (?:this version of supervisorctl|supervisord responded)/.test(line)) return 'unexpected';
    if (/^error: <class '(?:socket\.error|PermissionError|ConnectionRefusedError|FileNotFoundError|OSError)'>/.test(line)) return 'unexpected';
  }
  return undefined;
}

/** DS program names as found in a status listing (ds-facts §5.1). */
export function detectPrograms(states: ProgramState[]): { docservice?: string; converter?: string; all: string[] } {
  // ≥ 5.3 deb/rpm and Docker: group "ds"; ≤ 5.2: group "onlyoffice-documentserver".
  const GROUPS = ['ds', 'onlyoffice-documentserver'];
  const groupOf = (name: string): string | undefined => (name.includes(':') ? name.slice(0, name.indexOf(':')) : undefined);
  const progOf = (name: string): string => (name.includes(':') ? name.slice(name.indexOf(':') + 1) : name);
  const rank = (name: string): number => {
    const g = groupOf(name);
    const i = g === undefined ? GROUPS.length : GROUPS.indexOf(g);
    return i === -1 ? GROUPS.length + 1 : i;
  };
  const pick = (prog: string): string | undefined =>
    states
      .map((s) => s.name)
      .filter((n) => progOf(n) === prog && rank(n) <= GROUPS.length)
      .sort((a, b) => rank(a) - rank(b))[0];
  const docservice = pick('docservice');
  const converter = pick('converter');
  const all = states.map((s) => s.name).filter((n) => {
    const g = groupOf(n);
    return (g !== undefined && GROUPS.includes(g)) || n === docservice || n === converter;
  });
  const res: { docservice?: string; converter?: string; all: string[] } = { all };
  if (docservice) res.docservice = docservice;
  if (converter) res.converter = converter;
  return res;
}

/** Does a namespec given to supervisorctl ("all", "ds:*", "ds", "ds:docservice", "docservice") cover `name`? */
function covers(spec: string, name: string): boolean {
  if (spec === 'all') return true;
  if (spec === name) return true;
  if (spec.endsWith(':*')) return name.startsWith(spec.slice(0, -1));
  if (!spec.includes(':')) return name.startsWith(`${spec}:`); // group name alone
  return false;
}

function assertNames(names: string[], what: string): void {
  if (names.length === 0) throw new TypeError(`${what}: no program names given`);
  for (const n of names) {
    if (typeof n !== 'string' || n === '' || /\s/.test(n) || n.startsWith('-')) {
      throw new TypeError(`${what}: invalid program name ${JSON.stringify(n)}`);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const FAILED_STATES: ReadonlySet<ProgramStateName> = new Set(['BACKOFF', 'FATAL', 'EXITED', 'STOPPED', 'STOPPING', 'UNKNOWN']);

export class Supervisor {
  private readonly ctlPath: string;
  private readonly confPath: string | undefined;
  private readonly env: Record<string, string> | undefined;
  private readonly timeoutMs: number;

  constructor(opts: SupervisorOptions = {}) {
    this.ctlPath = opts.ctlPath ?? 'supervisorctl';
    this.confPath = opts.confPath;
    this.env = opts.env ? { ...opts.env } : undefined;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  /** Run supervisorctl with the given arguments (after `-c conf`). Throws only when it cannot run at all. */
  async ctl(args: string[]): Promise<CtlResult> {
    const argv = [...(this.confPath !== undefined ? ['-c', this.confPath] : []), ...args];
    const r = await execa(this.ctlPath, argv, {
      reject: false,
      shell: false,
      stdin: 'ignore',
      // its own process group: a Ctrl-C at the terminal reaches ds-harden (which rolls back), not this child
      detached: true,
      timeout: this.timeoutMs,
      extendEnv: this.env === undefined,
      env: { ...(this.env ?? {}), LC_ALL: 'C', LANG: 'C' },
      stripFinalNewline: true,
    });
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const cmd = `${this.ctlPath} ${argv.join(' ')}`;
    if (r.timedOut) {
      throw new SupervisorUnavailableError(`${cmd}: timed out after ${this.timeoutMs} ms`, 'timeout', `${stdout}\n${stderr}`.trim());
    }
    const code = (r as { code?: string }).code;
    if (r.exitCode === undefined) {
      const msg = code === 'ENOENT' ? `${this.ctlPath}: not found (is supervisor installed?)` : `${cmd}: ${r.message}`;
      throw new SupervisorUnavailableError(msg, code === 'ENOENT' ? 'not-installed' : 'unexpected', `${stdout}\n${stderr}`.trim());
    }
    return { exitCode: r.exitCode, stdout, stderr };
  }

  private unavailable(args: string[], r: CtlResult, fallback?: UnavailableReason): never | void {
    const text = `${r.stdout}\n${r.stderr}`.trim();
    const reason = unavailableReason(text) ?? fallback;
    if (reason) {
      throw new SupervisorUnavailableError(`supervisorctl ${args[0] ?? ''}: supervisord not reachable: ${text || `exit ${r.exitCode}`}`, reason, text, r.exitCode);
    }
  }

  /** `supervisorctl status [names…]`. Exit 3 (something stopped) is normal; an unreachable supervisord throws. */
  async status(names: string[] = []): Promise<ProgramState[]> {
    if (names.length) assertNames(names, 'status');
    const args = ['status', ...names];
    const r = await this.ctl(args);
    this.unavailable(args, r);
    const states = parseStatus(r.stdout);
    const perName = parseActionOutput(r.stdout); // "<name>: ERROR (no such process)"
    if (![0, 3].includes(r.exitCode) && states.length === 0 && perName.length === 0) {
      // 4 without any per-name error = upcheck failed; anything else unparseable is not a status either
      this.unavailable(args, r, 'unexpected');
    }
    return states;
  }

  private async action(verb: 'restart' | 'start' | 'stop', names: string[]): Promise<ActionResult> {
    assertNames(names, verb);
    const args = [verb, ...names];
    const r = await this.ctl(args);
    this.unavailable(args, r);
    const output = [r.stdout, r.stderr].filter((s) => s.trim() !== '').join('\n').trim();
    const results = parseActionOutput(output);
    const spawnErrors = [
      ...new Set(results.filter((l) => l.outcome === 'spawn error' || l.outcome === 'abnormal termination').map((l) => l.name)),
    ];
    return { exitCode: r.exitCode, output, spawnErrors, results };
  }

  /** `supervisorctl restart <names…>`; waits for startsecs. Note: `restart all` also starts autostart=false programs. */
  restart(names: string[]): Promise<ActionResult> {
    return this.action('restart', names);
  }
  start(names: string[]): Promise<ActionResult> {
    return this.action('start', names);
  }
  stop(names: string[]): Promise<ActionResult> {
    return this.action('stop', names);
  }

  /** Last `bytes` of a program's log via `supervisorctl tail -<bytes> <name> <stream>`. */
  async tail(name: string, stream: 'stderr' | 'stdout' = 'stderr', bytes = 4096): Promise<string> {
    assertNames([name], 'tail');
    const n = Math.max(1, Math.floor(bytes));
    const args = ['tail', `-${n}`, name, stream];
    const r = await this.ctl(args);
    this.unavailable(args, r);
    return r.stdout;
  }

  /**
   * Sample `status` every intervalMs for settleMs and fail as soon as a watched program is BACKOFF, FATAL,
   * EXITED, STOPPED/STOPPING, missing, went from RUNNING back to STARTING, or changed pid / lost uptime
   * between samples (a crash after startsecs that autorestart hides). Programs must be RUNNING at the end.
   * `names` may use the same forms as supervisorctl: "all", "ds:*", "ds", "ds:docservice".
   */
  async watch(names: string[], opts: WatchOptions): Promise<WatchResult> {
    assertNames(names, 'watch');
    const interval = Math.max(10, opts.intervalMs ?? 250);
    const settle = Math.max(0, opts.settleMs);
    const signal = opts.signal;
    const t0 = Date.now();
    const lastState = new Map<string, ProgramStateName>();
    const lastPid = new Map<string, number>();
    const lastUptime = new Map<string, number>();
    let samples = 0;
    const done = (failed: WatchFailure[]): WatchResult => ({ ok: failed.length === 0, failed, samples, elapsedMs: Date.now() - t0 });

    for (;;) {
      if (signal?.aborted) throw signal.reason;
      // The verdict comes from a sample *started* at or after settleMs, so a slow supervisorctl
      // (0.2 s normally, seconds on a loaded host) cannot end the window on stale data.
      const sampleStart = Date.now() - t0;
      const all = await this.status();
      samples++;
      const watched = all.filter((s) => names.some((spec) => covers(spec, s.name)));
      opts.onProgress?.(watched);
      const failed: WatchFailure[] = [];

      for (const spec of names) {
        if (!all.some((s) => covers(spec, s.name))) failed.push({ name: spec, state: 'MISSING', reason: 'no such program in supervisorctl status' });
      }
      for (const s of watched) {
        const wasState = lastState.get(s.name);
        const wasPid = lastPid.get(s.name);
        const wasUptime = lastUptime.get(s.name);
        if (FAILED_STATES.has(s.state)) {
          failed.push({ name: s.name, state: s.state, reason: s.description || s.state });
        } else if (wasState === 'RUNNING' && s.state === 'STARTING') {
          failed.push({ name: s.name, state: s.state, reason: `restarted: was RUNNING (pid ${wasPid ?? '?'}), now STARTING` });
        } else if (wasPid !== undefined && s.pid !== undefined && wasPid !== s.pid) {
          failed.push({ name: s.name, state: s.state, reason: `pid changed ${wasPid} -> ${s.pid} (exited and was restarted)` });
        } else if (wasUptime !== undefined && s.uptimeSec !== undefined && s.uptimeSec + 1 < wasUptime) {
          failed.push({ name: s.name, state: s.state, reason: `uptime went back ${wasUptime}s -> ${s.uptimeSec}s (restarted)` });
        }
        lastState.set(s.name, s.state);
        if (s.pid !== undefined) lastPid.set(s.name, s.pid);
        if (s.uptimeSec !== undefined) lastUptime.set(s.name, s.uptimeSec);
      }
      if (failed.length) return done(failed);

      if (sampleStart >= settle) {
        const notRunning = watched
          .filter((s) => s.state !== 'RUNNING')
          .map((s) => ({ name: s.name, state: s.state, reason: `not RUNNING after ${settle} ms` }));
        return done(notRunning);
      }
      // fixed cadence: sample k is due at t0 + k*interval (a supervisorctl call itself takes ~0.1–0.3 s)
      const elapsed = Date.now() - t0;
      const nextDue = Math.max(samples * interval, elapsed);
      await sleep(Math.max(0, Math.min(nextDue, settle) - (Date.now() - t0)), signal);
    }
  }
}
