/**
 * Shared set-up for the apply/rollback/history acceptance tests: a temporary DS tree (the real upstream
 * DS 9.3 default.json + production-linux.json), a private real supervisord running the stand-in DocService
 * (ds:docservice, listening on 127.0.0.1:<port>) and FileConverter (ds:converter) on that tree, and an
 * asynchronous runner for the built CLI (bin/ds-harden.cjs → dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'vitest';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BIN as BUILT_BIN, ETC_REL, makeRoot } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { freePort, startSupervisor, type Sup } from '../support/supervisord.js';

/** The built CLI (bin/ds-harden.cjs → dist/); DS_HARDEN_TEST_BIN points the tests at another build. */
export const BIN = process.env.DS_HARDEN_TEST_BIN ?? BUILT_BIN;

/** 40 characters, as --generate-secret would make; passed to the CLI only in its environment. */
export const SECRET = 'Zq7vK2mP9xR4tW8yB3nD6fH1jL5sA0cE7gU2iO4k';
export const SECRET_ENV = 'DSH_SECRET';

/** A pre-hardening local.json: JWT off, a weak secret, an unknown key (as many installs look). */
export const OLD_LOCAL =
  JSON.stringify(
    {
      services: {
        CoAuthoring: {
          sql: { dbHost: 'localhost', dbName: 'onlyoffice', dbUser: 'onlyoffice' },
          token: { enable: { browser: false, request: { inbox: false, outbox: false } } },
        },
      },
      'x-site-note': 'kept by ds-harden',
    },
    null,
    2,
  ) + '\n';

export interface CliRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** stdout + stderr so far */
  output(): string;
  done: Promise<CliRun>;
}

/** Start the CLI without waiting (stdin closed, NO_COLOR). */
export function startCli(args: readonly string[], env: Record<string, string> = {}, opts: { detached?: boolean } = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    detached: opts.detached ?? false,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, done };
}

