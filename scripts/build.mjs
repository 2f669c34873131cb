#!/usr/bin/env node
// Build: type-check with tsc, then bundle src/main.ts (and its lazily imported commands, as separate chunks)
// into dist/ with esbuild. One bundle loads far faster than ~60 ESM files plus CommonJS export scanning, and
// `ds-harden check` must start fast (see scripts/bench-check.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const repo = path.resolve(import.meta.dirname, '..');
const tsc = spawnSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', path.join(repo, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

fs.rmSync(path.join(repo, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: [path.join(repo, 'src/main.ts')],
  outdir: path.join(repo, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  // jsonc-parser's "main" is a UMD build whose internal require()s esbuild cannot follow; use its ESM build
  mainFields: ['module', 'main'],
  // CommonJS dependencies (json5, ipaddr.js, jsonc-parser) may call require() for Node built-ins
  banner: { js: "import { createRequire as __dshCreateRequire } from 'node:module'; const require = __dshCreateRequire(import.meta.url);" },
});
