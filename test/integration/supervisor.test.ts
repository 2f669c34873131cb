/**
 * Real supervisord + DS stand-in (config loaded with the `config` package DS itself uses).
 * Needs /usr/bin/supervisord and supervisorctl (Debian `supervisor`; `.ci/run` installs it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  Supervisor,
  SupervisorUnavailableError,
  detectPrograms,
  parseStatus,
  parseUptime,
  parseActionOutput,
  type ProgramState,
} from '../../src/adapters/services/supervisor.js';
import { REPO_ROOT, STANDIN_PATH, freePort, startSupervisor, type ProgramSpec, type Sup } from '../support/supervisord.js';

const DS_CONF_SRC = '/work/shared/ds-configs/v9.3.0/server';
const T = 30_000;

let sup: Sup | undefined;
let etc: string | undefined;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  etc = await mkdtemp(path.join(os.tmpdir(), 'dsh-etc-'));
  // The real DS 9.3 default.json + production-linux.json, copied at test time (never into the repo).
  const src = (await import('node:fs')).existsSync(DS_CONF_SRC) ? DS_CONF_SRC : path.join(REPO_ROOT, 'fixtures', 'ds-configs', 'v9.3.0', 'server');
  await copyFile(path.join(src, 'default.json'), path.join(etc, 'default.json'));
  await copyFile(path.join(src, 'production-linux.json'), path.join(etc, 'production-linux.json'));
  await writeLocal(VALID_LOCAL);
});

afterEach(async () => {
  const s = sup;
  sup = undefined;
  if (s) await s.stop();
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  if (etc) await rm(etc, { recursive: true, force: true });
  etc = undefined;
});

const VALID_LOCAL = JSON.stringify(
  {
    services: {
      CoAuthoring: {
        token: { enable: { browser: true, request: { inbox: true, outbox: true } } },
        secret: { inbox: { string: 'lab-inbox-secret' }, outbox: { string: 'lab-inbox-secret' }, session: { string: 'lab-inbox-secret' } },
      },
    },
  },
  null,
  2,
);

async function writeLocal(text: string): Promise<void> {
  await writeFile(path.join(etc!, 'local.json'), text);
}

function dsEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production-linux',
    NODE_CONFIG_DIR: etc!,
    DS_STANDIN_ROLE: 'docservice',
    DS_STANDIN_PORT: String(port),
    DS_STANDIN_REPO: REPO_ROOT,
    ...extra,
  };
}

async function boot(programs: ProgramSpec[]): Promise<{ sup: Sup; sv: Supervisor }> {
  sup = await startSupervisor({ programs });
  return { sup, sv: new Supervisor({ confPath: sup.conf, env: sup.env }) };
}

async function httpGet(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${p}`, { headers, signal: AbortSignal.timeout(2000) });
  return { status: r.status, body: await r.text() };
}
async function httpPost(port: number, p: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${p}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
  return { status: r.status, body: await r.text() };
}

async function waitState(sv: Supervisor, name: string, want: string, timeoutMs: number): Promise<{ state: ProgramState | undefined; ms: number }> {
  const t0 = Date.now();
  let st: ProgramState | undefined;
  while (Date.now() - t0 < timeoutMs) {
    st = (await sv.status()).find((s) => s.name === name);
    if (st?.state === want) return { state: st, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { state: st, ms: Date.now() - t0 };
}

function hs256(payload: object, secret: string): string {
  const b = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const h = b({ alg: 'HS256', typ: 'JWT' });
  const p = b(payload);
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

describe('supervisor adapter: pure parsing', () => {
  it('parses status lines, uptimes, action output and DS program names', () => {
    const text = [
      'ds:converter                     RUNNING   pid 812, uptime 1 day, 2:03:04',
      'ds:docservice                    BACKOFF   Exited too quickly (process log may have details)',
      'ds:example                       STOPPED   Not started',
      'ds:metrics                       STARTING  ',
      'onlyoffice-documentserver:docservice FATAL     Exited too quickly (process log may have details)',
    ].join('\n');
    const st = parseStatus(text);
    expect(st.map((s) => [s.name, s.state, s.pid, s.uptimeSec])).toEqual([
      ['ds:converter', 'RUNNING', 812, 93784],
      ['ds:docservice', 'BACKOFF', undefined, undefined],
      ['ds:example', 'STOPPED', undefined, undefined],
      ['ds:metrics', 'STARTING', undefined, undefined],
      ['onlyoffice-documentserver:docservice', 'FATAL', undefined, undefined],
    ]);
    expect(st[1]!.description).toBe('Exited too quickly (process log may have details)');
    expect(parseUptime('0:00:08')).toBe(8);
    expect(parseUptime('3 days, 0:00:01')).toBe(259201);
    expect(parseActionOutput('ds:docservice: stopped\nds:docservice: ERROR (spawn error)\nds:x: ERROR (no such process)')).toEqual([
      { name: 'ds:docservice', outcome: 'stopped', line: 'ds:docservice: stopped' },
      { name: 'ds:docservice', outcome: 'spawn error', line: 'ds:docservice: ERROR (spawn error)' },
      { name: 'ds:x', outcome: 'no such process', line: 'ds:x: ERROR (no such process)' },
    ]);
    expect(detectPrograms(st)).toEqual({
      docservice: 'ds:docservice',
      converter: 'ds:converter',
      all: ['ds:converter', 'ds:docservice', 'ds:example', 'ds:metrics', 'onlyoffice-documentserver:docservice'],
    });
    const old = parseStatus(
      'onlyoffice-documentserver:converter   RUNNING   pid 1, uptime 0:01:00\nonlyoffice-documentserver:docservice  RUNNING   pid 2, uptime 0:01:00\nnginx  RUNNING   pid 3, uptime 0:01:00',
    );
    expect(detectPrograms(old)).toEqual({
      docservice: 'onlyoffice-documentserver:docservice',
      converter: 'onlyoffice-documentserver:converter',
      all: ['onlyoffice-documentserver:converter', 'onlyoffice-documentserver:docservice'],
    });
    expect(detectPrograms([])).toEqual({ all: [] });
  });
});

describe('real supervisord + stand-in DocService', () => {
  it('(1) valid config: restart ds:docservice → exit 0 "started", RUNNING, /healthcheck true', { timeout: T }, async () => {
    const port = await freePort();
    const { sv } = await boot([{ name: 'docservice', env: dsEnv(port) }]);
    const t0 = performance.now();
    const r = await sv.restart(['ds:docservice']);
    const tRestart = performance.now() - t0;
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ds:docservice: stopped');
    expect(r.output).toContain('ds:docservice: started');
    expect(r.spawnErrors).toEqual([]);
    const st = (await sv.status()).find((s) => s.name === 'ds:docservice');
    expect(st?.state).toBe('RUNNING');
    expect(st?.pid).toBeGreaterThan(0);
    const h = await httpGet(port, '/healthcheck');
    const tHealthy = performance.now() - t0;
    expect(h).toEqual({ status: 200, body: 'true' });
    const w = await sv.watch(['ds:docservice'], { settleMs: 1500 });
    expect(w.ok).toBe(true);
    expect(w.samples).toBeGreaterThanOrEqual(2); // first at 0 ms, last started at >= settleMs
    expect(w.elapsedMs).toBeGreaterThanOrEqual(1500);
    // JWT is on in VALID_LOCAL: unsigned → 6, signed → version
    expect(JSON.parse((await httpPost(port, '/coauthoring/CommandService.ashx', { c: 'version' })).body)).toEqual({ error: 6 });
    const tok = hs256({ payload: { c: 'version' } }, 'lab-inbox-secret');
    expect(JSON.parse((await httpPost(port, '/coauthoring/CommandService.ashx', { c: 'version' }, { Authorization: `Bearer ${tok}` })).body)).toEqual({
      error: 0,
      version: '9.3.0.0',
    });
    console.log(
      `[timing] success: restart returned after ${tRestart.toFixed(0)} ms (exit 0), healthcheck true at ${tHealthy.toFixed(0)} ms; ` +
        `verdict incl. watch(settle 1500) at ${(performance.now() - t0).toFixed(0)} ms`,
    );
  });

  it('(2) local.json without its last "}" → exit 7 spawn error, watch fails, FATAL ≤ 15 s, err log names the cause', { timeout: T }, async () => {
    const port = await freePort();
    const { sup: s, sv } = await boot([{ name: 'docservice', env: dsEnv(port) }]);
    await writeLocal(VALID_LOCAL.slice(0, VALID_LOCAL.lastIndexOf('}')));
    const t0 = performance.now();
    const r = await sv.restart(['ds:docservice']);
    const tRestart = performance.now() - t0;
    expect(r.exitCode).toBe(7);
    expect(r.output).toContain('ds:docservice: stopped');
    expect(r.output).toContain('ds:docservice: ERROR (spawn error)');
    expect(r.spawnErrors).toEqual(['ds:docservice']);
    const w = await sv.watch(['ds:docservice'], { settleMs: 5000 });
    const tVerdict = performance.now() - t0;
    expect(w.ok).toBe(false);
    expect(w.failed[0]?.name).toBe('ds:docservice');
    expect(['BACKOFF', 'FATAL', 'EXITED']).toContain(w.failed[0]?.state);
    const { state, ms } = await waitState(sv, 'ds:docservice', 'FATAL', 15_000);
    expect(state?.state).toBe('FATAL');
    expect(state?.description).toBe('Exited too quickly (process log may have details)');
    const tFatal = performance.now() - t0;
    // real supervisor: FATAL ≈ 9 s after the restart (ds-observed §3b); the bound only says it ends FATAL, not when
    expect(tFatal).toBeLessThan(60_000);
    const st = await s.ctl(['status']);
    expect(st.exitCode).toBe(3);
    const err = await sv.tail('ds:docservice', 'stderr', 4000);
    expect(err).toContain('Cannot parse config file');
    expect(err).toContain(`${etc}/local.json`);
    expect(err).toContain('JSON5: invalid end of input');
    // nothing listens meanwhile
    await expect(httpGet(port, '/healthcheck')).rejects.toThrow();
    // restore → restart from FATAL prints only "started"
    await writeLocal(VALID_LOCAL);
    const back = await sv.restart(['ds:docservice']);
    expect(back.exitCode).toBe(0);
    // named restart from FATAL: the stop half says "not running" (exit status unaffected), then "started"
    expect(back.output).toBe('ds:docservice: ERROR (not running)\nds:docservice: started');
    expect(back.spawnErrors).toEqual([]);
    expect((await httpGet(port, '/healthcheck')).body).toBe('true');
    const log = await s.supervisordLog();
    const attempts = (log.match(/exited: docservice \(exit status 1; not expected\)/g) ?? []).length;
    console.log(
      `[timing] spawn failure: restart returned after ${tRestart.toFixed(0)} ms (exit ${r.exitCode}), watch verdict at ${tVerdict.toFixed(0)} ms ` +
        `(${w.samples} samples, ${w.failed[0]?.state}), FATAL at ${tFatal.toFixed(0)} ms (polled ${ms} ms after watch), attempts logged: ${attempts}`,
    );
  });

  it('(3) empty local.json: spawn error under config 3.3.12 (DS 9), starts under config 2.0.1 (DS ≤ 8.3)', { timeout: T }, async () => {
    const [p9, p8] = [await freePort(), await freePort()];
    const { sv } = await boot([
      { name: 'docservice', env: dsEnv(p9, { DS_STANDIN_CONFIG: 'ds9' }) },
      { name: 'docservice8', env: dsEnv(p8, { DS_STANDIN_CONFIG: 'ds8' }) },
    ]);
    await writeLocal('');
    const r = await sv.restart(['ds:docservice', 'ds:docservice8']);
    expect(r.exitCode).toBe(7);
    expect(r.results.filter((l) => l.outcome !== 'stopped').map((l) => [l.name, l.outcome])).toEqual([
      ['ds:docservice', 'spawn error'],
      ['ds:docservice8', 'started'],
    ]);
    expect(r.spawnErrors).toEqual(['ds:docservice']);
    expect((await httpGet(p8, '/healthcheck')).body).toBe('true');
    expect(await sv.tail('ds:docservice', 'stderr')).toContain('JSON5: invalid end of input at 1:1');
    const w = await sv.watch(['ds:docservice8'], { settleMs: 1200 });
    expect(w.ok).toBe(true);
  });

  it('(4) trailing comma: starts under config 3.3.12 (JSON5), spawn error under config 2.0.1', { timeout: T }, async () => {
    const [p9, p8] = [await freePort(), await freePort()];
    const { sv } = await boot([
      { name: 'docservice', env: dsEnv(p9, { DS_STANDIN_CONFIG: 'ds9' }) },
      { name: 'docservice8', env: dsEnv(p8, { DS_STANDIN_CONFIG: 'ds8' }) },
    ]);
    await writeLocal('{"services": {"CoAuthoring": {"token": {"enable": {"request": {"inbox": true,}}}}}}');
    const r = await sv.restart(['ds:*']);
    expect(r.exitCode).toBe(7);
    // group restart: supervisor orders the group's processes itself (not by conf order)
    expect(r.results.filter((l) => l.outcome !== 'stopped').map((l) => [l.name, l.outcome]).sort()).toEqual([
      ['ds:docservice', 'started'],
      ['ds:docservice8', 'spawn error'],
    ]);
    expect((await httpGet(p9, '/healthcheck')).body).toBe('true');
    // the trailing-comma file really took effect under DS 9: JWT on
    expect(JSON.parse((await httpPost(p9, '/coauthoring/CommandService.ashx', { c: 'version' })).body)).toEqual({ error: 6 });
    expect(await sv.tail('ds:docservice8', 'stderr')).toContain('Cannot parse config file');
  });

  it('(5) crash after startsecs (EXIT_AFTER_MS=2500): restart exits 0 but watch(5000) fails', { timeout: T }, async () => {
    const port = await freePort();
    const { sv } = await boot([{ name: 'docservice', env: dsEnv(port, { DS_STANDIN_EXIT_AFTER_MS: '2500' }) }]);
    const t0 = performance.now();
    const r = await sv.restart(['ds:docservice']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ds:docservice: started');
    const seen: string[] = [];
    const w = await sv.watch(['ds:docservice'], {
      settleMs: 5000,
      onProgress: (st) => seen.push(st.map((s) => `${s.state}${s.pid ? `/${s.pid}` : ''}`).join(',')),
    });
    expect(w.ok).toBe(false);
    expect(w.elapsedMs).toBeLessThan(5000);
    const f = w.failed[0]!;
    expect(f.name).toBe('ds:docservice');
    expect(
      ['EXITED', 'BACKOFF'].includes(f.state) || /pid changed|restarted/.test(f.reason),
      `unexpected failure ${JSON.stringify(f)}`,
    ).toBe(true);
    console.log(
      `[timing] crash after startsecs: restart exit 0, watch failed ${(performance.now() - t0).toFixed(0)} ms after restart began: ${f.state} – ${f.reason}; samples: ${seen.join(' ')}`,
    );
  });

  it('(6) autostart=false program stays STOPPED on "restart ds:docservice", "restart all" starts it', { timeout: T }, async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const { sv } = await boot([
      { name: 'docservice', env: dsEnv(p1) },
      { name: 'example', env: dsEnv(p2), autostart: false },
    ]);
    let st = await sv.status();
    expect(st.find((s) => s.name === 'ds:example')).toMatchObject({ state: 'STOPPED', description: 'Not started' });
    const r1 = await sv.restart(['ds:docservice']);
    expect(r1.exitCode).toBe(0);
    expect(r1.output).not.toContain('ds:example');
    st = await sv.status();
    expect(st.find((s) => s.name === 'ds:example')?.state).toBe('STOPPED');
    const r2 = await sv.restart(['all']);
    expect(r2.exitCode).toBe(0);
    // real supervisor: stop only lists running programs, start lists every program not running
    expect(r2.results.map((l) => l.line).sort()).toEqual(['ds:docservice: started', 'ds:docservice: stopped', 'ds:example: started']);
    st = await sv.status();
    expect(st.find((s) => s.name === 'ds:example')?.state).toBe('RUNNING');
    expect((await httpGet(p2, '/healthcheck')).body).toBe('true');
  });

  it('RUNNING is not healthy: NO_LISTEN stays RUNNING through watch() while the port never opens', { timeout: T }, async () => {
    const port = await freePort();
    const { sv } = await boot([{ name: 'docservice', env: dsEnv(port, { DS_STANDIN_NO_LISTEN: '1' }) }]);
    const r = await sv.restart(['ds:docservice']);
    expect(r.exitCode).toBe(0);
    const w = await sv.watch(['ds:docservice'], { settleMs: 1500, intervalMs: 300 });
    expect(w.ok).toBe(true);
    await expect(httpGet(port, '/healthcheck')).rejects.toThrow();
  });

  it('unreachable supervisord → SupervisorUnavailableError; missing program in watch() fails', { timeout: T }, async () => {
    const port = await freePort();
    const { sup: s, sv } = await boot([{ name: 'docservice', env: dsEnv(port) }]);
    const w = await sv.watch(['ds:nope'], { settleMs: 500 });
    expect(w.ok).toBe(false);
    expect(w.failed[0]).toMatchObject({ name: 'ds:nope', state: 'MISSING' });
    const ac = new AbortController();
    const pending = sv.watch(['ds:docservice'], { settleMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user abort')), 300);
    await expect(pending).rejects.toThrow('user abort');
    const conf = s.conf;
    await s.stop();
    sup = undefined;
    const gone = new Supervisor({ confPath: conf.replace(/supervisord\.conf$/, 'missing.conf') });
    await expect(gone.status()).rejects.toBeInstanceOf(SupervisorUnavailableError);
    // socket gone: keep a conf that points at the removed socket
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dsh-gone-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const c2 = path.join(dir, 'c.conf');
    await writeFile(c2, `[supervisorctl]\nserverurl=unix://${dir}/nonexistent.sock\n`);
    const sv2 = new Supervisor({ confPath: c2 });
    const e1 = await sv2.status().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(SupervisorUnavailableError);
    expect((e1 as SupervisorUnavailableError).reason).toBe('socket-missing');
    expect((e1 as SupervisorUnavailableError).exitCode).toBe(4);
    const e2 = await sv2.restart(['all']).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(SupervisorUnavailableError);
    expect((e2 as SupervisorUnavailableError).exitCode).toBe(7);
    const e3 = await new Supervisor({ ctlPath: '/nonexistent/supervisorctl' }).status().catch((e: unknown) => e);
    expect((e3 as SupervisorUnavailableError).reason).toBe('not-installed');
  });
});

describe('stand-in DocService run directly (no supervisor)', () => {
  async function runStandin(extra: Record<string, string>): Promise<{ port: number; stop: () => Promise<void> }> {
    const port = await freePort();
    const child = execa(process.execPath, [STANDIN_PATH], {
      env: { NODE_ENV: 'production-linux', NODE_CONFIG_DIR: etc!, DS_STANDIN_PORT: String(port), DS_STANDIN_REPO: REPO_ROOT, ...extra },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    const stop = async (): Promise<void> => {
      child.kill('SIGTERM');
      await child;
    };
    cleanups.push(stop);
    for (let i = 0; i < 100; i++) {
      const ok = await httpGet(port, '/index.html').then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    return { port, stop };
  }

  it('ipfilter, JWT variants, DS_STANDIN_HEALTH=false, runtime.json override, SIGTERM → exit 0', { timeout: T }, async () => {
    const runtime = path.join(etc!, 'runtime.json');
    await writeLocal(
      JSON.stringify({
        runtimeConfig: { filePath: runtime },
        services: {
          CoAuthoring: {
            ipfilter: { useforrequest: true, rules: [{ address: '127.0.0.1', allowed: false }, { address: '*', allowed: true }] },
            token: { enable: { request: { inbox: true } } },
            secret: { inbox: { string: 'k1' } },
          },
        },
      }),
    );
    const { port, stop } = await runStandin({ DS_STANDIN_HEALTH: 'false' });
    expect(await httpGet(port, '/healthcheck')).toEqual({ status: 403, body: 'Forbidden' });
    expect((await httpGet(port, '/index.html')).status).toBe(200); // not filtered in DS either
    // leftmost X-Forwarded-For is what DS checks (bypass)
    expect(await httpGet(port, '/healthcheck', { 'X-Forwarded-For': '10.9.8.7, 127.0.0.1' })).toEqual({ status: 200, body: 'false' });
    const cmd = (body: unknown, h: Record<string, string> = {}) =>
      httpPost(port, '/coauthoring/CommandService.ashx', body, { 'X-Forwarded-For': '10.0.0.1', ...h }).then((r) => JSON.parse(r.body));
    expect(await cmd({ c: 'version' })).toEqual({ error: 6 });
    expect(await cmd({ c: 'version' }, { Authorization: `Bearer ${hs256({ payload: { c: 'version' } }, 'k1')}` })).toEqual({ error: 0, version: '9.3.0.0' });
    expect(await cmd({ c: 'version' }, { Authorization: `Bearer ${hs256({ payload: { c: 'version' } }, 'wrong')}` })).toEqual({ error: 6 });
    expect(await cmd({ c: 'version' }, { Authorization: hs256({ payload: { c: 'version' } }, 'k1') })).toEqual({ error: 6 });
    expect(await cmd({ token: hs256({ c: 'version' }, 'k1') })).toEqual({ error: 0, version: '9.3.0.0' });
    expect(await cmd({ token: hs256({ c: 'version', exp: Math.floor(Date.now() / 1000) - 3600 }, 'k1') })).toEqual({ error: 7 });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"c":"version"}').toString('base64url')}.`;
    expect(await cmd({ token: none })).toEqual({ error: 6 });
    // runtime.json applies live: JWT off, deny-all with errorcode 401
    await writeFile(
      runtime,
      JSON.stringify({ services: { CoAuthoring: { token: { enable: { request: { inbox: false } } }, ipfilter: { rules: [{ address: '*', allowed: false }], errorcode: 401 } } } }),
    );
    expect(await httpGet(port, '/healthcheck', { 'X-Forwarded-For': '10.0.0.1' })).toEqual({ status: 401, body: 'Unauthorized' });
    await writeFile(runtime, JSON.stringify({ services: { CoAuthoring: { token: { enable: { request: { inbox: false } } }, ipfilter: { useforrequest: false } } } }));
    expect(await cmd({ c: 'version' })).toEqual({ error: 0, version: '9.3.0.0' });
    await stop();
    cleanups.pop();
    const out = await readFile(path.join(etc!, 'local.json'), 'utf8');
    expect(out).toContain('runtimeConfig');
  });

  it('string "false" is truthy, errorcode 200 → "OK", string rules → 500 (as DS)', { timeout: T }, async () => {
    await writeLocal(JSON.stringify({ services: { CoAuthoring: { ipfilter: { useforrequest: 'false', rules: [{ address: '*', allowed: false }], errorcode: 200 } } } }));
    const a = await runStandin({});
    expect(await httpGet(a.port, '/healthcheck')).toEqual({ status: 200, body: 'OK' });
    await writeLocal(JSON.stringify({ services: { CoAuthoring: { ipfilter: { useforrequest: true, rules: 'nope' } } } }));
    const b = await runStandin({});
    expect((await httpGet(b.port, '/healthcheck')).status).toBe(500);
    await writeLocal(JSON.stringify({ services: { CoAuthoring: { ipfilter: { useforrequest: true, rules: { address: '*', allowed: false } } } } }));
    const c = await runStandin({});
    expect(await httpGet(c.port, '/healthcheck')).toEqual({ status: 200, body: 'true' });
    await writeLocal(JSON.stringify({ services: { CoAuthoring: { ipfilter: { useforrequest: true, rules: [{ address: '127.0.0.0/8', allowed: false }] } } } }));
    const d = await runStandin({});
    expect((await httpGet(d.port, '/healthcheck')).body).toBe('true'); // no CIDR support in DS
  });
});
