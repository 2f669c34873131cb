/**
 * A stand-in DocService on 127.0.0.1 that answers the probe's requests as a real DS does (ds-observed §3d/§3e/§3f):
 * CommandService HTTP 200 with `error` 0/6/7, ConvertService -8/-7, ipfilter (useforrequest) answering `errorcode`
 * with Express's status text and judging the left-most X-Forwarded-For entry (or, behind a proxy that overwrites it,
 * the real peer), the banner on /index.html, and the welcome/example pages when installed.
 * It records every request, so tests can count them.
 */
import http from 'node:http';
import { jwtVerify, decodeJwt } from 'jose';
import { evaluateIpFilter } from '../../src/core/ds/ipfilter.js';
import { freePort } from './supervisord.js';

export interface FakeDsOptions {
  /** token.enable.request.inbox */
  jwt?: boolean;
  secret?: string;
  /** token.inbox.header (default Authorization) */
  header?: string;
  /**
   * modern (7.1+): the body token if there is one, else the header;
   * header-only / body-only: DS ≤ 7.0 with inBody false / true (ds-facts §4.1)
   */
  tokenMode?: 'modern' | 'header-only' | 'body-only';
  /** a broken server: accepts any token (wrong secret, alg none) but still refuses a missing one */
  acceptAnyToken?: boolean;
  /** a broken server: no exp check */
  ignoreExpiry?: boolean;
  welcome?: boolean;
  example?: boolean;
  useforrequest?: boolean;
  rules?: { address: string; allowed: boolean }[];
  errorcode?: number;
  /** true: DS is reached directly and judges the client's X-Forwarded-For; false: a proxy in front overwrote it */
  xffFromClient?: boolean;
  version?: string;
  build?: string;
  /** answer /welcome/ with a redirect to this URL (another origin) */
  welcomeRedirect?: string;
  /** paths that never get an answer (the client times out) */
  stall?: RegExp;
  /** paths whose connection is dropped before any answer (the client sees "socket hang up") */
  drop?: RegExp;
}

export interface FakeDs {
  url: string;
  port: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

const FILTERED = /^\/(coauthoring\/commandservice\.ashx|command|convertservice\.ashx|converter|healthcheck|info\/info\.json)\/?$/i;

function clientAddress(req: http.IncomingMessage, fromClient: boolean): string {
  const socket = req.socket.remoteAddress ?? '';
  const xff = req.headers['x-forwarded-for'];
  if (!fromClient || !xff) return socket;
  // forwarded 0.2.0: [socket, ...entries right to left]; DS takes the last one = the left-most entry
  const entries = String(xff).split(',').map((s) => s.trim());
  return entries[0] ?? socket;
}

async function tokenVerdict(o: FakeDsOptions, req: http.IncomingMessage, body: Record<string, unknown> | undefined): Promise<0 | 6 | 7> {
  const header = (o.header ?? 'Authorization').toLowerCase();
  const mode = o.tokenMode ?? 'modern';
  const fromHeader = (): string | undefined => {
    const h = req.headers[header];
    return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
  };
  const fromBody = typeof body?.token === 'string' ? body.token : undefined;
  const token = mode === 'header-only' ? fromHeader() : mode === 'body-only' ? fromBody : (fromBody ?? fromHeader());
  if (!token) return 6;
  if (o.acceptAnyToken) {
    try {
      const claims = decodeJwt(token);
      return !o.ignoreExpiry && typeof claims.exp === 'number' && claims.exp < Date.now() / 1000 - 60 ? 7 : 0;
    } catch {
      return 6;
    }
  }
  try {
    await jwtVerify(token, new TextEncoder().encode(o.secret ?? 'secret'), { algorithms: ['HS256', 'HS384', 'HS512'], clockTolerance: o.ignoreExpiry ? 10 ** 9 : 60 });
    return 0;
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 7 : 6;
  }
}

export async function startFakeDs(o: FakeDsOptions = {}): Promise<FakeDs> {
  const requests: FakeDs['requests'] = [];
  const version = o.version ?? '9.3.1';
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const asked = new URL(req.url ?? '/', 'http://x').pathname;
    if (o.stall?.test(asked)) return;
    if (o.drop?.test(asked)) return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const send = (status: number, text: string, type = 'text/plain; charset=utf-8') => {
          res.writeHead(status, { 'content-type': type });
          res.end(text);
        };
        if (o.useforrequest && FILTERED.test(path)) {
          const v = evaluateIpFilter(o.rules ?? [{ address: '*', allowed: true }], { ip: clientAddress(req, o.xffFromClient ?? true) }, o.errorcode ?? 403);
          if (v.decision === 'denied') {
            const code = o.errorcode ?? 403;
            return send(code, http.STATUS_CODES[code] ?? '');
          }
        }
        let body: Record<string, unknown> | undefined;
        try {
          body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined;
        } catch {
          body = undefined;
        }
        if (/^\/index\.html$/i.test(path)) return send(200, `Server is functioning normally. Version: ${version}. Build: ${o.build ?? '11'}. Release date: 2026-02-24T00:00:00.000Z. Package type: 0. Customer Id: . Multitenancy: false. Alias: `, 'text/html; charset=utf-8');
        if (path === '/web-apps/apps/api/documents/api.js') return send(200, '(function(){ /* DocsAPI */ })();', 'application/javascript');
        if (/^\/welcome\/?$/i.test(path)) {
          if (o.welcomeRedirect) {
            res.writeHead(302, { location: o.welcomeRedirect });
            return res.end();
          }
          return o.welcome ? send(200, '<html><body>ONLYOFFICE Docs is running</body></html>', 'text/html') : send(404, 'Not Found');
        }
        if (/^\/example\/?$/i.test(path)) return o.example ? send(200, '<html><body>ONLYOFFICE example</body></html>', 'text/html') : send(404, 'Not Found');
        if (/^\/healthcheck\/?$/i.test(path)) return send(200, 'true');
        if (/^\/info\/info\.json$/i.test(path)) return send(200, JSON.stringify({ serverInfo: { buildVersion: version } }), 'application/json');
        if (/^\/coauthoring\/commandservice\.ashx$/i.test(path)) {
          const e = o.jwt ? await tokenVerdict(o, req, body) : 0;
          return send(200, JSON.stringify(e === 0 ? { error: 0, version: `${version}.${o.build ?? '11'}` } : { error: e }), 'application/json');
        }
        if (/^\/convertservice\.ashx$/i.test(path)) {
          const e = o.jwt ? await tokenVerdict(o, req, body) : 0;
          const code = e === 0 ? -7 : -8;
          if (/json/.test(String(req.headers.accept))) return send(200, JSON.stringify({ error: code }), 'application/json');
          return send(200, `<?xml version="1.0" encoding="utf-8"?><FileResult><Error>${code}</Error></FileResult>`, 'text/xml');
        }
        return send(404, 'Not Found');
      })();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, port, requests, close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // stalled requests hold their connections open
        server.closeAllConnections();
      }),
  };
}
