#!/usr/bin/env node
/**
 * Test stand-in for Nextcloud's `occ` with the ONLYOFFICE app, for the commands ds-harden uses. It behaves like the
 * real ones (nextcloud/server core/Command/Config/{App/GetConfig,System/GetConfig,Import,App/SetConfig}.php,
 * onlyoffice-nextcloud lib/Command/DocumentServer.php + DocumentService::checkDocServiceUrl):
 *
 *   config:app:get onlyoffice KEY        value + "\n", exit 0; exit 1 when not set
 *   config:system:get onlyoffice KEY     the same for config.php's 'onlyoffice' array
 *   config:app:set onlyoffice KEY --value=V   sets it and echoes the value back (as the real one does)
 *   config:import [FILE]                 JSON {"apps": {...}, "system": {...}} from FILE or stdin; app values must be
 *                                        strings, ints or null (null deletes); "Config successfully imported from: "
 *   onlyoffice:documentserver --check    the app's check against DS, for real: healthcheck; the version command signed
 *                                        (HS256) with jwt_secret in <jwt_header> and in the body; a conversion of the
 *                                        app's "empty file", which DS must download from StorageUrl (served here, during
 *                                        the check, on StorageUrl's host; the download must carry <jwt_header> signed
 *                                        with jwt_secret, else "Download empty without jwt" → DS error -4); then a GET
 *                                        of the converted file. Prints "Error connection: …" (exit 1) or "… is
 *                                        successfully connected" (exit 0), and stores settings_error like the app.
 *
 * Environment:
 *   STANDIN_OCC_STATE   JSON file {"app": {KEY: V}, "system": {KEY: V}, "absoluteUrl": "http://nc.test/"} (required)
 *   STANDIN_OCC_LOG     JSON lines, one per call: {argv, stdin, env} (what ds-harden exposed to this process)
 */
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';

const statePath = process.env.STANDIN_OCC_STATE;
if (!statePath) {
  process.stderr.write('standin-occ: STANDIN_OCC_STATE is not set\n');
  process.exit(2);
}
const argv = process.argv.slice(2);
let stdin = '';
if (!process.stdin.isTTY) {
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    stdin = '';
  }
}
if (process.env.STANDIN_OCC_LOG) {
  fs.appendFileSync(process.env.STANDIN_OCC_LOG, JSON.stringify({ argv, stdin, env: process.env }) + '\n');
}
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
state.app ??= {};
state.system ??= {};
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
const out = (s) => process.stdout.write(s);

/** App config first, then config.php's system array (lib/AppConfig.php GetSystemValue fallback). */
const value = (key) => (state.app[key] !== undefined && state.app[key] !== '' ? String(state.app[key]) : state.system[key] !== undefined && state.system[key] !== '' ? String(state.system[key]) : '');

