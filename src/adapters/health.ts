/**
 * Probe DocService's `/healthcheck` (ds-facts §5.4 step 4) through the one HTTP client (http.ts).
 *
 * What DocService answers (DocsCoServer.js healthCheck, ds-observed §3):
 * - HTTP 200 `true`: database, Redis/editorData, RabbitMQ pubsub and queue, and storage all passed.
 * - HTTP 200 `false`: one of those dependencies is down (DocService itself is up).
 * - `ipfilter.errorcode` (403 by default, 401 etc. if configured) with Express's status text as body when
 *   ipfilter has `useforrequest: true` and its rules deny the caller's address.
 * - nothing (ECONNREFUSED) while the process is starting, crashed, or in systemd's auto-restart pause.
 *
 * Connection refused, timeouts, resets, `false` and 5xx are retried until the deadline; 401/403/404/405 are
 * final at once (configuration answers that no retry will change).
 */
import http from 'node:http';
import { sleep } from './sleep.js';
import { httpRequest } from './http.js';

export interface HealthResult {
  /** HTTP 200 and the trimmed body is exactly `true` */
  ok: boolean;
  /** HTTP status of the last attempt that got an answer */
  status?: number;
  /** body of that answer (at most 4 KiB) */
  body?: string;
  attempts: number;
  /** why the last attempt got no answer: "connect ECONNREFUSED 127.0.0.1:8000", "timeout after 2000 ms", "aborted" */
  error?: string;
  /** error code of the last attempt: ECONNREFUSED, ETIMEDOUT, ECONNRESET, ENOTFOUND, ABORTED, … */
  code?: string;
  /** the probed URL */
  url?: string;
  elapsedMs?: number;
}

export interface ProbeHealthOptions {
  /** per-attempt limit (connect + answer) */
  timeoutMs: number;
  /** keep retrying until this many ms after the first attempt started */
  deadlineMs: number;
  /** pause between attempts; default 500 */
  intervalMs?: number;
  /** abort → resolves { ok: false, error: 'aborted', code: 'ABORTED' } */
  signal?: AbortSignal;
  /** after each attempt: attempt number (from 1) and a short summary ("HTTP 200 true", "ECONNREFUSED") */
  onAttempt?: (n: number, result: string) => void;
}

interface Attempt {
  status?: number;
  body?: string;
  error?: string;
  code?: string;
}

const BODY_LIMIT = 4096;
/** Answers that come from configuration (ipfilter, wrong URL): retrying cannot change them. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 405]);
/** Later attempts get at least this long even when the deadline is nearer. */
const MIN_ATTEMPT_MS = 200;

function isHealthy(a: Attempt): boolean {
  return a.status === 200 && (a.body ?? '').trim() === 'true';
}

function summarize(a: Attempt): string {
  if (a.status !== undefined) {
    const body = (a.body ?? '').trim();
    return `HTTP ${a.status} ${body.length > 60 ? `${body.slice(0, 60)}…` : body}`.trim();
  }
  return a.code ?? a.error ?? 'no answer';
}

async function attempt(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  const a = await httpRequest({ url: url.href, timeoutMs, bodyLimit: BODY_LIMIT, headers: { accept: 'text/plain, */*' }, ...(signal ? { signal } : {}) });
  const out: Attempt = {};
  if (a.status !== undefined) out.status = a.status;
  if (a.body !== undefined) out.body = a.body;
  if (a.error !== undefined) out.error = a.error;
  if (a.code !== undefined) out.code = a.code;
  return out;
}

/**
 * GET `url` until it answers HTTP 200 `true`, a final status (401/403/404/405), the deadline passes or the
 * signal aborts. The last attempt may start at the deadline, so the whole probe can take up to
 * deadlineMs + timeoutMs. Never throws for network errors; throws TypeError for a URL that is not http(s).
 */