export function cli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<CliRun> {
  const r = startCli(args, env);
  const t = setTimeout(() => r.child.kill('SIGKILL'), timeoutMs);
  return r.done.finally(() => clearTimeout(t));
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, stepMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface Fault {
  /** DS_STANDIN_FAULT: reject | unhealthy | exit-after:<ms> */
  kind: string;
  /** DS_STANDIN_FAULT_IF: substring of local.json that triggers it (default: only the new file's IPv6 loopback rule) */
  when?: string;
}

export interface DsEnv {
  root: string;
  etc: string;
  /** host path of local.json on this machine */
  local: string;
  port: number;
  healthUrl: string;
  sup: Sup;
  /** --root, --supervisor-conf, --health-url (and a short health timeout) */
  common: string[];
  /** the issue's apply command */
  applyArgs: string[];
  /** run the CLI with the secret in its environment */
  run(args: readonly string[], extraEnv?: Record<string, string>): Promise<CliRun>;
  start(args: readonly string[], extraEnv?: Record<string, string>, opts?: { detached?: boolean }): Running;
  states(): Promise<Map<string, { state: string; pid?: number; desc: string }>>;
  journalDir: string;
  cleanup(): Promise<void>;
}

export interface SetupOptions {
  /** initial local.json bytes (default OLD_LOCAL); null = no local.json */
  local?: string | Buffer | null;
  fault?: Fault;
  /** extra files (root-relative path → content) */
  files?: Record<string, string | Buffer>;
  /** run the stand-ins as this user (like DS's user=ds); the tree is made traversable for it */
  user?: string;
  /** extra environment for the docservice program (e.g. NODE_CONFIG) */
  docserviceEnv?: Record<string, string>;
}

const STATUS_RE = /^(\S+)\s+(RUNNING|STARTING|BACKOFF|STOPPED|STOPPING|EXITED|FATAL|UNKNOWN)\b\s*(.*)$/;

export async function setupDs(opts: SetupOptions = {}): Promise<DsEnv> {
  const local = opts.local === undefined ? OLD_LOCAL : opts.local;
  const root = makeRoot('v9.3.0', { ...(local !== null ? { [`${ETC_REL}/local.json`]: local } : {}), ...(opts.files ?? {}) });
  const etc = path.join(root, ETC_REL);
  let sup: Sup | undefined;
  try {
    const port = await freePort();
    const fault = opts.fault ? { DS_STANDIN_FAULT: opts.fault.kind, DS_STANDIN_FAULT_IF: opts.fault.when ?? '0:0:0:0:0:0:0:1' } : {};
    if (opts.user) {
      // the service user must reach the config dir: the run's temp base and the tree are 0700 by default
      for (let d = root; d !== path.dirname(d) && d.startsWith(path.dirname(root)); d = path.dirname(d)) fs.chmodSync(d, 0o755);
      fs.chmodSync(path.dirname(root), 0o711);
    }
    const user = opts.user ? { user: opts.user } : {};
    sup = await startSupervisor({
      programs: [
        { name: 'docservice', ...user, env: { NODE_CONFIG_DIR: etc, DS_STANDIN_ROLE: 'docservice', DS_STANDIN_PORT: String(port), ...fault, ...(opts.docserviceEnv ?? {}) } },
        { name: 'converter', ...user, env: { NODE_CONFIG_DIR: etc, DS_STANDIN_ROLE: 'converter' } },
      ],
    });
    const s = sup;
    const healthUrl = `http://127.0.0.1:${port}/healthcheck`;
    const common = ['--root', root, '--supervisor-conf', s.conf, '--health-url', healthUrl];
    const env = { [SECRET_ENV]: SECRET };
    return {
      root,
      etc,
      local: path.join(etc, 'local.json'),
      port,
      healthUrl,
      sup: s,
      common,
      applyArgs: ['apply', '--allow', '10.0.0.5', '--secret-env', SECRET_ENV, ...common],
      run: (args, extra = {}) => cli(args, { ...env, ...extra }),
      start: (args, extra = {}, o = {}) => startCli(args, { ...env, ...extra }, o),
      async states() {
        const r = await s.ctl(['status']);
        const m = new Map<string, { state: string; pid?: number; desc: string }>();
        for (const line of r.stdout.split('\n')) {
          const x = STATUS_RE.exec(line.trim());
          if (!x) continue;
          const pid = /pid (\d+),/.exec(x[3]!)?.[1];
          m.set(x[1]!, { state: x[2]!, desc: x[3]!, ...(pid ? { pid: Number(pid) } : {}) });
        }
        return m;
      },
      journalDir: path.join(root, 'var/lib/ds-harden/journal'),
      async cleanup() {
        await s.stop();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await sup?.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A DS env that is cleaned up when `fn` ends, pass or fail, and — should the test time out while `fn` hangs —
 * when the test finishes (onTestFinished is per test, so this is safe under describe.concurrent).
 */
export async function withDs(ctx: TestContext, opts: SetupOptions, fn: (ds: DsEnv) => Promise<void>): Promise<void> {
  const ds = await setupDs(opts);
  ctx.onTestFinished(() => ds.cleanup());
  try {
    await fn(ds);
  } finally {
    await ds.cleanup();
  }
}

/** program name → state, for a compact assertion */
export async function stateOf(ds: DsEnv): Promise<Record<string, string>> {
  return Object.fromEntries([...(await ds.states())].map(([k, v]) => [k, v.state]));
}

/** Wait until every program is RUNNING (after a rollback supervisor may still be starting one). */
export async function allRunning(ds: DsEnv, timeoutMs = 15_000): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  await waitFor('all programs RUNNING', async () => {
    last = await stateOf(ds);
    return Object.values(last).every((s) => s === 'RUNNING');
  }, timeoutMs, 200).catch(() => undefined);
  return last;
}

export async function health(ds: DsEnv): Promise<string> {
  const r = await fetch(ds.healthUrl, { signal: AbortSignal.timeout(3000) });
  return `${r.status} ${await r.text()}`;
}

export function hs256(payload: object, secret: string): string {
  const b = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const h = b({ alg: 'HS256', typ: 'JWT' });
  const p = b(payload);
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

/** POST CommandService {"c":"version"}, optionally signed; returns the parsed JSON answer. */
export async function commandService(ds: DsEnv, secret?: string): Promise<unknown> {
  const r = await fetch(`http://127.0.0.1:${ds.port}/coauthoring/CommandService.ashx`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(secret ? { Authorization: `Bearer ${hs256({ payload: { c: 'version' } }, secret)}` } : {}) },
    body: JSON.stringify({ c: 'version' }),
    signal: AbortSignal.timeout(3000),
  });
  return JSON.parse(await r.text());
}

/** Every manifest.json under the journal, as text. */
export function manifests(ds: DsEnv): string[] {
  if (!fs.existsSync(ds.journalDir)) return [];
  return fs
    .readdirSync(ds.journalDir)
    .map((id) => path.join(ds.journalDir, id, 'manifest.json'))
    .filter((p) => fs.existsSync(p))
    .map((p) => fs.readFileSync(p, 'utf8'));
}
