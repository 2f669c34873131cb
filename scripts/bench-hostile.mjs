#!/usr/bin/env node
// Benchmark: `ds-harden check` on hostile inputs (issue #6, resource bounds) next to a plain tree.
// Each input must be analysed in well under a second. Prints figures (wall time and the child's CPU time, median of N
// runs, with the machine's load average); asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const bin = path.join(repo, 'bin/ds-harden.js');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const shared = path.resolve(repo, '../shared/ds-configs/v9.3.0/server');
if (!fs.existsSync(shared)) {
  console.log(`needs the upstream DS 9.3.0 files in ${shared}`);
  process.exit(0);
}
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-bench-hostile-'));

function tree(name, local) {
  const root = path.join(base, name);
  const etc = path.join(root, 'etc/onlyoffice/documentserver');
  fs.mkdirSync(etc, { recursive: true });
  for (const f of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(shared, f), path.join(etc, f));
  if (typeof local === 'function') local(path.join(etc, 'local.json'));
  else fs.writeFileSync(path.join(etc, 'local.json'), local);
  return root;
}

const rules10k = [];
for (let i = 0; i < 10_000; i++) rules10k.push({ address: i % 3 ? `10.${(i >> 8) & 255}.${i & 255}.*` : `192.168.${(i >> 8) & 255}.${i & 255}`, allowed: true });
rules10k.push({ address: '*', allowed: false });
const shadowed = [{ address: '*', allowed: true }, ...rules10k];
const ipfilter = (rules) => JSON.stringify({ services: { CoAuthoring: { ipfilter: { rules } } } }, null, 2);
const deep = (n) => `{"deep":${'{"k":'.repeat(n)}1${'}'.repeat(n)}}`;

const cases = [
  ['plain local.json (baseline)', tree('plain', '{"services": {"CoAuthoring": {"token": {"enable": {"browser": true}}}}}\n')],
  ['10,000 ipfilter rules', tree('rules', ipfilter(rules10k))],
  ['10,000 rules after "*" (10,000 shadowed)', tree('shadowed', ipfilter(shadowed))],
  ['secret value with 100,000 spaces, broken line', tree('spaces', `{"services": {"CoAuthoring": {"secret": {"inbox": {"string": "a${' '.repeat(100_000)}b",,}}}}}\n`)],
  ['nesting 2,700 levels', tree('deep2700', deep(2_700))],
  ['nesting 100,000 levels', tree('deep100k', deep(100_000))],
  ['100,000 unclosed brackets', tree('brackets', '['.repeat(100_000))],
  ['local.json of 3.9 MiB (under the cap)', tree('big', `{"x": "${'a'.repeat(3.9 * 1024 * 1024)}"}`)],
  ['local.json of 64 MiB (sparse, over the cap)', tree('huge', (p) => (fs.writeFileSync(p, ''), fs.truncateSync(p, 64 * 1024 * 1024)))],
  ['local.json is a FIFO', tree('fifo', (p) => execFileSync('mkfifo', [p]))],
];

// CPU time (user + system) of the child comes from GNU time when it is installed: on a shared machine it says more
// than the wall time, which includes waiting for a CPU.
const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function once(root) {
  const args = [bin, 'check', '--root', root, '--format', 'json'];
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync(gnuTime, ['-f', 'CPU %U %S', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  const status = gnuTime && /Command exited with non-zero status (\d+)/.exec(r.stderr ?? '')?.[1];
  const code = gnuTime ? Number(status ?? 0) : r.status;
  if (code !== 0 && code !== 1) throw new Error(`check on ${root} exited ${code}: ${r.stderr}`);
  return { ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`ds-harden check --format json, median of ${runs} runs (1 warm-up); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
for (const [label, root] of cases) {
  once(root);
  const s = Array.from({ length: runs }, () => once(root));
  const wall = s.map((x) => x.ms);
  const cpu = s.map((x) => x.cpu);
  console.log(`${label.padEnd(48)} wall median ${median(wall).toFixed(0).padStart(5)} ms (min ${Math.min(...wall).toFixed(0).padStart(5)})   CPU median ${median(cpu).toFixed(0).padStart(5)} ms`);
}
fs.rmSync(base, { recursive: true, force: true });