export async function probeHealth(url: string, opts: ProbeHealthOptions): Promise<HealthResult> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`probeHealth: not an http(s) URL: ${url}`);
  const timeoutMs = Math.max(1, opts.timeoutMs);
  const deadlineMs = Math.max(0, opts.deadlineMs);
  const interval = Math.max(0, opts.intervalMs ?? 500);
  const { signal } = opts;
  const t0 = Date.now();
  let attempts = 0;

  const result = (a: Attempt): HealthResult => {
    const r: HealthResult = { ok: isHealthy(a), attempts, url, elapsedMs: Date.now() - t0 };
    if (a.status !== undefined) r.status = a.status;
    if (a.body !== undefined) r.body = a.body;
    if (a.error !== undefined) r.error = a.error;
    if (a.code !== undefined) r.code = a.code;
    return r;
  };
  const aborted = (): HealthResult => result({ error: 'aborted', code: 'ABORTED' });

  for (;;) {
    if (signal?.aborted) return aborted();
    const remaining = deadlineMs - (Date.now() - t0);
    const limit = attempts === 0 ? timeoutMs : Math.min(timeoutMs, Math.max(remaining, MIN_ATTEMPT_MS));
    attempts++;
    const a = await attempt(u, limit, signal);
    if (a.code === 'ABORTED') return aborted();
    opts.onAttempt?.(attempts, summarize(a));
    if (isHealthy(a)) return result(a);
    if (a.status !== undefined && FINAL_STATUSES.has(a.status)) return result(a);
    const left = deadlineMs - (Date.now() - t0);
    if (left <= 0) return result(a);
    if (!(await sleep(Math.min(interval, left), signal))) return aborted();
  }
}

function endpoint(result: HealthResult): { host: string; hostPort: string } | undefined {
  if (result.url) {
    try {
      const u = new URL(result.url);
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      return { host: u.hostname, hostPort: `${u.hostname}:${port}` };
    } catch {
      /* fall through */
    }
  }
  const m = /\b(?:ECONNREFUSED|ETIMEDOUT|ECONNRESET)\s+(\S+):(\d+)\b/.exec(result.error ?? '');
  return m ? { host: m[1]!, hostPort: `${m[1]}:${m[2]}` } : undefined;
}

function allowHint(host: string | undefined): string {
  if (host === undefined) return 'allow the address ds-harden connects from';
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return 'allow 127.0.0.1 and 0:0:0:0:0:0:0:1';
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return 'allow 0:0:0:0:0:0:0:1 (written out: "::1" never matches)';
  if (/^127\./.test(h) || h === '::ffff:127.0.0.1') return 'allow 127.0.0.1';
  return 'allow the address this host connects from';
}

function clip(s: string, n = 120): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/** One human sentence for a probe result. */
export function describeHealth(result: HealthResult): string {
  const ep = endpoint(result);
  const where = ep ? ` on ${ep.hostPort}` : '';
  if (result.ok) return `healthcheck answered true${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}`;
  if (result.status !== undefined) {
    const status = result.status;
    const text = http.STATUS_CODES[status] ?? '';
    const body = (result.body ?? '').trim();
    if (status === 200 && body === 'false') return 'healthcheck answered false: a dependency (database, RabbitMQ, Redis, storage) is down';
    if (status === 200) return `healthcheck answered HTTP 200 with ${body ? `"${clip(body)}"` : 'an empty body'} instead of true: is this DocService?`;
    if (status === 401 || status === 403) return `healthcheck answered ${status} ${text}: ipfilter denies this host — ${allowHint(ep?.host)}`;
    if (status === 404) return `healthcheck answered 404 ${text}: no /healthcheck at this URL — is it DocService (default port 8000)?`;
    if (status === 502 || status === 503 || status === 504)
      return `healthcheck answered ${status} ${text}: the proxy in front cannot reach DocService (not running or still starting)`;
    return `healthcheck answered ${status} ${text}${body ? ` ("${clip(body)}")` : ''}`.trim();
  }
  switch (result.code) {
    case 'ECONNREFUSED':
      return `connection refused: DocService is not listening${where || ' on the healthcheck address'}`;
    case 'ETIMEDOUT':
      return `healthcheck timed out${where}: ${result.error ?? 'no answer'}`;
    case 'ECONNRESET':
      return `connection reset${where}: DocService closed the connection without answering`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the healthcheck host${ep ? ` ${ep.host}` : ''}`;
    case 'ABORTED':
      return 'healthcheck aborted';
    default:
      return `healthcheck failed${where}: ${result.error ?? result.code ?? 'no answer'}`;
  }
}
