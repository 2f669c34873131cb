/**
 * Test harness: a private, real supervisord (Debian supervisor 4.2.5) running the DS stand-in
 * (test/support/standin-ds.cjs) in a temp dir, controlled over a unix socket (chmod 0700).
 *
 * Program sections mirror DS's packaged/Docker confs: command, environment, log files, autostart,
 * autorestart=true, and supervisor's defaults startsecs=1 / startretries=3 (DS sets neither).
 * supervisord binds nothing to the network (no [inet_http_server]); the stand-in binds 127.0.0.1 only.
 */
import { execa } from 'execa';
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDIN_PATH = fileURLToPath(new URL('./standin-ds.cjs', import.meta.url));
export const REPO_ROOT = path.resolve(path.dirname(STANDIN_PATH), '..', '..');
export const SUPERVISORD = process.env.DS_HARDEN_SUPERVISORD ?? 'supervisord';
export const SUPERVISORCTL = process.env.DS_HARDEN_SUPERVISORCTL ?? 'supervisorctl';

export interface ProgramSpec {
  name: string;
  env: Record<string, string>;
  autostart?: boolean;
  startsecs?: number;
  startretries?: number;
  /** run the program as this user (supervisor `user=`), like DS's `user=ds` */
  user?: string;
}

export interface StartOptions {
  programs: ProgramSpec[];
  /** group name; default 'ds' (programs become "ds:<name>") */
  group?: string;
  /** how long to wait for the socket and for autostart programs to be RUNNING; default 15 000 ms */
  readyTimeoutMs?: number;
}

export interface CtlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Sup {
  /** temp dir holding conf, socket, pidfile, supervisord.log and <program>/{out,err}.log */
  dir: string;
  /** path of supervisord.conf (pass to supervisorctl -c / Supervisor({confPath})) */
  conf: string;
  /** unix socket path */
  socket: string;
  /** group name used */
  group: string;
  /** supervisord pid (from its pidfile) */
  pid: number;
  /** minimal environment supervisorctl/supervisord run with (PATH, HOME, LC_ALL=C) */
  env: Record<string, string>;
  /** `supervisorctl -c <conf> <args…>`, never throws on non-zero exit */
  ctl(args: string[]): Promise<CtlResult>;
  /** path of a program's stdout/stderr log */
  logPath(program: string, stream: 'stdout' | 'stderr'): string;
  /** supervisord's own log text */
  supervisordLog(): Promise<string>;
  /** `supervisorctl shutdown`, wait for supervisord to go (SIGKILL it and its children if it lingers), remove the dir */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** supervisor's config values go through %-expansion: escape '%'. */
function pct(s: string): string {
  return s.replace(/%/g, '%%');
}
/**
 * environment=KEY="value",… Supervisor reads it with shlex in non-POSIX mode (no escapes) and strips quote
 * characters from both ends of each value (supervisor/datatypes.py dict_of_key_value_pairs), so a value holding
 * double quotes (a NODE_CONFIG JSON) goes in single quotes.
 */
function envLine(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`bad environment key ${k}`);
      const q = v.includes('"') ? "'" : '"';
      if (v.includes(q) || /^['"]|['"]$/.test(v)) throw new Error(`environment value of ${k} cannot be quoted for supervisor: ${v}`);
      return `${k}=${q}${pct(v)}${q}`;
    })
    .join(',');
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie (if our init does not reap) still answers kill(0).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const STATUS_RE = /^(\S+)\s+(RUNNING|STARTING|BACKOFF|STOPPED|STOPPING|EXITED|FATAL|UNKNOWN)\b\s*(.*)$/;
function parse(stdout: string): Map<string, { state: string; desc: string }> {
  const m = new Map<string, { state: string; desc: string }>();
  for (const line of stdout.split('\n')) {
    const r = STATUS_RE.exec(line.trim());
    if (r) m.set(r[1]!, { state: r[2]!, desc: r[3]! });
  }
  return m;
}

export async function startSupervisor(opts: StartOptions): Promise<Sup> {
  const group = opts.group ?? 'ds';
  const readyTimeout = opts.readyTimeoutMs ?? 15_000;
  if (opts.programs.length === 0) throw new Error('startSupervisor: no programs');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dsh-sup-'));
  // a program with user= chdirs into `directory=` after dropping privileges
  if (opts.programs.some((p) => p.user)) await chmod(dir, 0o755);
  const conf = path.join(dir, 'supervisord.conf');
  const socket = path.join(dir, 'supervisor.sock');
  const pidfile = path.join(dir, 'supervisord.pid');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LC_ALL: 'C', LANG: 'C' };

