#!/usr/bin/env node
/*
 * Stand-in for ONLYOFFICE DocService / FileConverter, for tests under a real supervisord.
 *
 * It loads its configuration with the very `config` package version DS uses (config 3.3.12 for DS 9.x,
 * config 2.0.1 for DS <= 8.3, installed as the devDependencies `config-ds9` / `config-ds8`), so it fails
 * to start exactly where DS fails to start. See shared/docs/ds-observed.md for the behaviour modelled.
 *
 * Environment (like DS):
 *   NODE_CONFIG_DIR, NODE_ENV          read by `config` itself
 * Stand-in knobs:
 *   DS_STANDIN_CONFIG=ds9|ds8          which `config` version (default ds9)
 *   DS_STANDIN_REPO=<dir>              where node_modules lives (default: two levels above this file)
 *   DS_STANDIN_ROLE=docservice|converter   only docservice listens (default docservice)
 *   DS_STANDIN_PORT=<n>                port (default services.CoAuthoring.server.port); always 127.0.0.1
 *   DS_STANDIN_VERSION=<v>             version answered by CommandService (default 9.3.0.0)
 * Fault injection:
 *   DS_STANDIN_EXIT_AFTER_MS=<n>       exit 1 after n ms (a crash after startsecs)
 *   DS_STANDIN_HEALTH=false            /healthcheck answers `false` (HTTP 200), like a failing DB/queue check
 *   DS_STANDIN_NO_LISTEN=1             stay up but never open the port (like a wrong DB password)
 *   DS_STANDIN_LISTEN_DELAY_MS=<n>     open the port only after n ms (real DS: ~0.9 s after spawn)
 * Conditional faults (for apply/rollback tests: the fault hits only the new configuration):
 *   DS_STANDIN_FAULT_IF=<substring>    the fault below applies only when the text of $NODE_CONFIG_DIR/local.json
 *                                      (read at start, symlinks followed) contains <substring>; unset = always
 *   DS_STANDIN_FAULT=reject            print a DS-like config error to stderr and exit 1 at start (spawn error)
 *   DS_STANDIN_FAULT=exit-after:<ms>   exit 1 after <ms> (a crash after startsecs)
 *   DS_STANDIN_FAULT=unhealthy         /healthcheck answers `false` (HTTP 200)
 *   DS_STANDIN_FAULT=no-listen         stay RUNNING, never open the port, log a DB error to stdout once a second
 *                                      (ds-observed §3f: wrong sql.dbPass → RUNNING, no listener, cause in out.log)
 */
'use strict';

const path = require('node:path');
const fs = require('node:fs');
const http = require('node:http');
const crypto = require('node:crypto');

const env = process.env;
const repoRoot = env.DS_STANDIN_REPO || path.resolve(__dirname, '..', '..');
const flavour = (env.DS_STANDIN_CONFIG || 'ds9').toLowerCase();
if (flavour !== 'ds9' && flavour !== 'ds8') {
  process.stderr.write(`standin-ds: DS_STANDIN_CONFIG must be ds9 or ds8, got ${JSON.stringify(flavour)}\n`);
  process.exit(2);
}
const role = (env.DS_STANDIN_ROLE || 'docservice').toLowerCase();
const configModule = require.resolve(flavour === 'ds8' ? 'config-ds8' : 'config-ds9', { paths: [repoRoot] });
const ipaddr = require(require.resolve('ipaddr.js', { paths: [repoRoot] }));

// Like DocService/sources/server.js: `require('config')` at module load. A parse or read error is thrown
// from here, uncaught, so node prints the same "Error: Cannot parse config file: ..." block on stderr
// and exits with status 1 right away; supervisord then reports "spawn error".
const config = require(configModule);

/** Plain deep copy of the loaded configuration (own enumerable properties only). */
const baseConfig = JSON.parse(JSON.stringify(config));

