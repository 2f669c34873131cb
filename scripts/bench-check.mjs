#!/usr/bin/env node
// `npm run bench`: start-up and footprint of ds-harden as users get it, next to bare Node in the same run.
// Prints figures; asserts nothing. What was tried and measured, including what did not help: BENCH-NOTES.md.
//
//   CPU time (user + sys, from bash's `time`, ms resolution) and wall time, median of BENCH_RUNS (default 21)
//   interleaved rounds after 2 warm-up rounds, for `node -e 0` and for
//     npm package (bin/ds-harden.cjs, V8 code cache warm):   --version, check, check --format sarif
//     npm package, first run (DS_HARDEN_CODE_CACHE=0):        the same three
//     standalone executable (dist-sea, built if missing):     the same three
//   `check` runs on a DS 9.3 tree: the real v9.3.0 default.json and production-linux.json from
//   ../shared/ds-configs with the example's local.json (else the bundled example fixtures/examples/nextcloud-9.3).
//   Peak memory: max RSS from GNU time (/usr/bin/time -f %M), median of 3 runs.
//   Package: packed size, the number of packages `npm install <tarball>` adds, the installed file count.
//
// Goals (issue 11): check ≤ 1.25x node -e 0 (CPU); packed < 300 kB; one package; peak memory < 80 MiB.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSea } from './build-sea.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const bin = path.join(repo, 'bin/ds-harden.cjs');
const runs = Number(process.env.BENCH_RUNS ?? 21);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// A 9.3 tree: the real upstream files when ../shared is there, else the bundled example.
const example = path.join(repo, 'fixtures/examples/nextcloud-9.3');
let root = example;
const shared = path.resolve(repo, '../shared/ds-configs/v9.3.0/server');
if (fs.existsSync(shared)) {
  root = path.join(tmp, 'root');
  const etc = path.join(root, 'etc/onlyoffice/documentserver');
  fs.mkdirSync(etc, { recursive: true });
  for (const f of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(shared, f), path.join(etc, f));
  fs.copyFileSync(path.join(example, 'etc/onlyoffice/documentserver/local.json'), path.join(etc, 'local.json'));
}

let sea;
if (process.platform === 'linux' && process.arch === 'x64') {
  try {
    sea = await buildSea({ outdir: path.join(repo, 'node_modules/.cache/ds-harden-sea'), reuse: true });
  } catch (e) {
    console.log(`(no standalone executable: ${e.message})`);
  }
}

const cacheDir = path.join(tmp, 'code-cache');
const baseEnv = { ...process.env, NO_COLOR: '1', DS_HARDEN_CODE_CACHE: cacheDir };
const noCache = { ...baseEnv, DS_HARDEN_CODE_CACHE: '0' };
const check = ['check', '--root', root];
const sarif = [...check, '--format', 'sarif'];
const node = process.execPath;
const cases = [
  { name: 'node -e 0', cmd: [node, '-e', '0'], env: baseEnv },
  { name: 'npm: --version', cmd: [node, bin, '--version'], env: baseEnv },
  { name: 'npm: check', cmd: [node, bin, ...check], env: baseEnv },
  { name: 'npm: check --format sarif', cmd: [node, bin, ...sarif], env: baseEnv },
  { name: 'npm, no code cache: --version', cmd: [node, bin, '--version'], env: noCache },
  { name: 'npm, no code cache: check', cmd: [node, bin, ...check], env: noCache },
  { name: 'npm, no code cache: check --format sarif', cmd: [node, bin, ...sarif], env: noCache },
  ...(sea
    ? [
        { name: 'standalone: --version', cmd: [sea, '--version'], env: baseEnv },
        { name: 'standalone: check', cmd: [sea, ...check], env: baseEnv },
        { name: 'standalone: check --format sarif', cmd: [sea, ...sarif], env: baseEnv },
      ]
    : []),
];

// Every case must work before it is timed (exit 0, or 1 for findings; nothing on stderr).
for (const c of cases) {
  const r = spawnSync(c.cmd[0], c.cmd.slice(1), { env: c.env, encoding: 'utf8' });
  if ((r.status !== 0 && r.status !== 1) || r.stderr) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
}