  const lines: string[] = [
    '; generated by test/support/supervisord.ts',
    '[unix_http_server]',
    `file=${pct(socket)}`,
    'chmod=0700',
    '',
    '[supervisord]',
    'nodaemon=false',
    `pidfile=${pct(pidfile)}`,
    `logfile=${pct(path.join(dir, 'supervisord.log'))}`,
    `childlogdir=${pct(dir)}`,
    `directory=${pct(dir)}`,
    'loglevel=info',
    '',
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '',
    '[supervisorctl]',
    `serverurl=unix://${pct(socket)}`,
    '',
    `[group:${group}]`,
    `programs=${opts.programs.map((p) => p.name).join(',')}`,
    '',
  ];
  for (const p of opts.programs) {
    if (!/^[A-Za-z0-9_.-]+$/.test(p.name)) throw new Error(`bad program name ${p.name}`);
    const logDir = path.join(dir, p.name);
    await mkdir(logDir, { recursive: true });
    // Defaults only where DS's own confs rely on inherited state; the caller's env wins.
    const penv = { NODE_ENV: 'production-linux', DS_STANDIN_REPO: REPO_ROOT, ...p.env };
    lines.push(
      `[program:${p.name}]`,
      `command=${pct(process.execPath)} ${pct(STANDIN_PATH)}`,
      `directory=${pct(dir)}`,
      `environment=${envLine(penv)}`,
      `stdout_logfile=${pct(path.join(logDir, 'out.log'))}`,
      `stderr_logfile=${pct(path.join(logDir, 'err.log'))}`,
      ...(p.user ? [`user=${p.user}`] : []),
      `autostart=${p.autostart === false ? 'false' : 'true'}`,
      'autorestart=true',
      `startsecs=${p.startsecs ?? 1}`,
      `startretries=${p.startretries ?? 3}`,
      'stopsignal=TERM',
      'stopwaitsecs=5',
      '',
    );
  }
  await writeFile(conf, lines.join('\n'), { mode: 0o600 });

  const ctl = async (args: string[]): Promise<CtlResult> => {
    const r = await execa(SUPERVISORCTL, ['-c', conf, ...args], { reject: false, extendEnv: false, env, stdin: 'ignore', timeout: 60_000 });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  };
  const supervisordLog = async (): Promise<string> => readFile(path.join(dir, 'supervisord.log'), 'utf8').catch(() => '');

  let pid = 0;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (pid) {
      await ctl(['shutdown']).catch(() => undefined);
      if (!(await waitFor(() => processGone(pid), 10_000))) {
        // supervisord did not go: take note of its children, then kill everything we started
        const st = await ctl(['status']).catch(() => undefined);
        const childPids = st ? [...st.stdout.matchAll(/pid (\d+),/g)].map((m) => Number(m[1])) : [];
        for (const p of [pid, ...childPids]) {
          try {
            if (!processGone(p)) process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await waitFor(() => processGone(pid), 2_000);
      }
    }
    if (process.env.DS_HARDEN_KEEP_SUP !== '1') await rm(dir, { recursive: true, force: true });
  };

  const started = await execa(SUPERVISORD, ['-c', conf], { reject: false, extendEnv: false, env, stdin: 'ignore', timeout: 20_000 });
  if (started.exitCode !== 0) {
    const log = await supervisordLog();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`supervisord -c ${conf} failed (exit ${started.exitCode ?? started.code}): ${started.stderr}${started.stdout}\n${log}`);
  }

  const sup: Sup = {
    dir,
    conf,
    socket,
    group,
    get pid() {
      return pid;
    },
    env,
    ctl,
    logPath: (program, stream) => path.join(dir, program, stream === 'stdout' ? 'out.log' : 'err.log'),
    supervisordLog,
    stop,
  };

  try {
    const gotPid = await waitFor(async () => {
      const t = await readFile(pidfile, 'utf8').catch(() => '');
      pid = Number(t.trim()) || 0;
      return pid > 0;
    }, readyTimeout);
    if (!gotPid) throw new Error('supervisord wrote no pidfile');
    const autostart = opts.programs.filter((p) => p.autostart !== false).map((p) => `${group}:${p.name}`);
    let last = '';
    const ready = await waitFor(
      async () => {
        const r = await ctl(['status']);
        last = `${r.stdout}${r.stderr}`;
        if (r.exitCode === 4 || /no such file|refused connection/.test(last)) return false;
        const m = parse(r.stdout);
        for (const name of autostart) {
          const s = m.get(name);
          if (s?.state === 'FATAL') throw new Error(`${name} went FATAL during startup: ${s.desc}`);
          if (s?.state !== 'RUNNING') return false;
        }
        return true;
      },
      readyTimeout,
      100,
    );
    if (!ready) throw new Error(`autostart programs not RUNNING after ${readyTimeout} ms:\n${last}`);
  } catch (e) {
    const log = await supervisordLog();
    const errs = await Promise.all(
      opts.programs.map(async (p) => `--- ${p.name} err.log\n${await readFile(sup.logPath(p.name, 'stderr'), 'utf8').catch(() => '')}`),
    );
    await stop();
    throw new Error(`${(e as Error).message}\n--- supervisord.log\n${log}\n${errs.join('\n')}`);
  }
  return sup;
}
