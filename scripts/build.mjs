#!/usr/bin/env node
// Release build: type-check with tsc, then bundle src/ into dist/ as self-contained CommonJS chunks that
// bin/ds-harden.cjs loads (with V8's code cache; see scripts/BENCH-NOTES.md for why CommonJS and why chunks).
//
//   dist/main-<hash>.cjs        the program: main.ts, run.ts, commander (what `--version` and `--help` need)
//   dist/<name>-<hash>.cjs      each lazily imported command and what only it uses (check, apply, history,
//                               rollback, and any later command), and the chunks esbuild shares between them
//   dist/json5-<hash>.cjs, dist/json5-v1-<hash>.cjs
//                               the JSON5 parsers, loaded only for a file that is not strict JSON
//   dist/manifest.json          { entry, files: { name: { sha256, requires } } } for the launcher and the tests
//                               (the single executable embeds bin/ds-harden.cjs and these files as they are)
//   dist/THIRD-PARTY-NOTICES.txt  the licences of every bundled package (MIT and ISC require the notice)
//
// Every runtime library is bundled: the published package has no `dependencies`. A chunk may only require
// another chunk ("./x.cjs") or a Node built-in ("node:x"); the build fails otherwise, and so does the launcher
// (test/packaging/ checks both). New runtime libraries go to devDependencies; import them from the command that
// needs them (a static import inside a lazily imported command stays out of `check`'s start-up).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, transform } from 'esbuild';

const repo = path.resolve(import.meta.dirname, '..');
const dist = path.join(repo, 'dist');

/**
 * Libraries our code loads with a synchronous require() only when it needs them: each becomes a file of its
 * own, so that nothing of it is even parsed until then. (Libraries reached by `await import()` need no entry:
 * esbuild's code splitting already puts them in the chunk of the command that imports them.)
 */
const LAZY_REQUIRED = ['json5', 'json5-v1'];

/** `fs` and `node:fs` alike resolve to the external `node:fs`, the one form the launcher lets through. */
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const builtinsPlugin = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^[a-z_/:]+$/ }, (a) => {
      const name = a.path.replace(/^node:/, '');
      return BUILTINS.has(name) ? { path: `node:${name}`, external: true } : undefined;
    });
  },
};

/**
 * commander requires node:child_process at load time, for executable subcommands ds-harden does not have;
 * loading child_process (and with it net, dgram, stream) costs a few ms of every start. Give commander a
 * stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:${a.path}'))[k] });`,
      loader: 'js',
    }));
  },
};

function hashName(name, code) {
  return `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 10)}.cjs`;
}

/**
 * esbuild with its warnings made fatal: among them a require() or import() whose argument is not a string
 * literal (esbuild cannot bundle what it names, so the launcher would refuse it at run time).
 */
async function esbuild(options) {
  const r = await build({
    absWorkingDir: repo,
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    logOverride: { 'unsupported-require-call': 'warning', 'unsupported-dynamic-import': 'warning' },
    ...options,
  });
  if (r.warnings.length) throw new Error(`esbuild: ${r.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}`);
  return r;
}

/**
 * Builds dist/. Fails when a chunk would require anything but another chunk or a Node built-in.
 * Tests only: another `entry`; `external` leaves packages out and `check: false` writes such a bundle anyway,
 * to show what a user would see if one were missing.
 */
