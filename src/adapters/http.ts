/**
 * The one HTTP client of ds-harden (node:http/https, no dependency): one request, bounded in time and size,
 * never following redirects by itself, TLS verified unless `insecure`. The healthcheck (health.ts) and the live
 * probe (probe-client below) both go through it.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** connect + answer, in ms */
  readonly timeoutMs: number;
  /** do not verify the server's TLS certificate */
  readonly insecure?: boolean;
  /** keep at most this many bytes of the body (default 8 KiB); the rest is not read */
  readonly bodyLimit?: number;
  readonly signal?: AbortSignal;
}

export interface HttpAnswer {
  /** HTTP status, when the server answered */
  readonly status?: number;
  /** response headers, lower-case names, multiple values joined with ", " */
  readonly headers?: Readonly<Record<string, string>>;
  /** the body as UTF-8, at most bodyLimit bytes */
  readonly body?: string;
  /** why there is no answer: "connect ECONNREFUSED 127.0.0.1:8000", "timeout after 2000 ms", "aborted" */
  readonly error?: string;
  /** ECONNREFUSED, ETIMEDOUT, ECONNRESET, ENOTFOUND, CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, ABORTED, … */
  readonly code?: string;
  readonly elapsedMs: number;
}

const DEFAULT_LIMIT = 8192;

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** One request; never throws for network errors (they come back as `error`/`code`), throws TypeError for a non-http(s) URL. */
export function httpRequest(req: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(req.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${req.url}`);
  const limit = req.bodyLimit ?? DEFAULT_LIMIT;
  const t0 = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let cr: http.ClientRequest | undefined;
    const finish = (a: Omit<HttpAnswer, 'elapsedMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      cr?.destroy();
      resolve({ ...a, elapsedMs: Date.now() - t0 });
    };
    const onAbort = (): void => finish({ error: 'aborted', code: 'ABORTED' });
    const timer = setTimeout(() => finish({ error: `timeout after ${req.timeoutMs} ms`, code: 'ETIMEDOUT' }), Math.max(1, req.timeoutMs));
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { 'user-agent': 'ds-harden', connection: 'close', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    try {
      const options: https.RequestOptions = { method: req.method ?? 'GET', agent: false, headers };
      if (url.protocol === 'https:') options.rejectUnauthorized = !req.insecure;
      cr = (url.protocol === 'https:' ? https : http).request(url, options);
    } catch (err) {
      return finish({ error: (err as Error).message, code: (err as NodeJS.ErrnoException).code ?? 'EINVAL' });
    }
    cr.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.message, code: err.code ?? 'ERROR' }));
    cr.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const hs = flatHeaders(res.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= limit) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limit) finish({ status, headers: hs, body: Buffer.concat(chunks).subarray(0, limit).toString('utf8') });
      });
      res.on('end', () => finish({ status, headers: hs, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.message, code: err.code ?? 'ECONNRESET' }));
      res.on('aborted', () => finish({ error: 'connection closed before the answer was complete', code: 'ECONNRESET' }));
    });
    cr.end(req.body);
  });
}

export interface ProbeClientOptions {
  /** The only origin requests may go to (scheme://host:port). */
  readonly origin: string;
  /** Hard limit on requests, redirects included. */
  readonly maxRequests: number;
  readonly timeoutMs: number;
  readonly insecure?: boolean;
  /** Same-origin redirects followed per request (GET only); default 2. */
  readonly maxRedirects?: number;
}

export interface ProbeAnswer extends HttpAnswer {
  /** the URL that gave this answer (after same-origin redirects) */
  readonly url: string;
  /** a redirect to another origin, not followed */
  readonly offOriginRedirect?: string;
  /** the request was not sent: the budget was spent */
  readonly skipped?: boolean;
}

/**
 * A client for the live probe: every request goes to `origin` only; a redirect to another origin is reported,
 * never followed; same-origin redirects of GET requests are followed up to maxRedirects; at most maxRequests
 * requests are ever sent (then answers come back `skipped`). `sent()` says how many went out.
 */
export function probeClient(o: ProbeClientOptions): { send(req: Omit<HttpRequest, 'timeoutMs' | 'insecure'>): Promise<ProbeAnswer>; sent(): number } {
  const origin = new URL(o.origin).origin;
  let sent = 0;
  return {
    sent: () => sent,
    async send(req) {
      let url = new URL(req.url);
      if (url.origin !== origin) throw new TypeError(`probe request outside ${origin}: ${req.url}`);
      for (let hop = 0; ; hop++) {
        if (sent >= o.maxRequests) return { url: url.href, skipped: true, error: `not sent: the limit of ${o.maxRequests} requests was reached`, code: 'BUDGET', elapsedMs: 0 };
        sent++;
        const a = await httpRequest({ ...req, url: url.href, timeoutMs: o.timeoutMs, ...(o.insecure ? { insecure: true } : {}) });
        const location = a.headers?.location;
        if (a.status === undefined || a.status < 300 || a.status > 399 || !location) return { ...a, url: url.href };
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ...a, url: url.href };
        }
        if (next.origin !== origin) return { ...a, url: url.href, offOriginRedirect: next.href };
        if ((req.method ?? 'GET') !== 'GET' || hop >= (o.maxRedirects ?? 2)) return { ...a, url: url.href };
        url = next;
      }
    },
  };
}
