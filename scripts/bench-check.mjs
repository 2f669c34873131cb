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

function time(args) {
  const samples = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) samples.push(ms); // 2 warm-up runs
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], p90: samples[Math.floor(samples.length * 0.9)] };
}

const bare = time(['-e', '0']);
const check = time([bin, 'check', '--root', root]);
const json = time([bin, 'check', '--root', root, '--format', 'json']);
const fmt = (t) => `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, p90 ${t.p90.toFixed(1)})`;
console.log(`tree: ${root}${fs.existsSync(shared) ? ' (real DS 9.3.0 default.json + example local.json)' : ' (bundled example)'}; ${runs} runs each, 2 warm-up`);
console.log(`node -e 0                     ${fmt(bare)}`);
console.log(`ds-harden check               ${fmt(check)}   ratio ${(check.median / bare.median).toFixed(2)}x`);
console.log(`ds-harden check --format json ${fmt(json)}   ratio ${(json.median / bare.median).toFixed(2)}x`);
console.log(`goal: within 1.5x of bare Node start-up — ${check.median / bare.median <= 1.5 ? 'met' : 'NOT met'}`);