/** The conditional fault (DS_STANDIN_FAULT / DS_STANDIN_FAULT_IF), decided once at start like DS reads local.json once. */
const fault = (() => {
  const spec = env.DS_STANDIN_FAULT;
  if (!spec) return undefined;
  const cond = env.DS_STANDIN_FAULT_IF;
  if (cond) {
    let text = '';
    try {
      text = fs.readFileSync(path.join(env.NODE_CONFIG_DIR || path.join(process.cwd(), 'config'), 'local.json'), 'utf8');
    } catch {
      return undefined;
    }
    if (!text.includes(cond)) return undefined;
  }
  const m = /^(reject|unhealthy|no-listen|exit-after:(\d+))$/.exec(spec);
  if (!m) {
    process.stderr.write(`standin-ds: DS_STANDIN_FAULT must be reject, unhealthy, no-listen or exit-after:<ms>, got ${JSON.stringify(spec)}\n`);
    process.exit(2);
  }
  return m[2] !== undefined ? { kind: 'exit-after', ms: Number(m[2]) } : { kind: m[1] };
})();
if (fault && fault.kind === 'reject') {
  // What node prints for an uncaught error thrown while DocService loads (e.g. config.get on a missing key).
  process.stderr.write(
    `${__filename}:1\n` +
      'Error: Configuration property "services.CoAuthoring.ipfilter.rulesCompiled" is not defined\n' +
      `    at Config.get (${configModule}:179:11)\n` +
      `    at Object.<anonymous> (${__filename}:1:1)\n` +
      `\nNode.js ${process.version}\n` +
      'standin-ds: injected start-up rejection (DS_STANDIN_FAULT=reject)\n',
  );
  process.exit(1);
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
/** Deep merge like config.util.extendDeep: objects merge, arrays and scalars replace. */
function deepMerge(target, source) {
  if (!isPlainObject(target) || !isPlainObject(source)) return source;
  const out = { ...target };
  for (const [k, v] of Object.entries(source)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}
function get(obj, dotted) {
  let cur = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

function log(level, msg) {
  // log4js-ish console line on stdout (DS logs to stdout after logger init).
  process.stdout.write(`[${new Date().toISOString()}] [${level}] nodeJS - ${msg}\n`);
}

/*
 * DS 9.1+ runtime.json (runtimeConfig.filePath): overrides everything and is applied without restart.
 * Re-read on each request (DS uses an fs watch with a short debounce); a broken file is logged and ignored.
 */
let runtimeWarned = '';
function currentConfig() {
  const file = get(baseConfig, 'runtimeConfig.filePath');
  if (typeof file !== 'string' || file === '') return baseConfig;
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return baseConfig; // absent: nothing to apply
  }
  try {
    const parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    runtimeWarned = '';
    return deepMerge(baseConfig, parsed);
  } catch (e) {
    const msg = `getConfigFromFile error: ${e && e.message}`;
    if (runtimeWarned !== msg) log('ERROR', msg);
    runtimeWarned = msg;
    return baseConfig;
  }
}

// ---------------------------------------------------------------------------------------------------
// ipfilter (same algorithm as Common/sources/utils.js checkIpFilter / checkClientIp)

function escapeRegExp(s) {
  return s.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&').replace(/-/g, '\\x2d');
}
function ruleRegExp(address) {
  // address.split throws a TypeError for non-string addresses, as in DS (HTTP 500).
  return new RegExp('^' + address.split('*').map(escapeRegExp).join('.*') + '$', 'i');
}
/** @returns {number|string} 0 when allowed, else the configured errorcode (whatever type it has). */
function checkIpFilter(cfg, ipString) {
  const rules = get(cfg, 'services.CoAuthoring.ipfilter.rules');
  let status = 0;
  let ip4;
  let ip6;
  if (typeof ipString === 'string' && ipaddr.isValid(ipString)) {
    const ip = ipaddr.parse(ipString);
    if (ip.kind() === 'ipv6') {
      if (ip.isIPv4MappedAddress()) ip4 = ip.toIPv4Address().toString();
      ip6 = ip.toNormalizedString();
    } else {
      ip4 = ip.toString();
      ip6 = ip.toIPv4MappedAddress().toNormalizedString();
    }
  }
  // Non-array `rules`: a string iterates its characters (-> TypeError, 500), an object has no length (no rule).
  const n = rules == null ? 0 : rules.length;
  for (let i = 0; i < n; ++i) {
    const rule = rules[i];
    const exp = ruleRegExp(rule.address);
    if ((ip4 && exp.test(ip4)) || (ip6 && exp.test(ip6))) {
      if (!rule.allowed) status = get(cfg, 'services.CoAuthoring.ipfilter.errorcode');
      break;
    }
  }
  return status;
}
/** Client address as DS sees it: forwarded(req) puts the socket address first, then X-Forwarded-For right-to-left; DS takes the last one. */
function clientAddress(req) {
  const addrs = [req.socket.remoteAddress];
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff === 'string' && xff !== '') {
    addrs.push(...xff.split(',').map((s) => s.trim()).reverse());
  }
  return addrs[addrs.length - 1];
}

const STATUS_TEXT = http.STATUS_CODES;
function sendStatus(res, code) {
  const body = STATUS_TEXT[code] || String(code);
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
function send(res, code, body, type) {
  res.writeHead(code, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** @returns {boolean} true when the request was answered (blocked or failed). */
function ipFiltered(cfg, req, res) {
  try {
    if (!get(cfg, 'services.CoAuthoring.ipfilter.useforrequest')) return false;
    const status = checkIpFilter(cfg, clientAddress(req));
    if (status > 0) {
      const code = Number(status) | 0;
      if (code < 100 || code > 999) throw new RangeError(`Invalid status code: ${status}`);
      sendStatus(res, code);
      return true;
    }
    return false;
  } catch (e) {
    log('ERROR', `default error handler:${e && e.stack ? e.stack.split('\n')[0] : e}`);
    sendStatus(res, 500);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------
// JWT (HS256/384/512 only; "none" and everything else rejected), like jsonwebtoken.verify with a secret

function b64urlDecode(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
function inboxSecret(cfg) {
  const elem = get(cfg, 'services.CoAuthoring.secret.inbox');
  if (!elem) return undefined;
  if (elem.string) return Buffer.from(String(elem.string), 'utf8');
  if (elem.file) {
    try {
      return fs.readFileSync(elem.file); // raw, not trimmed (ds-facts §2.2)
    } catch {
      return undefined;
    }
  }
  return undefined;
}
/** @returns {{ok: true, payload: any} | {ok: false, expired: boolean}} */
function verifyJwt(token, secret, clockToleranceSec) {
  const bad = { ok: false, expired: false };
  if (typeof token !== 'string' || !secret || secret.length === 0) return bad;
  const parts = token.split('.');
  if (parts.length !== 3) return bad;
  let header;
  let payload;
  try {
    header = JSON.parse(b64urlDecode(parts[0]).toString('utf8'));
    payload = JSON.parse(b64urlDecode(parts[1]).toString('utf8'));
  } catch {
    return bad;
  }
  const algs = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
  const hash = header && algs[header.alg];
  if (!hash) return bad;
  const expected = crypto.createHmac(hash, secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = b64urlDecode(parts[2]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return bad;
  const now = Math.floor(Date.now() / 1000);
  const tol = Number(clockToleranceSec) || 0;
  if (payload && typeof payload.exp === 'number' && now >= payload.exp + tol) return { ok: false, expired: true };
  if (payload && typeof payload.nbf === 'number' && payload.nbf > now + tol) return bad;
  return { ok: true, payload };
}
/**
 * Token check for inbox requests (CommandService, ConvertService).
 * @returns {{ok: true, params: any} | {ok: false, expired: boolean}}
 */
function checkInbox(cfg, req, body) {
  if (!get(cfg, 'services.CoAuthoring.token.enable.request.inbox')) return { ok: true, params: body };
  const secret = inboxSecret(cfg);
  const tol = get(cfg, 'services.CoAuthoring.token.verifyOptions.clockTolerance');
  let token;
  if (body && typeof body === 'object' && body.token) {
    token = body.token; // body token is used whenever present, regardless of token.inbox.inBody
  } else {
    const headerName = String(get(cfg, 'services.CoAuthoring.token.inbox.header') || 'Authorization').toLowerCase();
    const prefix = String(get(cfg, 'services.CoAuthoring.token.inbox.prefix') ?? 'Bearer ');
    const value = req.headers[headerName];
    if (typeof value === 'string' && value.startsWith(prefix)) token = value.slice(prefix.length);
  }
  if (!token) return { ok: false, expired: false };
  const v = verifyJwt(token, secret, tol);
  if (!v.ok) return v;
  const p = v.payload && typeof v.payload === 'object' ? v.payload : {};
  const params = p.payload && typeof p.payload === 'object' ? p.payload : p;
  return { ok: true, params: { ...(body && typeof body === 'object' ? body : {}), ...params } };
}

/**
 * DS downloading a document to convert (FileConverter converter.js): the host must pass the outgoing ipfilter
 * (checkHostFilter: the literal IP, or the address it resolves to) and, with outbox tokens on, the request carries
 * `<outbox header>: <prefix>JWT({payload:{url}})` signed with the outbox secret. @returns {Promise<boolean>}
 */
async function downloadDocument(cfg, docUrl) {
  let u;
  try {
    u = new URL(docUrl);
  } catch {
    return false;
  }
  let ip = u.hostname.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(ip)) {
    try {
      ip = (await require('node:dns').promises.lookup(ip)).address;
    } catch {
      return false;
    }
  }
  if (checkIpFilter(cfg, ip) !== 0) {
    log('ERROR', `checkIpFilter error: url = ${docUrl}`);
    return false;
  }
  const headers = {};
  if (get(cfg, 'services.CoAuthoring.token.enable.request.outbox')) {
    const elem = get(cfg, 'services.CoAuthoring.secret.outbox');
    const secret = elem && elem.string ? String(elem.string) : '';
    const header = String(get(cfg, 'services.CoAuthoring.token.outbox.header') || 'Authorization');
    const prefix = String(get(cfg, 'services.CoAuthoring.token.outbox.prefix') ?? 'Bearer ');
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const h = b64({ alg: 'HS256', typ: 'JWT' });
    const pl = b64({ payload: { url: docUrl }, iat: Math.floor(Date.now() / 1000) });
    headers[header] = `${prefix}${h}.${pl}.${crypto.createHmac('sha256', secret).update(`${h}.${pl}`).digest('base64url')}`;
  }
  try {
    const r = await fetch(docUrl, { headers, signal: AbortSignal.timeout(10_000) });
    if (r.status !== 200) log('ERROR', `downloadFile error: status ${r.status} for ${docUrl}`);
    return r.status === 200;
  } catch (e) {
    log('ERROR', `downloadFile error: ${e && e.message}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// HTTP

const VERSION = env.DS_STANDIN_VERSION || '9.3.0.0';

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
function parseJsonBody(text) {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

async function handle(req, res) {
  const cfg = currentConfig();
  const url = new URL(req.url || '/', 'http://127.0.0.1');
  const p = url.pathname;
  const method = req.method || 'GET';

  if (p === '/index.html' && method === 'GET') {
    return send(res, 200, `Server is functioning normally. Version: ${VERSION}. Stand-in: ds-harden test.`, 'text/html');
  }
  if (p === '/robots.txt' && method === 'GET') {
    return send(res, 200, 'User-agent: *\nDisallow: /\n', 'text/plain');
  }
  if (p === '/healthcheck' && method === 'GET') {
    if (ipFiltered(cfg, req, res)) return;
    const healthy = env.DS_STANDIN_HEALTH !== 'false' && !(fault && fault.kind === 'unhealthy');
    return send(res, 200, healthy ? 'true' : 'false', 'text/plain');
  }
  if ((p === '/coauthoring/CommandService.ashx' && (method === 'POST' || method === 'GET')) || (p === '/command' && method === 'POST')) {
    if (ipFiltered(cfg, req, res)) return;
    const text = await readBody(req);
    const body = method === 'GET' ? Object.fromEntries(url.searchParams) : parseJsonBody(text);
    const auth = checkInbox(cfg, req, body);
    if (!auth.ok) return send(res, 200, JSON.stringify({ error: auth.expired ? 7 : 6 }), 'application/json');
    const c = auth.params && auth.params.c;
    if (c === 'version') return send(res, 200, JSON.stringify({ error: 0, version: VERSION }), 'application/json');
    return send(res, 200, JSON.stringify({ error: 5 }), 'application/json');
  }
  if ((p === '/ConvertService.ashx' && (method === 'POST' || method === 'GET')) || (p === '/converter' && method === 'POST')) {
    if (ipFiltered(cfg, req, res)) return;
    const text = await readBody(req);
    const body = method === 'GET' ? Object.fromEntries(url.searchParams) : parseJsonBody(text);
    const auth = checkInbox(cfg, req, body);
    // No converter behind the stand-in: with a document url, DS downloads it (outgoing ipfilter, outbox token) and
    // "converts" it into /cache/files; without one, a valid token ends as "invalid params" (-7).
    let error = auth.ok ? -7 : -8;
    const docUrl = auth.ok && auth.params && typeof auth.params.url === 'string' ? auth.params.url : undefined;
    if (docUrl) {
      const got = await downloadDocument(cfg, docUrl);
      if (!got) error = -4;
      else return send(res, 200, JSON.stringify({ endConvert: true, percent: 100, fileUrl: `http://127.0.0.1:${req.socket.localPort}/cache/files/data/check/output.docx` }), 'application/json');
    }
    const wantsJson = p === '/converter' || /application\/json/.test(String(req.headers.accept || ''));
    if (wantsJson) return send(res, 200, JSON.stringify({ error }), 'application/json');
    return send(res, 200, `<?xml version="1.0" encoding="utf-8"?><FileResult><Error>${error}</Error></FileResult>`, 'text/xml');
  }
  if (p.startsWith('/cache/files/') && method === 'GET') {
    return send(res, 200, 'converted', 'application/octet-stream');
  }
  if (p === '/info/info.json' && method === 'GET') {
    if (ipFiltered(cfg, req, res)) return;
    return send(res, 200, JSON.stringify({ serverInfo: { buildVersion: VERSION, standin: true } }), 'application/json');
  }
  return sendStatus(res, 404);
}

// ---------------------------------------------------------------------------------------------------
// Process lifecycle

let server;
function shutdown(code) {
  if (server) server.close();
  process.exit(code);
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

const exitAfter = Number(env.DS_STANDIN_EXIT_AFTER_MS);
if (Number.isFinite(exitAfter) && exitAfter > 0) {
  setTimeout(() => {
    process.stderr.write(`standin-ds: injected crash after ${exitAfter} ms (DS_STANDIN_EXIT_AFTER_MS)\n`);
    process.exit(1);
  }, exitAfter);
}

if (fault && fault.kind === 'exit-after') {
  setTimeout(() => {
    process.stderr.write(`standin-ds: injected crash after ${fault.ms} ms (DS_STANDIN_FAULT=exit-after:${fault.ms})\n`);
    process.exit(1);
  }, fault.ms);
}

const nodeEnv = env.NODE_ENV || 'development';
if (role === 'docservice') {
  const port = Number(env.DS_STANDIN_PORT || get(baseConfig, 'services.CoAuthoring.server.port'));
  log('INFO', `standin-ds docservice starting (pid ${process.pid}, config ${flavour}, NODE_CONFIG_DIR=${env.NODE_CONFIG_DIR || ''}, NODE_ENV=${nodeEnv})`);
  if (fault && fault.kind === 'no-listen') {
    const dbError = () => log('ERROR', 'getTableColumns error: error: password authentication failed for user "onlyoffice"');
    dbError();
    setInterval(dbError, 1000); // stay up, never listen
  } else if (env.DS_STANDIN_NO_LISTEN === '1') {
    log('ERROR', 'getTableColumns error: stand-in told not to listen (DS_STANDIN_NO_LISTEN=1)');
    setInterval(() => {}, 1 << 30); // stay up, never listen
  } else {
    const listen = () => {
      server = http.createServer((req, res) => {
        handle(req, res).catch((e) => {
          log('ERROR', `default error handler:${e && e.stack}`);
          if (!res.headersSent) sendStatus(res, 500);
          else res.end();
        });
      });
      server.on('error', (e) => {
        // Like DS: an uncaught listen error ends the process.
        process.stderr.write(`uncaughtException:${e && e.stack}\n`);
        process.exit(1);
      });
      server.listen(port, '127.0.0.1', () => {
        log('WARN', `Express server listening on port ${port} in ${nodeEnv} mode. Version: ${VERSION}. Stand-in.`);
      });
    };
    const delay = Number(env.DS_STANDIN_LISTEN_DELAY_MS);
    if (Number.isFinite(delay) && delay > 0) setTimeout(listen, delay);
    else listen();
  }
} else if (role === 'converter') {
  log('INFO', `standin-ds converter started (pid ${process.pid}, config ${flavour}, NODE_ENV=${nodeEnv})`);
  setInterval(() => {}, 1 << 30);
} else {
  process.stderr.write(`standin-ds: unknown DS_STANDIN_ROLE ${JSON.stringify(role)}\n`);
  process.exit(2);
}
