#!/usr/bin/env node
// `npm run build:sea`: ds-harden as one linux-x64 executable that needs no Node.js on the host, made with
// Node's single-executable-application support (Node 20: `node --experimental-sea-config`, then postject
// injects the blob into a copy of the node binary). It embeds the Node that runs this script, so build it
// with the Node 20 release you want to ship.
//
//   dist-sea/ds-harden-linux-x64          the executable
//   dist-sea/ds-harden-linux-x64.sha256   its checksum, in `sha256sum -c` format
//   dist-sea/NOTICES.txt                  ds-harden's licence, the bundled packages' and Node's
//
// Its main script is the npm package's launcher (bin/ds-harden.cjs) and dist/ is embedded as assets, so it runs
// the very chunks the npm package runs, loaded on demand and with the same code cache in the user's cache
// directory (scripts/BENCH-NOTES.md has what `useCodeCache` and a start-up snapshot gave instead).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
/** NODE_SEA_FUSE: the sentinel Node's single-executable support looks for (Node docs, "Single executable applications"). */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const SEA_NAME = 'ds-harden-linux-x64';

/**
 * Builds the executable into `outdir` and returns its path. With `reuse`, an executable already in `outdir` that
 * was built from the same launcher, dist/, Node binary and build code is kept (tests and the benchmark build it once).
 * Errors: not on linux-x64, a node binary without the single-executable fuse (some distribution builds), or a
 * failing postject.
 */
export async function buildSea({ outdir = path.join(repo, 'dist-sea'), reuse = false } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`build:sea makes a linux-x64 executable; this is ${process.platform}-${process.arch}`);
  const nodeBin = fs.readFileSync(process.execPath);
  if (!nodeBin.includes(FUSE)) throw new Error(`${process.execPath} has no single-executable support (no ${FUSE}): use an official Node.js 20 build`);

  const manifestFile = path.join(repo, 'dist/manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error('dist/ is missing: run npm run build first');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const launcher = path.join(repo, 'bin/ds-harden.cjs');
  const assets = { 'manifest.json': manifestFile, ...Object.fromEntries(Object.keys(manifest.files).map((n) => [n, path.join(repo, 'dist', n)])) };
  const exe = path.join(outdir, SEA_NAME);
  const keyFile = path.join(outdir, '.build-key');
  const st = fs.statSync(process.execPath);
  const hash = createHash('sha256').update([process.version, process.execPath, st.size, st.mtimeMs].join('\0'));
  for (const f of [import.meta.filename, launcher, ...Object.values(assets)]) hash.update(fs.readFileSync(f));
  const key = hash.digest('hex');
  if (reuse && fs.existsSync(exe) && fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8') === key) return exe;

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-sea-'));
  try {
    // the launcher is the main script; dist/ goes in as assets, read with node:sea's getAsset()
    const blob = path.join(work, 'sea.blob');
    fs.writeFileSync(
      path.join(work, 'sea-config.json'),
      JSON.stringify({ main: launcher, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }),
    );
    run(process.execPath, ['--experimental-sea-config', path.join(work, 'sea-config.json')], work);

    fs.mkdirSync(outdir, { recursive: true });
    fs.rmSync(keyFile, { force: true });
    const tmp = path.join(work, SEA_NAME);
    fs.writeFileSync(tmp, nodeBin, { mode: 0o755 });
    const postject = path.join(repo, 'node_modules/postject/dist/cli.js');
    run(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], work);
    fs.copyFileSync(tmp, exe);
    fs.chmodSync(exe, 0o755);

    const sum = createHash('sha256').update(fs.readFileSync(exe)).digest('hex');
    fs.writeFileSync(`${exe}.sha256`, `${sum}  ${SEA_NAME}\n`);
    fs.writeFileSync(path.join(outdir, 'NOTICES.txt'), notices());
    fs.writeFileSync(keyFile, key);
    return exe;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(args[0] ?? cmd)} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
}

function notices() {
  const own = fs.readFileSync(path.join(repo, 'LICENSE'), 'utf8');
  const bundled = path.join(repo, 'dist/THIRD-PARTY-NOTICES.txt');
  const nodeLicence = [path.join(path.dirname(process.execPath), '../share/doc/node/LICENSE'), '/usr/share/doc/nodejs/LICENSE'].find((p) => fs.existsSync(p));
  return [
    `${SEA_NAME} is ds-harden together with Node.js ${process.version}.\n\nds-harden:\n\n${own}`,
    fs.existsSync(bundled) ? fs.readFileSync(bundled, 'utf8') : '(run npm run build for the bundled packages\' licences)\n',
    nodeLicence ? `Node.js ${process.version}:\n\n${fs.readFileSync(nodeLicence, 'utf8')}` : `Node.js ${process.version}: see the LICENSE file of its source release\n`,
  ].join(`\n${'='.repeat(78)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const exe = await buildSea();
    console.log(`${path.relative(process.cwd(), exe)} (${(fs.statSync(exe).size / 2 ** 20).toFixed(1)} MiB), checksum in ${path.basename(exe)}.sha256`);
  } catch (e) {
    console.error(`build:sea: ${e.message}`);
    process.exit(1);
  }
}
