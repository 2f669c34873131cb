/**
 * Real haproxy, nginx and Apache from Debian, each started on loopback in the foreground with a generated,
 * self-contained configuration (own temp dir, pid, logs and free port; the system's /etc/nginx, /etc/apache2
 * and services are never touched), in front of a recording upstream that stands in for DS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from './supervisord.js';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  upgrade: boolean;
}

export interface Upstream {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request (and websocket upgrade) and answers 200 / 101. */
export async function startUpstream(): Promise<Upstream> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, upgrade: false });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`upstream ${req.method} ${req.url}`);
    });
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, upgrade: true });
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request from `from` (a loopback source address) to 127.0.0.1:port. */
export function request(port: number, from: string, p: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, method: opts.method ?? 'GET', localAddress: from, agent: false, headers: { host: 'office.example.org', ...opts.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`timeout ${p}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A websocket handshake from `from`; resolves the status line's code (101 when the upgrade went through). */
export function upgrade(port: number, from: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: p,
      localAddress: from,
      agent: false,
      headers: {
        host: 'office.example.org',
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout ${p}`)));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface RunningProxy {
  port: number;
  /** the server's own configuration check: exit status and output */
  check: { status: number | null; output: string };
  stop(): Promise<void>;
  log(): string;
}

function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 8000;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      if (child.exitCode !== null) return reject(new Error(`proxy exited (${child.exitCode}): ${log()}`));
      const s = http.get({ host: '127.0.0.1', port, path: '/__dsh_ready', agent: false }, (res) => {
        res.resume();
        resolve();
      });
      s.on('error', () => {
        if (Date.now() > deadline) reject(new Error(`proxy did not listen on ${port}: ${log()}`));
        else setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

/** Debian puts the servers in /usr/sbin, which is not on every PATH. */
function bin(cmd: string): string {
  return fs.existsSync(`/usr/sbin/${cmd}`) ? `/usr/sbin/${cmd}` : cmd;
}

/** A server's command line for the foreground run and for its own configuration check, on a free loopback port. */
interface Prepared {
  cmd: string;
  args: string[];
  checkArgs: string[];
  port: number;
  logFile: string;
}

/** The server's own configuration check (haproxy -c, nginx -t, apache2 -t): exit status and output. */
function runCheck(p: Prepared): RunningProxy['check'] {
  const c = spawnSync(bin(p.cmd), p.checkArgs, { encoding: 'utf8' });
  return { status: c.status, output: `${c.stdout}${c.stderr}` };
}

async function runProxy(p: Prepared, dir: string): Promise<RunningProxy> {
  const cmd = bin(p.cmd);
  const { port, logFile } = p;
  const check = runCheck(p);
  const log = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  if (check.status !== 0) return { port, check, stop: async () => {}, log };
  const child = spawn(cmd, p.args, { cwd: dir, stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'stderr.log'), 'a')] });
  const all = () => `${log()}${fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8')}`;
  await waitForPort(port, child, all);
  return {
    port,
    check,
    log: all,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** haproxy -db (foreground) with a frontend on 127.0.0.1:port that uses the snippet's backend. */
async function prepareHaproxy(dir: string, snippetFor: (listen: string) => string): Promise<Prepared> {
  const port = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      `    pidfile ${dir}/haproxy.pid`,
      '',
      'defaults',
      '    mode http',
      '    timeout connect 2s',
      '    timeout client 10s',
      '    timeout server 10s',
      '',
      'frontend test',
      `    bind 127.0.0.1:${port}`,
      '    default_backend onlyoffice',
      '',
      snippetFor(`127.0.0.1:${port}`),
    ].join('\n'),
  );
  return { cmd: 'haproxy', args: ['-db', '-f', cfg], checkArgs: ['-c', '-f', cfg], port, logFile: path.join(dir, 'stderr.log') };
}

/** nginx in the foreground, one process, with the snippet included in the http context. */
async function prepareNginx(dir: string, snippetFor: (listen: string) => string): Promise<Prepared> {
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'onlyoffice.conf'), snippetFor(`127.0.0.1:${port}`));
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, t), { recursive: true });
  const cfg = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    cfg,
    [
      'daemon off;',
      'master_process off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      'events { worker_connections 64; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/${t};`),
      `    include ${dir}/onlyoffice.conf;`,
      '}',
    ].join('\n'),
  );
  const common = ['-p', dir, '-e', `${dir}/error.log`, '-c', cfg];
  return { cmd: 'nginx', args: common, checkArgs: ['-t', ...common], port, logFile: path.join(dir, 'error.log') };
}

const APACHE_MODULES = '/usr/lib/apache2/modules';

/** apache2 -DFOREGROUND with a self-contained configuration (Debian module paths, no /etc/apache2). */
async function prepareApache(dir: string, snippetFor: (listen: string) => string): Promise<Prepared> {
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'onlyoffice.conf'), snippetFor(`127.0.0.1:${port}`));
  const cfg = path.join(dir, 'apache2.conf');
  const mods = ['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http', 'headers'];
  fs.writeFileSync(
    cfg,
    [
      `ServerRoot ${dir}`,
      `DefaultRuntimeDir ${dir}`,
      `PidFile ${dir}/apache2.pid`,
      `ErrorLog ${dir}/error.log`,
      'LogLevel warn',
      ...mods.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
      'User nobody',
      'Group nogroup',
      'ServerName localhost',
      `Listen 127.0.0.1:${port}`,
      `Include ${dir}/onlyoffice.conf`,
    ].join('\n'),
  );
  return { cmd: 'apache2', args: ['-f', cfg, '-DFOREGROUND'], checkArgs: ['-t', '-f', cfg], port, logFile: path.join(dir, 'error.log') };
}

export const startHaproxy = async (dir: string, snippetFor: (listen: string) => string): Promise<RunningProxy> => runProxy(await prepareHaproxy(dir, snippetFor), dir);
export const startNginx = async (dir: string, snippetFor: (listen: string) => string): Promise<RunningProxy> => runProxy(await prepareNginx(dir, snippetFor), dir);
export const startApache = async (dir: string, snippetFor: (listen: string) => string): Promise<RunningProxy> => runProxy(await prepareApache(dir, snippetFor), dir);

/**
 * Only the server's configuration check of a snippet, in the same self-contained setup as the start functions
 * (the server is not started). `snippetFor` gets the address the wrapper configuration listens on.
 */
export async function checkProxyConfig(type: 'haproxy' | 'nginx' | 'apache', dir: string, snippetFor: (listen: string) => string): Promise<RunningProxy['check']> {
  const prepare = type === 'haproxy' ? prepareHaproxy : type === 'nginx' ? prepareNginx : prepareApache;
  return runCheck(await prepare(dir, snippetFor));
}
