#!/usr/bin/env node
// Benchmark: wall time of `ds-harden check` on a DS 9.x tree next to bare Node start-up (`node -e 0`).
// Goal: check within 1.5x of bare Node start-up. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const bin = path.join(repo, 'bin/ds-harden.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);

// A 9.3 tree: the real upstream files when ../shared is there, else the bundled example.
let root = path.join(repo, 'fixtures/examples/nextcloud-9.3');
const shared = path.resolve(repo, '../shared/ds-configs/v9.3.0/server');
if (fs.existsSync(shared)) {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-bench-'));
  const etc = path.join(root, 'etc/onlyoffice/documentserver');
  fs.mkdirSync(etc, { recursive: true });
  for (const f of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(shared, f), path.join(etc, f));
  fs.copyFileSync(path.join(repo, 'fixtures/examples/nextcloud-9.3/etc/onlyoffice/documentserver/local.json'), path.join(etc, 'local.json'));
}

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Interleaved (bare, check, json, bare, check, json, …) so drift in machine load hits all three alike.
const cases = { bare: ['-e', '0'], check: [bin, 'check', '--root', root], json: [bin, 'check', '--root', root, '--format', 'json'] };
const samples = { bare: [], check: [], json: [] };
for (let i = 0; i < runs + 2; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const ms = once(args);
    if (i >= 2) samples[name].push(ms); // 2 warm-up rounds
  }
}
function stats(list) {
  const s = [...list].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], p90: s[Math.floor(s.length * 0.9)] };
}
const bare = stats(samples.bare);
const check = stats(samples.check);
const json = stats(samples.json);
const fmt = (t) => `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, p90 ${t.p90.toFixed(1)})`;
console.log(`tree: ${root}${fs.existsSync(shared) ? ' (real DS 9.3.0 default.json + example local.json)' : ' (bundled example)'}; ${runs} interleaved runs each, 2 warm-up`);
console.log(`node -e 0                     ${fmt(bare)}`);
console.log(`ds-harden check               ${fmt(check)}   ratio ${(check.median / bare.median).toFixed(2)}x`);
console.log(`ds-harden check --format json ${fmt(json)}   ratio ${(json.median / bare.median).toFixed(2)}x`);
console.log(`goal: within 1.5x of bare Node start-up — ${check.median / bare.median <= 1.5 ? 'met' : 'NOT met'}`);