/** One timed run: [wall ms, cpu ms] measured by bash's `time` around the command alone. */
function timed(c) {
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>/dev/null; } 2>&1', 'bench', ...c.cmd], { env: c.env, encoding: 'utf8' });
  const [real, user, sys] = r.stdout.trim().split(/\s+/).map(Number);
  return [real * 1000, (user + sys) * 1000];
}

const samples = cases.map(() => ({ wall: [], cpu: [] }));
for (let round = 0; round < runs + 2; round++) {
  cases.forEach((c, i) => {
    const [wall, cpu] = timed(c);
    if (round >= 2) {
      samples[i].wall.push(wall);
      samples[i].cpu.push(cpu);
    }
  });
}
const median = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
function peakMiB(c) {
  if (!gnuTime) return undefined;
  const kib = [0, 1, 2].map(() => {
    const r = spawnSync(gnuTime, ['-f', '%M', ...c.cmd], { env: c.env, encoding: 'utf8' });
    return Number(r.stderr.trim().split('\n').pop());
  });
  return median(kib) / 1024;
}

const bare = { cpu: median(samples[0].cpu), wall: median(samples[0].wall) };
console.log(`tree: ${root === example ? 'the bundled example fixtures/examples/nextcloud-9.3' : 'real DS 9.3.0 default.json + production-linux.json, the example local.json'}`);
console.log(`${runs} interleaved rounds (+2 warm-up); medians; ratios to node -e 0 in the same run; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}\n`);
console.log(`${'case'.padEnd(42)} ${'CPU ms'.padStart(7)} ${'ratio'.padStart(6)} ${'wall ms'.padStart(8)} ${'ratio'.padStart(6)} ${'peak MiB'.padStart(9)}`);
const results = {};
cases.forEach((c, i) => {
  const cpu = median(samples[i].cpu);
  const wall = median(samples[i].wall);
  const mem = peakMiB(c);
  results[c.name] = { cpu: cpu / bare.cpu, mem };
  console.log(
    `${c.name.padEnd(42)} ${cpu.toFixed(0).padStart(7)} ${(cpu / bare.cpu).toFixed(2).padStart(5)}x ${wall.toFixed(0).padStart(8)} ${(wall / bare.wall).toFixed(2).padStart(5)}x ${mem === undefined ? '      n/a' : mem.toFixed(1).padStart(9)}`,
  );
});

// The package as npm sees it: pack (no prepack: dist/ was just built), then install the tarball with a fresh cache.
const npmEnv = { ...process.env, npm_config_cache: path.join(tmp, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: repo, env: npmEnv, encoding: 'utf8' });
const [pack] = JSON.parse(packed.stdout);
const app = path.join(tmp, 'app');
fs.mkdirSync(app);
const installed = spawnSync('npm', ['install', '--json', '--no-package-lock', path.join(tmp, pack.filename)], { cwd: app, env: npmEnv, encoding: 'utf8' });
const added = JSON.parse(installed.stdout).added;
const countFiles = (d) => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(d, e.name)) : 1), 0);
const fileCount = countFiles(path.join(app, 'node_modules'));

console.log(`\npacked ${(pack.size / 1000).toFixed(1)} kB (${pack.entryCount} files, ${(pack.unpackedSize / 1000).toFixed(1)} kB unpacked); npm install adds ${added} package(s), ${fileCount} files under node_modules`);
if (sea) console.log(`standalone executable ${(fs.statSync(sea).size / 2 ** 20).toFixed(1)} MiB`);

const peak = Math.max(...Object.values(results).map((r) => r.mem ?? 0));
const goal = (ok) => (ok ? 'met' : 'NOT met');
console.log('\ngoals (printed, not asserted):');
console.log(`  check ≤ 1.25x node -e 0 (CPU): npm ${results['npm: check'].cpu.toFixed(2)}x ${goal(results['npm: check'].cpu <= 1.25)}; first run ${results['npm, no code cache: check'].cpu.toFixed(2)}x${sea ? `; standalone ${results['standalone: check'].cpu.toFixed(2)}x` : ''}`);
console.log(`  packed < 300 kB: ${(pack.size / 1000).toFixed(1)} kB ${goal(pack.size < 300_000)}`);
console.log(`  one package: ${added} ${goal(added === 1)}`);
console.log(`  peak memory < 80 MiB: ${gnuTime ? `${peak.toFixed(1)} MiB at most ${goal(peak < 80)}` : 'n/a (install GNU time)'}`);
