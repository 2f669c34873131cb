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
 * one file per chunk and place. V8 checks a cache only against the length of the source, its own version and its
 * flags, and keeps the file name the cache was made with in stack traces (Node 20.20, measured), so an entry is keyed
 * by everything else that matters and holds the chunk's text, which must equal the text being loaded byte for byte:
 * - the file name: the sha256 of the chunk's code (from the manifest), then a hash of dist/'s path and the settings below;
 * - the key, stored in the file and compared in full: the chunk's path (so a checkout elsewhere never gets stack
 *   traces naming this one), the V8 version, and the options that can change V8's flags (execArgv, NODE_OPTIONS);
 * - the chunk's text, compared in full: an edited or rebuilt chunk (even one of the same length) never runs the code
 *   another text was compiled from.
 * A cache file is used only when it is a plain file owned by the current user and writable by nobody else, and is
 * written with O_EXCL and a rename, so a cache directory someone else controls (sudo keeping HOME) can neither feed
 * code nor redirect a write. Files of other builds and places are removed after 30 days unused.
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

/**
 * A cache file starts with this, then the key and the chunk's text, each as its encoding (1 byte: "L" latin1 for a text
 * whose characters are all below U+0100, which then round-trips exactly and decodes by copying, else "U" UTF-8), its
 * length in bytes (4 bytes) and the bytes; V8's data follows at the next multiple of 8 bytes (V8 copies data that is not
 * aligned to a pointer before reading it).
 */
const MAGIC = Buffer.from('ds-harden V8 code cache 2\n');

/** What, besides a chunk's text and path, its compiled code depends on (see above): part of the key. */
const SETTINGS = [process.versions.v8, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');

/** A 32-bit FNV-1a hash of this bundle's place and the settings, for the cache file names (computed once). */
let placeHash;
function cacheFileOf(name) {
  if (placeHash === undefined) {
    const s = `${DIST}\0${SETTINGS}`;
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    placeHash = (h >>> 0).toString(16).padStart(8, '0');
  }
  return path.join(CACHE, `${manifest.files[name].sha256.slice(0, 32)}-${placeHash}.v8`);
}

/** The V8 data of a safe cache file made for this key and this text (a string), or undefined. */
function readCache(file, key, text) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== EUID || (st.mode & 0o022) !== 0) return undefined;
    const buf = fs.readFileSync(fd);
    let at = MAGIC.length;
    if (!buf.subarray(0, at).equals(MAGIC)) return undefined;
    const part = () => {
      const encoding = buf[at];
      const len = at + 5 <= buf.length ? buf.readUInt32LE(at + 1) : -1;
      if (len < 0 || at + 5 + len > buf.length) return undefined;
      at += 5 + len;
      return encoding === 0x4c ? buf.latin1Slice(at - len, at) : encoding === 0x55 ? buf.utf8Slice(at - len, at) : undefined;
    };
    if (part() !== key || part() !== text) return undefined;
    return buf.subarray((at + 7) & ~7);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A cache file's content (see MAGIC). */
function cacheContent(key, text, data) {
  const parts = [MAGIC];
  for (const s of [key, text]) {
    const latin1 = !/[^\0-\xff]/.test(s);
    const b = Buffer.from(s, latin1 ? 'latin1' : 'utf8');
    const head = Buffer.alloc(5);
    head[0] = latin1 ? 0x4c : 0x55;
    head.writeUInt32LE(b.length, 1);
    parts.push(head, b);
  }
  const header = Buffer.concat(parts);
  return Buffer.concat([header, Buffer.alloc(((header.length + 7) & ~7) - header.length), data]);
}

/**
 * mkdir -p with mode 0700, one level at a time. Not fs.mkdirSync's `recursive`: on a file system that answers ENOENT to
 * a mkdir below an existing directory (/proc) it retries forever (Node 20.20).
 */
function makeDirs(dir) {
  const missing = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      fs.mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if (e.code === 'ENOENT' && path.dirname(d) !== d) {
        missing.push(d);
        continue;
      }
      if (e.code !== 'EEXIST') throw e;
    }
    break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d, { mode: 0o700 });
}

function writeCaches() {
  try {
    makeDirs(CACHE);
    const st = fs.lstatSync(CACHE);
    if (!st.isDirectory() || st.uid !== EUID || (st.mode & 0o022) !== 0) return;
    const current = new Set(Object.keys(manifest.files).map((n) => path.basename(cacheFileOf(n))));
    for (const name of fs.readdirSync(CACHE)) {
      const p = path.join(CACHE, name);
      if (name.endsWith('.v8') && !current.has(name) && Date.now() - fs.lstatSync(p).atimeMs > PRUNE_AFTER_MS) fs.rmSync(p, { force: true });
    }
    for (const [file, script, key, text] of toCache) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, cacheContent(key, text, script.createCachedData()), { flag: 'wx', mode: 0o600 });
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
  // the key, stored in the cache file and compared in full
  const key = `${filename}\0${SETTINGS}`;
  const cacheFile = CACHE && cacheFileOf(name);
  const cachedData = cacheFile && readCache(cacheFile, key, source);
  // The same wrapper as Node's CommonJS loader, on the first line so that line numbers stay true.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) toCache.push([cacheFile, script, key, source]);
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