function b64url(o) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
function hs256(payload, secret) {
  const h = b64url({ typ: 'JWT', alg: 'HS256' });
  const p = b64url(payload);
  return `${h}.${p}.${crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}
function verifyHs256(token, secret) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return false;
  const sig = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  return sig === parts[2];
}

async function main() {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'config:app:get':
    case 'config:system:get': {
      const [app, key] = rest;
      const store = cmd === 'config:app:get' ? state.app : state.system;
      if (app !== 'onlyoffice' || store[key] === undefined) return 1;
      out(`${store[key]}\n`);
      return 0;
    }
    case 'config:app:set': {
      const [app, key, ...opts] = rest;
      const v = opts.find((o) => o.startsWith('--value='))?.slice('--value='.length) ?? '';
      if (app !== 'onlyoffice') return 1;
      state.app[key] = v;
      save();
      out(`Config value '${key}' for app '${app}' is now set to '${v}', stored as mixed in fast cache\n`);
      return 0;
    }
    case 'config:import': {
      const text = rest[0] ? fs.readFileSync(rest[0], 'utf8') : stdin;
      let doc;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = undefined;
      }
      if (!doc || typeof doc !== 'object' || Object.keys(doc).length === 0) {
        out('<error>The file must contain a valid json array</error>\n');
        return 1;
      }
      const bad = Object.keys(doc).filter((k) => k !== 'system' && k !== 'apps');
      if (bad.length) {
        out(`<error>Found invalid entries in root: ${bad.join(', ')}</error>\n`);
        return 1;
      }
      for (const [app, values] of Object.entries(doc.apps ?? {})) {
        for (const [k, v] of Object.entries(values)) {
          if (!(typeof v === 'string' || Number.isInteger(v) || v === null)) {
            out(`<error>Invalid app config value for "${app}":"${k}". Only integers, strings and null (delete) are allowed.</error>\n`);
            return 1;
          }
        }
      }
      for (const [app, values] of Object.entries(doc.apps ?? {})) {
        if (app !== 'onlyoffice') continue;
        for (const [k, v] of Object.entries(values)) {
          if (v === null) delete state.app[k];
          else state.app[k] = String(v);
        }
      }
      for (const [k, v] of Object.entries(doc.system ?? {})) {
        if (k === 'onlyoffice') state.system = v ?? {};
      }
      save();
      out(`<info>Config successfully imported from: ${rest[0] ?? ''}</info>\n`);
      return 0;
    }
    case 'onlyoffice:documentserver': {
      const url = value('DocumentServerUrl');
      if (!url) {
        out('<info>Document server is not configured</info>\n');
        return 1;
      }
      if (!rest.includes('--check')) {
        out(`<info>The current document server: ${url}</info>\n`);
        return 0;
      }
      const message = await check(url);
      state.app.settings_error = message;
      save();
      if (message) {
        out(`<error>Error connection: ${message}</error>\n`);
        return 1;
      }
      out(`<info>Document server ${url} version ${version} is successfully connected</info>\n`);
      return 0;
    }
    default:
      process.stderr.write(`standin-occ: command "${cmd}" is not defined\n`);
      return 1;
  }
}

let version = '';

async function request(u, opts = {}) {
  try {
    const r = await fetch(u, { ...opts, signal: AbortSignal.timeout(20_000) });
    return { status: r.status, text: await r.text() };
  } catch (e) {
    throw new Error(`cURL error 7: Failed to connect (${e.cause?.code ?? e.message}) for ${u}`);
  }
}

/** DocumentService::checkDocServiceUrl, step by step; '' when everything passed, else the message. */
async function check(url) {
  const base = (value('DocumentServerInternalUrl') || url).replace(/\/?$/, '/');
  const secret = value('jwt_secret');
  const header = value('jwt_header') || 'Authorization';
  const absolute = state.absoluteUrl ?? 'http://nc.test/';
  try {
    if (/^https:\/\//i.test(absolute) && /^http:\/\//i.test(url)) return 'Mixed Active Content is not allowed. HTTPS address for ONLYOFFICE Docs is required.';
    const h = await request(`${base}healthcheck`);
    if (h.text !== 'true') return 'Bad healthcheck status';

    const data = { c: 'version' };
    const headers = { 'Content-type': 'application/json' };
    let body = data;
    if (secret) {
      headers[header] = `Bearer ${hs256({ payload: data }, secret)}`;
      body = { ...data, token: hs256(data, secret) };
    }
    const c = await request(`${base}coauthoring/CommandService.ashx`, { method: 'POST', headers, body: JSON.stringify(body) });
    const cj = JSON.parse(c.text);
    if (cj.error === 6) return 'Error occurred in the document service: Invalid token';
    if (cj.error !== 0) return `Error occurred in the document service: ErrorCode = ${cj.error}`;
    version = cj.version;

    // the app's empty file, served on StorageUrl's host while the check runs
    const storage = new URL(value('StorageUrl') || 'http://127.0.0.1/');
    const server = http.createServer((req, res) => {
      const auth = req.headers[header.toLowerCase()];
      const ok = !secret || (typeof auth === 'string' && auth.startsWith('Bearer ') && verifyHs256(auth.slice(7), secret));
      if (!ok) {
        res.writeHead(403, { 'Content-Type': 'text/plain' });
        res.end('Download empty without jwt');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end('PK-empty-docx');
    });
    await new Promise((resolve, reject) => server.listen(0, storage.hostname, resolve).on('error', reject));
    try {
      const fileUrl = `http://${storage.hostname}:${server.address().port}/apps/onlyoffice/empty?doc=check`;
      const conv = { async: false, url: fileUrl, outputtype: 'docx', filetype: 'docx', title: 'check.docx', key: `check_${Date.now()}` };
      const ch = { 'Content-type': 'application/json', Accept: 'application/json' };
      let cbody = conv;
      if (secret) {
        ch[header] = `Bearer ${hs256({ payload: conv }, secret)}`;
        cbody = { ...conv, token: hs256(conv, secret) };
      }
      const r = await request(`${base}converter?shardKey=${conv.key}`, { method: 'POST', headers: ch, body: JSON.stringify(cbody) });
      const rj = JSON.parse(r.text);
      if (rj.error === -8) return 'Error occurred in the document service: Invalid token';
      if (rj.error === -4) return 'Error occurred in the document service: Error while downloading the document file to be converted.';
      if (rj.error !== undefined) return `Error occurred in the document service: ErrorCode = ${rj.error}`;
      const got = await request(rj.fileUrl);
      if (got.status !== 200) return `Client error: GET ${rj.fileUrl} resulted in a ${got.status} response`;
    } finally {
      server.close();
    }
    return '';
  } catch (e) {
    return e.message;
  }
}

process.exitCode = await main();
