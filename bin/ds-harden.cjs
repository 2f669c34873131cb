#!/usr/bin/env node
'use strict';
/**
 * ds-harden's launcher. dist/ holds the program as CommonJS chunks (scripts/build.mjs; the entry is named in
 * dist/manifest.json). This file loads them as Node's CommonJS loader would, with two differences:
 *
 * - A chunk may require only another chunk ("./x.cjs") or a Node built-in ("node:x"). Anything else is a
 *   build error and fails loudly here, instead of being looked up in whatever node_modules lies around.
 * - V8's code cache: each chunk's compiled code is kept in the user's cache directory and handed back to V8
 *   on the next start (Node 20 has no module.enableCompileCache; that is Node 22.1+). The cache is only an
 *   optimisation: any problem with it means compiling as usual. Figures: scripts/BENCH-NOTES.md.
 *
 * The standalone executable (scripts/build-sea.mjs) runs this same file as its main script, with dist/ embedded
 * as single-executable assets: the same chunks, loaded the same way.
 *
 * Cache location: $DS_HARDEN_CODE_CACHE (a directory; "0" or "off" disables it), else
 * $XDG_CACHE_HOME/ds-harden, else ~/.cache/ds-harden; below it one folder per Node version and architecture,
 * one file per chunk, named by the sha256 of the chunk's code (from the manifest). A cache file is used only
 * when it is a plain file owned by the current user and writable by nobody else, and is written with O_EXCL and
 * a rename, so a cache directory someone else controls (sudo keeping HOME) can neither feed code nor redirect
 * a write. Files of other builds are removed after 30 days unused.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

// In a single-executable application __filename is the executable itself.
const sea = __filename === process.execPath ? require('node:sea') : undefined;
const DIST = sea ? path.join(path.dirname(process.execPath), 'ds-harden', 'dist') : path.join(__dirname, '..', 'dist');
const readText = sea ? (name) => sea.getAsset(name, 'utf8') : (name) => fs.readFileSync(path.join(DIST, name), 'utf8');
const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;
const EUID = typeof process.geteuid === 'function' ? process.geteuid() : -1;
const loaded = new Map(); // chunk file name → module
const toCache = []; // [cache file, vm.Script] for chunks whose cache was missing or rejected

function cacheDir() {
  const env = process.env;
  const setting = env.DS_HARDEN_CODE_CACHE;
  if (setting === '0' || setting === 'off' || EUID < 0) return undefined;
  let base = setting && path.isAbsolute(setting) ? setting : undefined;
  if (!base) {
    const home = env.HOME;
    if (!home || !path.isAbsolute(home)) return undefined;
    try {
      // root under a sudo that kept the invoking user's HOME: leave that home alone
      if (fs.statSync(home).uid !== EUID) return undefined;
    } catch {
      return undefined;
    }
    const xdg = env.XDG_CACHE_HOME;
    base = path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'ds-harden');
  }
  return path.join(base, `code-cache-${process.version}-${process.arch}`);
}
const CACHE = cacheDir();

/** A safe cache file's bytes, or undefined. */
function readCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== EUID || (st.mode & 0o022) !== 0) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeCaches() {
  try {
    fs.mkdirSync(CACHE, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(CACHE);
    if (!st.isDirectory() || st.uid !== EUID || (st.mode & 0o022) !== 0) return;
    const current = new Set(Object.values(manifest.files).map((f) => `${f.sha256}.v8`));
    for (const name of fs.readdirSync(CACHE)) {
      const p = path.join(CACHE, name);
      if (name.endsWith('.v8') && !current.has(name) && Date.now() - fs.lstatSync(p).atimeMs > PRUNE_AFTER_MS) fs.rmSync(p, { force: true });
    }
    for (const [file, script] of toCache) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    }
  } catch {
    /* no cache this time */
  }
}

function requireFromChunk(spec) {
  if (spec.startsWith('./') && Object.hasOwn(manifest.files, spec.slice(2))) return load(spec.slice(2));
  if (spec.startsWith('node:')) return require(spec);
  throw new Error(`the bundle requires "${spec}", which is not part of it (build error: see scripts/build.mjs)`);
}

function load(name) {
  let mod = loaded.get(name);
  if (mod) return mod.exports;
  const filename = path.join(DIST, name); // for stack traces (a made-up path in the single executable)
  const source = readText(name);
  const cacheFile = CACHE && path.join(CACHE, `${manifest.files[name].sha256}.v8`);
  const cachedData = cacheFile && readCache(cacheFile);
  // The same wrapper as Node's CommonJS loader, on the first line so that line numbers stay true.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) toCache.push([cacheFile, script]);
  mod = { exports: {}, filename, loaded: false };
  loaded.set(name, mod);
  script.runInThisContext().call(mod.exports, mod.exports, requireFromChunk, mod, filename, DIST);
  mod.loaded = true;
  return mod.exports;
}

// Written at exit, so that the cache also holds the functions this run compiled lazily.
if (CACHE) process.once('exit', () => toCache.length > 0 && writeCaches());

let manifest;
try {
  manifest = JSON.parse(readText('manifest.json'));
  load(manifest.entry);
} catch (e) {
  process.stderr.write(`ds-harden: internal error: cannot load the program from ${DIST}: ${e && e.message}\n`);
  if (process.env.DS_HARDEN_DEBUG) process.stderr.write(`${e && e.stack}\n`);
  process.exitCode = 3;
}
