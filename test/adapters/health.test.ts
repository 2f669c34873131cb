/** probeHealth / describeHealth against real node:http servers on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describeHealth, probeHealth, type HealthResult } from '../../src/adapters/health.js';

const servers: (http.Server | net.Server)[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t);
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s instanceof http.Server) s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function listen(handler: Handler, port = 0): Promise<{ server: http.Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, hits: () => hits }));
  });
}

/** Like DocService: text/plain answers. */
const answer =
  (status: number, body: string): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
  };

/** A port nothing listens on (bound once by us, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('probeHealth', () => {
  it('HTTP 200 "true" → ok on the first attempt', async () => {
    const requests: string[] = [];
    const { port, hits } = await listen((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      answer(200, 'true')(req, res);
    });
    const seen: [number, string][] = [];
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 2000, deadlineMs: 5000, onAttempt: (n, s) => seen.push([n, s]) });
    expect(r).toMatchObject({ ok: true, status: 200, body: 'true', attempts: 1 });
    expect(r.error).toBeUndefined();
    expect(hits()).toBe(1);
    expect(requests).toEqual(['GET /healthcheck']);
    expect(seen).toEqual([[1, 'HTTP 200 true']]);
    expect(describeHealth(r)).toBe('healthcheck answered true');
  });

  it('trailing whitespace around true is accepted; "true" with another status is not', async () => {
    const a = await listen(answer(200, 'true\n'));
    expect((await probeHealth(`http://127.0.0.1:${a.port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 0 })).ok).toBe(true);
    const b = await listen(answer(500, 'true'));
    const r = await probeHealth(`http://127.0.0.1:${b.port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 300, intervalMs: 50 });
    expect(r.ok).toBe(false);
    expect(r.status).toBe(500);
    expect(b.hits()).toBeGreaterThan(1); // 5xx is retried
    expect(describeHealth(r)).toBe('healthcheck answered 500 Internal Server Error ("true")');
  });

  it('HTTP 200 "false" (a dependency is down) → retried until the deadline, then not ok', async () => {
    const { port, hits } = await listen(answer(200, 'false'));
    const t = Date.now();
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 600, intervalMs: 100 });
    const took = Date.now() - t;
    expect(r).toMatchObject({ ok: false, status: 200, body: 'false' });
    expect(r.attempts).toBeGreaterThanOrEqual(4);
    expect(hits()).toBe(r.attempts);
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(1500);
    expect(describeHealth(r)).toBe('healthcheck answered false: a dependency (database, RabbitMQ, Redis, storage) is down');
  });

  it('403 from ipfilter → final at once (no retries), explained', async () => {
    const { port, hits } = await listen(answer(403, 'Forbidden'));
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 5000, intervalMs: 50 });
    expect(r).toMatchObject({ ok: false, status: 403, body: 'Forbidden', attempts: 1 });
    expect(hits()).toBe(1);
    expect(describeHealth(r)).toBe('healthcheck answered 403 Forbidden: ipfilter denies this host — allow 127.0.0.1');
  });

  it('a server that starts listening only after 600 ms: refused attempts are retried, then ok', async () => {
    const port = await closedPort();
    timers.push(setTimeout(() => void listen(answer(200, 'true'), port), 600));
    const seen: string[] = [];
    const t = Date.now();
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 5000, intervalMs: 100, onAttempt: (_n, s) => seen.push(s) });
    expect(r).toMatchObject({ ok: true, status: 200, body: 'true' });
    expect(r.attempts).toBeGreaterThanOrEqual(3);
    expect(seen[0]).toBe('ECONNREFUSED');
    expect(seen.at(-1)).toBe('HTTP 200 true');
    expect(Date.now() - t).toBeGreaterThanOrEqual(590);
    expect(describeHealth(r)).toBe(`healthcheck answered true (after ${r.attempts} attempts)`);
  });

  it('a closed port → connection refused until the deadline', async () => {
    const port = await closedPort();
    const t = Date.now();
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 700, intervalMs: 100 });
    const took = Date.now() - t;
    expect(r.ok).toBe(false);
    expect(r.status).toBeUndefined();
    expect(r.code).toBe('ECONNREFUSED');
    expect(r.attempts).toBeGreaterThanOrEqual(5);
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(1500);
    expect(describeHealth(r)).toBe(`connection refused: DocService is not listening on 127.0.0.1:${port}`);
  });

  it('a server that accepts but never answers → per-attempt timeout', async () => {
    const { port } = await listen(() => undefined);
    const t = Date.now();
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 250, deadlineMs: 0 });
    expect(r).toMatchObject({ ok: false, attempts: 1, code: 'ETIMEDOUT', error: 'timeout after 250 ms' });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(describeHealth(r)).toBe(`healthcheck timed out on 127.0.0.1:${port}: timeout after 250 ms`);
  });

  it('abort signal stops retrying promptly, also in the middle of an attempt', async () => {
    const port = await closedPort();
    const ac = new AbortController();
    timers.push(setTimeout(() => ac.abort(), 300));
    const t = Date.now();
    // a long interval: the abort has to cut the pause between attempts short
    const r = await probeHealth(`http://127.0.0.1:${port}/healthcheck`, { timeoutMs: 1000, deadlineMs: 20_000, intervalMs: 5000, signal: ac.signal });
    expect(r).toMatchObject({ ok: false, error: 'aborted', code: 'ABORTED' });
    expect(Date.now() - t).toBeLessThan(1500);
    expect(describeHealth(r)).toBe('healthcheck aborted');

    const hang = await listen(() => undefined);
    const ac2 = new AbortController();
    timers.push(setTimeout(() => ac2.abort(), 200));
    const t2 = Date.now();
    const seen: string[] = [];
    const r2 = await probeHealth(`http://127.0.0.1:${hang.port}/healthcheck`, {
      timeoutMs: 10_000,
      deadlineMs: 20_000,
      signal: ac2.signal,
      onAttempt: (_n, s) => seen.push(s),
    });
    expect(r2).toMatchObject({ ok: false, attempts: 1, code: 'ABORTED' });
    expect(seen).toEqual([]); // the interrupted attempt has no result to report
    expect(Date.now() - t2).toBeLessThan(1500);
  });

  it('refuses URLs that are not http(s)', async () => {
    await expect(probeHealth('file:///etc/passwd', { timeoutMs: 100, deadlineMs: 0 })).rejects.toThrow(TypeError);
    await expect(probeHealth('not a url', { timeoutMs: 100, deadlineMs: 0 })).rejects.toThrow(TypeError);
  });
});

describe('describeHealth', () => {
  const base = (r: Partial<HealthResult>): HealthResult => ({ ok: false, attempts: 1, ...r });

  it('ipfilter denial: names the address to allow, in the form ipfilter matches', () => {
    expect(describeHealth(base({ status: 401, body: 'Unauthorized', url: 'http://127.0.0.1:8000/healthcheck' }))).toBe(
      'healthcheck answered 401 Unauthorized: ipfilter denies this host — allow 127.0.0.1',
    );
    expect(describeHealth(base({ status: 403, url: 'http://[::1]:8000/healthcheck' }))).toBe(
      'healthcheck answered 403 Forbidden: ipfilter denies this host — allow 0:0:0:0:0:0:0:1 (written out: "::1" never matches)',
    );
    expect(describeHealth(base({ status: 403, url: 'http://localhost:8000/healthcheck' }))).toMatch(/allow 127\.0\.0\.1 and 0:0:0:0:0:0:0:1$/);
    expect(describeHealth(base({ status: 403, url: 'http://ds.example.org/healthcheck' }))).toMatch(/allow the address this host connects from$/);
  });

  it('other answers and errors', () => {
    expect(describeHealth(base({ code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:8000' }))).toBe(
      'connection refused: DocService is not listening on 127.0.0.1:8000',
    );
    expect(describeHealth(base({ code: 'ECONNREFUSED', url: 'http://127.0.0.1/healthcheck' }))).toBe(
      'connection refused: DocService is not listening on 127.0.0.1:80',
    );
    expect(describeHealth(base({ status: 200, body: '<html>nginx</html>' }))).toBe(
      'healthcheck answered HTTP 200 with "<html>nginx</html>" instead of true: is this DocService?',
    );
    expect(describeHealth(base({ status: 502, body: 'Bad Gateway' }))).toMatch(/^healthcheck answered 502 Bad Gateway: the proxy in front cannot reach DocService/);
    expect(describeHealth(base({ status: 404, body: 'Not Found' }))).toMatch(/^healthcheck answered 404 Not Found: no \/healthcheck at this URL/);
    expect(describeHealth(base({ code: 'ENOTFOUND', url: 'http://nosuch.invalid/healthcheck' }))).toBe('cannot resolve the healthcheck host nosuch.invalid');
    expect(describeHealth(base({ code: 'ECONNRESET', url: 'http://127.0.0.1:8000/' }))).toBe(
      'connection reset on 127.0.0.1:8000: DocService closed the connection without answering',
    );
  });
});