export async function buildDist({ outdir = dist, entry: entryFile = path.join(repo, 'src/main.ts'), external = [], check = true, minifyIdentifiers = true } = {}) {
  const files = new Map(); // name → code
  const requires = new Map(); // name → external specifiers its code requires
  const inputs = new Set();

  const lazyNames = {};
  for (const lib of LAZY_REQUIRED.filter((l) => !external.includes(l))) {
    const r = await esbuild({
      stdin: { contents: `module.exports = require(${JSON.stringify(lib)});`, resolveDir: repo, loader: 'js' },
      bundle: true,
      format: 'cjs',
      plugins: [builtinsPlugin],
    });
    const code = r.outputFiles[0].text;
    lazyNames[lib] = hashName(lib, code);
    files.set(lazyNames[lib], code);
    requires.set(lazyNames[lib], Object.values(r.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
    for (const i of Object.keys(r.metafile.inputs)) inputs.add(i);
  }
  const lazyPlugin = {
    name: 'lazy-required',
    setup(b) {
      const filter = new RegExp(`^(${Object.keys(lazyNames).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '(?!)'})$`);
      b.onResolve({ filter }, (a) => ({ path: `./${lazyNames[a.path]}`, external: true }));
    },
  };

  // esbuild splits code only in ESM output: build ESM chunks, then turn each into CommonJS below.
  const r = await esbuild({
    entryPoints: [entryFile],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    // jsonc-parser's "main" is a UMD build whose internal require()s esbuild cannot follow; use its ESM build
    mainFields: ['module', 'main'],
    external,
    minifyIdentifiers, // false: readable names for --cpu-prof (scripts/BENCH-NOTES.md)
    plugins: [lazyChildProcessForCommander, builtinsPlugin, lazyPlugin], // the first plugin that resolves a path wins
  });
  for (const i of Object.keys(r.metafile.inputs)) inputs.add(i);
  let entry;
  for (const f of r.outputFiles) {
    const name = path.basename(f.path);
    const meta = r.metafile.outputs[path.relative(repo, f.path)];
    const cjs = await transform(f.text, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minifyWhitespace: true,
      minifySyntax: true,
      minifyIdentifiers,
      // `import()` becomes `Promise.resolve().then(() => require())`: the launcher and the single
      // executable run plain scripts, which have no module loader for import()
      supported: { 'dynamic-import': false },
    });
    if (cjs.warnings.length) throw new Error(`${name}: ${cjs.warnings.map((w) => w.text).join('; ')}`);
    files.set(name, cjs.code);
    requires.set(name, meta.imports.filter((i) => i.external).map((i) => i.path));
    if (meta.entryPoint === path.relative(repo, entryFile)) entry = name;
  }
  if (!entry) throw new Error('esbuild produced no entry chunk');

  const problems = [...requires].flatMap(([name, specs]) =>
    specs.filter((s) => !(s.startsWith('node:') && BUILTINS.has(s.slice(5))) && !(s.startsWith('./') && files.has(s.slice(2)))).map((s) => `${name} requires "${s}"`),
  );
  if (check && problems.length) throw new Error(`the bundle is not self-contained:\n  ${problems.join('\n  ')}`);

  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  for (const [name, code] of files) fs.writeFileSync(path.join(outdir, name), code);
  // sha256: the launcher keys its code cache by it
  const manifest = {
    entry,
    files: Object.fromEntries(
      [...files].sort(([a], [b]) => a.localeCompare(b)).map(([n, code]) => [n, { sha256: createHash('sha256').update(code).digest('hex'), requires: [...new Set(requires.get(n))].sort() }]),
    ),
  };
  fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(path.join(outdir, 'THIRD-PARTY-NOTICES.txt'), notices(inputs));
  return manifest;
}

/** The licence text of every npm package whose code is in the bundle. */
function notices(inputs) {
  const pkgs = new Map();
  for (const i of inputs) {
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(i);
    if (m) pkgs.set(m[2], path.join(repo, m[1]));
  }
  const parts = ['ds-harden bundles the following packages. Their licences follow.\n'];
  for (const [name, dir] of [...pkgs].sort(([a], [b]) => a.localeCompare(b))) {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const lic = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = lic ? fs.readFileSync(path.join(dir, lic), 'utf8').trim() : `(no licence file; package.json says ${pj.license})`;
    parts.push(`${'-'.repeat(78)}\n${pj.name}@${pj.version} (${pj.license})${name !== pj.name ? ` as ${name}` : ''}\n\n${text}\n`);
  }
  return parts.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tsc = spawnSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', path.join(repo, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  await buildDist();
}
