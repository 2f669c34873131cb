#!/usr/bin/env node
// Benchmark: how long `ds-harden apply` takes from the restart to its verdict under a real supervisord,
// for a change that succeeds and for one the service rejects at start (supervisor "spawn error"), printed next
// to supervisor's startsecs (1, as DS's program sections inherit it). Goal: verdict within startsecs + 2 s —
// for a success not counting the settle window, which is a deliberate wait (--settle; 3 s by default).
// Prints figures; asserts nothing. Needs supervisord/supervisorctl (Debian `supervisor`), `npm run build` first.
//
// The harness is inline: a private supervisord in a temp dir (unix socket 0700, no TCP) running the stand-in
// DocService (test/support/standin-ds.cjs, loads the config with DS's own `config` library) on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const bin = process.env.DS_HARDEN_TEST_BIN ?? path.join(repo, 'bin/ds-harden.cjs'); // override: another build of the CLI
const standin = path.join(repo, 'test/support/standin-ds.cjs');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const STARTSECS = 1;
const SECRET = 'Zq7vK2mP9xR4tW8yB3nD6fH1jL5sA0cE7gU2iO4k';
const OLD_LOCAL = JSON.stringify({ services: { CoAuthoring: { token: { enable: { browser: false, request: { inbox: false, outbox: false } } } } } }, null, 2) + '\n';

for (const [what, p] of [['the build (run npm run build)', process.env.DS_HARDEN_TEST_BIN ?? path.join(repo, 'dist/manifest.json')], ['the stand-in DocService', standin]]) {
  if (!fs.existsSync(p)) {
    console.error(`bench-apply: ${what} is missing: ${p}`);
    process.exit(2);
  }
}
if (spawnSync('sh', ['-c', 'command -v supervisord && command -v supervisorctl'], { stdio: 'ignore' }).status !== 0) {
  console.error('bench-apply: needs supervisord and supervisorctl (apt-get install supervisor)');
  process.exit(2);
}
const shared = path.resolve(repo, '../shared/ds-configs/v9.3.0/server');
if (!fs.existsSync(path.join(shared, 'default.json'))) {
  console.error(`bench-apply: needs DS 9.3's upstream default.json and production-linux.json in ${shared}`);
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the DS tree and supervisord ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-bench-apply-'));
const root = path.join(tmp, 'root');
const etc = path.join(root, 'etc/onlyoffice/documentserver');
fs.mkdirSync(etc, { recursive: true });
for (const f of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(shared, f), path.join(etc, f));
fs.writeFileSync(path.join(etc, 'local.json'), OLD_LOCAL);
const port = await freePort();
const supDir = path.join(tmp, 'sup');
fs.mkdirSync(supDir);
const conf = path.join(supDir, 'supervisord.conf');
const sock = path.join(supDir, 's.sock');
const pct = (s) => s.replace(/%/g, '%%');
const supEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: supDir, LC_ALL: 'C', LANG: 'C' };
// the stand-in rejects (exits 1 at start) any local.json that allows 10.9.9.9: the "bad" apply below
const program = (name, role, extra) => [
  `[program:${name}]`,
  `command=${pct(process.execPath)} ${pct(standin)}`,
  `directory=${pct(supDir)}`,
  `environment=NODE_ENV="production-linux",NODE_CONFIG_DIR="${pct(etc)}",DS_STANDIN_REPO="${pct(repo)}",DS_STANDIN_ROLE="${role}"${extra}`,
  `stdout_logfile=${pct(path.join(supDir, `${name}.out.log`))}`,
  `stderr_logfile=${pct(path.join(supDir, `${name}.err.log`))}`,
  'autostart=true',
  'autorestart=true',
  `startsecs=${STARTSECS}`,
  'startretries=3',
  'stopwaitsecs=5',
  '',
];
fs.writeFileSync(
  conf,
  [
    '[unix_http_server]',
    `file=${pct(sock)}`,
    'chmod=0700',
    '[supervisord]',
    `pidfile=${pct(path.join(supDir, 'supervisord.pid'))}`,
    `logfile=${pct(path.join(supDir, 'supervisord.log'))}`,
    `childlogdir=${pct(supDir)}`,
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${pct(sock)}`,
    '[group:ds]',
    'programs=docservice,converter',
    ...program('docservice', 'docservice', `,DS_STANDIN_PORT="${port}",DS_STANDIN_FAULT="reject",DS_STANDIN_FAULT_IF="10.9.9.9"`),
    ...program('converter', 'converter', ''),
  ].join('\n'),
  { mode: 0o600 },
);
const ctl = (...args) => spawnSync('supervisorctl', ['-c', conf, ...args], { encoding: 'utf8', env: supEnv });

let supPid = 0;
async function shutdown() {
  if (supPid) {
    ctl('shutdown');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(supPid, 0);
      } catch {
        break;
      }
      await sleep(100);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => shutdown().then(() => process.exit(130)));

try {
  const started = spawnSync('supervisord', ['-c', conf], { encoding: 'utf8', env: supEnv });
  if (started.status !== 0) throw new Error(`supervisord failed: ${started.stderr}${started.stdout}`);
  for (let i = 0; ; i++) {
    const st = ctl('status');
    if ((st.stdout.match(/RUNNING/g) ?? []).length === 2) break;
    if (i > 150) throw new Error(`programs not RUNNING:\n${st.stdout}${st.stderr}`);
    await sleep(100);
  }
  supPid = Number(fs.readFileSync(path.join(supDir, 'supervisord.pid'), 'utf8').trim());

  const common = ['--root', root, '--supervisor-conf', conf, '--health-url', `http://127.0.0.1:${port}/healthcheck`];
  const env = { ...process.env, NO_COLOR: '1', DSH_SECRET: SECRET };

  /** Run the CLI; the time each output line appeared, in ms since the start. */
  function timed(args) {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = [];
      let buf = '';
      const onData = (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push({ t: performance.now() - t0, text: buf.slice(0, i) });
          buf = buf.slice(i + 1);
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, lines, total: performance.now() - t0 }));
    });
  }
  const at = (r, re) => r.lines.find((l) => re.test(l.text))?.t;
  const fail = (r, what) => {
    throw new Error(`${what}: exit ${r.code}\n${r.lines.map((l) => l.text).join('\n')}`);
  };

  const settleS = 3; // apply's default for supervisor
  const ok = [];
  const bad = [];
  for (let i = 0; i < runs; i++) {
    // success: restart → RUNNING (supervisorctl restart returns after startsecs) → settle window → healthcheck → verdict
    const r = await timed(['apply', '--allow', '10.0.0.5', '--secret-env', 'DSH_SECRET', ...common]);
    if (r.code !== 10) fail(r, 'success run');
    const tRestart = at(r, /^restarting /);
    const tRunning = at(r, /^waiting .* for the services to settle/);
    const tVerdict = at(r, /^healthcheck: /);
    ok.push({ running: tRunning - tRestart, verdict: tVerdict - tRestart, total: r.total });
    const back = await timed(['rollback', ...common, '--settle', '0']);
    if (back.code !== 0) fail(back, 'reset (rollback)');

    // spawn failure: restart → supervisorctl says ERROR (spawn error) after startsecs → verdict → rollback
    const f = await timed(['apply', '--allow', '10.9.9.9', '--secret-env', 'DSH_SECRET', ...common]);
    if (f.code !== 20) fail(f, 'spawn-failure run');
    const fRestart = at(f, /^restarting /);
    const fVerdict = at(f, /^rolling back: restart failed/);
    const fBack = at(f, /^rolled back: /);
    bad.push({ verdict: fVerdict - fRestart, restored: fBack - fRestart, total: f.total });
  }

  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const fmt = (xs) => `median ${(med(xs) / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)})`;
  const goal = (STARTSECS + 2) * 1000;
  const okNet = ok.map((x) => x.verdict - settleS * 1000);
  console.log(`real supervisord (${ctl('version').stdout.trim()}), stand-in DocService + FileConverter, ${runs} runs each; startsecs=${STARTSECS}, settle window ${settleS} s (default)`);
  console.log(`success        restart → RUNNING (restart returned)    ${fmt(ok.map((x) => x.running))}`);
  console.log(`               restart → verdict (healthcheck true)    ${fmt(ok.map((x) => x.verdict))}`);
  console.log(`               same, without the ${settleS} s settle window     ${fmt(okNet)}`);
  console.log(`               whole apply command                     ${fmt(ok.map((x) => x.total))}`);
  console.log(`spawn failure  restart → verdict (spawn error seen)    ${fmt(bad.map((x) => x.verdict))}`);
  console.log(`               restart → original file back, RUNNING   ${fmt(bad.map((x) => x.restored))}`);
  console.log(`               whole apply command (exit 20)           ${fmt(bad.map((x) => x.total))}`);
  console.log(
    `goal: verdict within startsecs + 2 s = ${goal / 1000} s — spawn failure ${med(bad.map((x) => x.verdict)) <= goal ? 'met' : 'NOT met'}, ` +
      `success (without the settle window) ${med(okNet) <= goal ? 'met' : 'NOT met'}`,
  );
} finally {
  await shutdown();
}
