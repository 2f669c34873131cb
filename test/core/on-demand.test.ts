/**
 * The shortcuts `check` takes for speed (scripts/BENCH-NOTES.md) give exactly what the exhaustive code gives:
 * - lazyTree (a position tree scanned as far as a lookup reaches) equals buildTree node for node;
 * - lineIndex's search for "\n" equals the per-character count;
 * - secretValuesAmong (judging only the paths whose text was asked about) equals secretValues filtered;
 * - knownSecrets leaves out exactly the secrets the shipped files publish at a secret path;
 * - nestingDepth (regular expressions find the brackets, quotes and comments) equals the per-character loop it replaced;
 * - the value the version fingerprint parsed from default.json is the layer's value only for that very text;
 * - strictJsonMayHold (a search of the text) never says no for a string the value holds, and knownSecrets, which uses it
 *   to skip walking default.json, equals the exhaustive computation.
 * On every release's default.json and production-linux.json, the fixtures, and seeded generated JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTree, lazyTree, findNode, type JsonNode } from '../../src/core/parse/tree.js';
import { MAX_EVAL_DEPTH, nestingDepth } from '../../src/core/parse/depth.js';
import { lineIndex, offsetToPosition } from '../../src/core/text/position.js';
import { secretValues, secretValuesAmong } from '../../src/core/redact.js';
import { knownSecrets } from '../../src/core/evaluate.js';
import { context, ETC, LOCAL, REPO, releases, SHARED_CONFIGS, stockFiles } from '../helpers/context.js';
import { parseAsDs } from '../../src/core/parse/ds-parse.js';
import { strictJsonMayHold } from '../../src/core/parse/strict-json.js';
import { loadConfig } from '../../src/core/layers/load.js';
import { memoryHost } from '../helpers/memory-host.js';
import { fuzzSeed, rng, type Rng } from '../helpers/prng.js';

const SEED = fuzzSeed(process.env, 20261130);

/** Every node as plain data (reads every lazy `children`). */
function plain(n: JsonNode | undefined): unknown {
  if (!n) return undefined;
  return {
    type: n.type,
    offset: n.offset,
    length: n.length,
    ...(n.key !== undefined ? { key: n.key, keyOffset: n.keyOffset } : {}),
    ...(n.children ? { children: n.children.map(plain) } : {}),
  };
}

/** The release files and the fixtures' JSON files. */
function realTexts(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const r of releases()) {
    for (const f of ['default.json', 'production-linux.json']) {
      const p = path.join(SHARED_CONFIGS, r, 'server', f);
      if (fs.existsSync(p)) out.push({ name: `${r}/${f}`, text: fs.readFileSync(p, 'utf8') });
    }
  }
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.json5?$/.test(e.name)) out.push({ name: path.relative(REPO, p), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(REPO, 'fixtures'));
  return out;
}

const KEY_PARTS = ['a', 'b', 'secret', 'string', 'inbox', 'x.y', '0', '12', '', 'é', '\\"', '\\\\', '\\u00e9', '\\/', '{', '[', '}', ']', ':', ','];
const SPACES = ['', ' ', '\n', '\t', '\r\n', '  '];

/** A random JSON text with duplicate keys, escapes, brackets in strings, odd numbers and white space. */
function genJson(r: Rng, depth = 0): string {
  const sp = () => r.pick(SPACES);
  const str = () => `"${Array.from({ length: r.int(4) }, () => r.pick(KEY_PARTS)).join('')}"`;
  const kind = depth > 5 ? r.int(4) : r.int(6);
  switch (kind) {
    case 0:
      return str();
    case 1:
      return r.pick(['0', '-0', '12', '-3.5', '1e9', '2.5E-3', '1E+2', '123456789012345678901234567890']);
    case 2:
      return r.pick(['true', 'false', 'null']);
    case 3:
      return r.chance(0.5) ? '{}' : '[]';
    case 4: {
      const n = r.int(5);
      const keys = Array.from({ length: n }, () => str());
      // a duplicate key now and then (the last one wins)
      if (n > 1 && r.chance(0.3)) keys[n - 1] = keys[0]!;
      return `{${sp()}${keys.map((k) => `${k}${sp()}:${sp()}${genJson(r, depth + 1)}`).join(`${sp()},${sp()}`)}${sp()}}`;
    }
    default: {
      const n = r.int(5);
      return `[${sp()}${Array.from({ length: n }, () => genJson(r, depth + 1)).join(`,${sp()}`)}${sp()}]`;
    }
  }
}

describe('lazyTree', () => {
  it('equals buildTree on every release file and fixture that JSON.parse accepts, and is undefined for the others', () => {
    let strict = 0;
    let other = 0;
    for (const { name, text } of realTexts()) {
      let json = true;
      try {
        JSON.parse(text);
      } catch {
        json = false;
      }
      const lazy = lazyTree(text);
      if (json) {
        strict++;
        expect(plain(lazy), name).toEqual(plain(buildTree(text).root));
      } else {
        other++;
        expect(lazy, name).toBeUndefined();
      }
    }
    expect(strict).toBeGreaterThan(38); // 19 releases × 2 files, and fixtures
    expect(other).toBeGreaterThan(0); // the broken fixtures and JSON5 examples
  });

  it('equals buildTree on generated JSON (escapes, duplicate keys, brackets in strings, CRLF, odd numbers)', () => {
    const r = rng(SEED);
    for (let i = 0; i < 3000; i++) {
      const text = `${r.pick(SPACES)}${genJson(r)}${r.pick(SPACES)}`;
      expect(() => JSON.parse(text), `seed ${SEED} case ${i}`).not.toThrow();
      const lazy = lazyTree(text);
      expect(lazy, `seed ${SEED} case ${i}: ${text}`).toBeDefined();
      expect(plain(lazy), `seed ${SEED} case ${i}: ${text}`).toEqual(plain(buildTree(text).root));
    }
  });

  it('finds the same node as buildTree for every key, reading only the containers on the way', () => {
    const text = fs.readFileSync(path.join(SHARED_CONFIGS, 'v9.3.0/server/default.json'), 'utf8');
    const full = buildTree(text).root!;
    const paths: (string | number)[][] = [];
    const collect = (n: JsonNode, p: (string | number)[]) => {
      paths.push(p);
      n.children?.forEach((c, i) => collect(c, [...p, n.type === 'array' ? i : c.key!]));
    };
    collect(full, []);
    expect(paths.length).toBeGreaterThan(500);
    for (const p of paths) {
      // a fresh lazy tree per path: each lookup starts from nothing scanned
      const a = findNode(lazyTree(text), p)!;
      const b = findNode(full, p)!;
      expect([a.type, a.offset, a.length, a.key, a.keyOffset]).toEqual([b.type, b.offset, b.length, b.key, b.keyOffset]);
    }
    expect(findNode(lazyTree(text), ['aesEncrypt', 'nope'])).toBeUndefined();
  });

  it('gives no tree where buildTree gives none: deeper than MAX_EVAL_DEPTH, trailing text, JSON5', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(lazyTree(deep(MAX_EVAL_DEPTH))?.type).toBe('array');
    expect(buildTree(deep(MAX_EVAL_DEPTH)).root?.type).toBe('array');
    expect(lazyTree(deep(MAX_EVAL_DEPTH + 1))).toBeUndefined();
    expect(buildTree(deep(MAX_EVAL_DEPTH + 1)).root).toBeUndefined();
    expect(lazyTree('{"a": 1} x')).toBeUndefined();
    expect(lazyTree('{a: 1, /* c */ "b": [1,],}')).toBeUndefined();
    expect(buildTree('{a: 1, /* c */ "b": [1,],}').root?.type).toBe('object');
  });
});

describe('lineIndex', () => {
  it('gives offsetToPosition for every offset, with \\n, \\r\\n and lone \\r line breaks', () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: r.int(30) }, () => r.pick(['a', 'bc', '\n', '\n\n', '\r\n', '\r', ' ', '\r\r\n'])).join('');
      const idx = lineIndex(text);
      for (let o = 0; o <= text.length; o++) expect(idx(o), `${JSON.stringify(text)} @${o}`).toEqual(offsetToPosition(text, o));
    }
  });
});

describe('secretValuesAmong', () => {
  const S = 'Xy7Qw9Zr2Lp5Mn8Kt4Vb6Hc';
  const handMade = {
    services: { CoAuthoring: { sql: { dbPass: 9.87e31 }, secret: { inbox: { string: { [S]: 1 }, [S + 'x']: 'string', file: '/x' } }, token: { enable: { browser: true } } } },
    storage: { fs: { secretString: 'verysecretstring', folderPath: 'verysecretstring' } },
    list: [S, 'string'],
  };

  it('equals secretValues ∩ the strings asked about, on every release file and a value with secret key names and numbers', () => {
    const values: { name: string; value: unknown }[] = [{ name: 'hand-made', value: handMade }];
    for (const { name, text } of realTexts()) {
      try {
        values.push({ name, value: JSON.parse(text) });
      } catch {
        /* JSON5 or broken: not a shipped file */
      }
    }
    const r = rng(SEED + 2);
    let secretsSeen = 0;
    for (const { name, value } of values) {
      const all = new Set(secretValues(value));
      secretsSeen += all.size;
      // every key name and leaf text in the value (most are not secrets), the secrets, and strings it does not hold
      const texts = new Set<string>([...all, 'nowhere', '1', 'string', S]);
      const stack: unknown[] = [value];
      while (stack.length) {
        const v = stack.pop();
        if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (texts.add(k), stack.push(x));
        else texts.add(String(v));
      }
      const pool = [...texts];
      for (let i = 0; i < 20; i++) {
        const wanted = new Set(pool.filter(() => r.chance(i === 0 ? 1 : 0.3)));
        expect([...secretValuesAmong(value, wanted)].sort(), name).toEqual([...wanted].filter((s) => all.has(s)).sort());
      }
    }
    expect(secretsSeen).toBeGreaterThan(values.length); // default.json has secrets (aesEncrypt.secret …)
    expect([...secretValuesAmong(handMade, new Set(['verysecretstring', '9.87e+31', S, 'string', '/x']))].sort()).toEqual(['9.87e+31', S, 'string', 'verysecretstring'].sort());
  });
});

describe('knownSecrets', () => {
  it('drops a local secret that default.json publishes at a secret path, keeps one that default.json has only elsewhere', async () => {
    const def = JSON.parse(fs.readFileSync(path.join(SHARED_CONFIGS, 'v9.3.0/server/default.json'), 'utf8'));
    const published = def.aesEncrypt.secret as string; // a public default secret
    const publicValue = def.services.CoAuthoring.sql.dbHost as string; // "localhost", at a path that holds no secret
    expect(secretValues(def)).toContain(published);
    expect(secretValues(def)).not.toContain(publicValue);
    const local = { aesEncrypt: { secret: published }, storage: { fs: { secretString: publicValue } }, services: { CoAuthoring: { secret: { inbox: { string: 'a-brand-new-secret-value' } } } } };
    const ctx = await context({ [LOCAL]: JSON.stringify(local) }, { release: 'v9.3.0' });
    const known = knownSecrets(ctx);
    expect(known).not.toContain(published);
    expect(known).toContain(publicValue);
    expect(known).toContain('a-brand-new-secret-value');
  });
});

/** The per-character nestingDepth that the regular-expression scan replaced: the reference. */
function nestingDepthByCharacter(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === c || d === 0x0a) break;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i + 2);
      i = end < 0 ? n : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max >= stopAt) return max;
      }
    } else if ((c === 0x7d || c === 0x5d) && depth > 0) {
      depth--;
    }
  }
  return max;
}

describe('nestingDepth', () => {
  it('equals the per-character loop on every release file, fixture and generated JSON', () => {
    const r = rng(SEED + 3);
    const texts = [...realTexts().map((t) => t.text), ...Array.from({ length: 500 }, () => genJson(r))];
    for (const text of texts) {
      expect(nestingDepth(text)).toBe(nestingDepthByCharacter(text));
      for (const stopAt of [1, 3, 2000]) expect(nestingDepth(text, stopAt)).toBe(nestingDepthByCharacter(text, stopAt));
    }
    expect(nestingDepth(fs.readFileSync(path.join(SHARED_CONFIGS, 'v9.3.0/server/default.json'), 'utf8'))).toBe(6);
  });

  it('equals it on random text of quotes, escapes, comments, brackets and line breaks (unclosed strings and comments too)', () => {
    const r = rng(SEED + 4);
    const parts = ['"', "'", '\\', '/', '*', '//', '/*', '*/', '{', '}', '[', ']', '\n', '\r', 'a', ' ', '\\"', "\\'", '\\\n'];
    let deep = 0;
    for (let i = 0; i < 10000; i++) {
      const text = Array.from({ length: r.int(40) }, () => r.pick(parts)).join('');
      const want = nestingDepthByCharacter(text);
      if (want > 2) deep++;
      expect(nestingDepth(text), `seed ${SEED + 4} case ${i}: ${JSON.stringify(text)}`).toBe(want);
      expect(nestingDepth(text, 2), `seed ${SEED + 4} case ${i}: ${JSON.stringify(text)}`).toBe(nestingDepthByCharacter(text, 2));
    }
    expect(deep).toBeGreaterThan(200); // the cases are not all flat
  });
});

describe('default.json parsed once', () => {
  it('parseAsDs takes a known value only for its own text (BOM removed), and parses any other text itself', () => {
    const text = '{"a": [1, {"b": "c"}]}';
    const known = { text, value: { from: 'the fingerprint' } };
    for (const family of ['config2', 'config3'] as const) {
      expect(parseAsDs(text, family, 'json', known).value).toBe(known.value);
      expect(parseAsDs('\uFEFF' + text, family, 'json', known).value).toBe(known.value);
      expect(parseAsDs('{"a": 2}', family, 'json', known).value).toEqual({ a: 2 });
      expect(parseAsDs(text, family, 'json').value).toEqual(JSON.parse(text));
    }
    // not strict JSON: the known value is for another text, so JSON5 decides
    expect(parseAsDs('{a: 1,}', 'config3', 'json', { text: '{a: 1}', value: 'x' }).value).toEqual({ a: 1 });
  });

  it('a tree whose version comes from the fingerprint loads every release\'s files as a fresh parse does', async () => {
    let fingerprinted = 0;
    for (const release of releases()) {
      const files = stockFiles(release);
      if (!files[`${ETC}/default.json`]) continue;
      const loaded = await loadConfig(memoryHost({ ...files, [LOCAL]: '{"services": {"CoAuthoring": {"token": {"enable": {"browser": true}}}}}' }));
      if (loaded.version.source !== 'fingerprint') continue;
      fingerprinted++;
      for (const layer of loaded.layers) {
        const text = files[layer.file] ?? '{"services": {"CoAuthoring": {"token": {"enable": {"browser": true}}}}}';
        expect(layer.value, `${release} ${layer.file}`).toEqual(parseAsDs(text, loaded.version.parser, 'json').value);
      }
    }
    expect(fingerprinted).toBeGreaterThan(10);
  });
});

/** Every member name, and the text of every leaf (as secretValues turns it into text), of a value. */
function stringsOf(value: unknown): Set<string> {
  const out = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.add(k), stack.push(x));
    else if (v !== null && v !== undefined) out.add(String(v));
  }
  return out;
}

describe('strictJsonMayHold', () => {
  it('finds every member name and leaf of the strict JSON release files, fixtures and generated JSON, and rules out others', () => {
    const r = rng(SEED + 5);
    const texts = realTexts().map((t) => t.text);
    // generated JSON: with only the escapes JSON.stringify writes (the search decides) and with others
    for (let i = 0; i < 1500; i++) texts.push(genJson(r));
    let searched = 0;
    let ruledOut = 0;
    for (const text of texts) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const held = stringsOf(value);
      for (const s of held) expect(strictJsonMayHold(text, s), `${JSON.stringify(s)} in ${text.slice(0, 200)}`).toBe(true);
      if (!/\\[/u]/.test(text)) searched++;
      for (const s of ['Xy7Qw9Zr2Lp5Mn8Kt4', 'a"b', 'tab\there', 'nextcloud-onlyoffice']) {
        if (held.has(s)) continue;
        if (!strictJsonMayHold(text, s)) ruledOut++;
      }
    }
    expect(searched).toBeGreaterThan(300);
    expect(ruledOut).toBeGreaterThan(1000);
    // a number or a boolean leaf gives its text: always possible
    expect(strictJsonMayHold('{"a": 1e21}', '1e+21')).toBe(true);
    expect(strictJsonMayHold('{"a": true}', 'true')).toBe(true);
    // escapes JSON.stringify does not write: the search cannot decide
    expect(strictJsonMayHold('{"a": "\\u0041b"}', 'Ab')).toBe(true);
    expect(strictJsonMayHold('{"a": "x\\/y"}', 'x/y')).toBe(true);
    expect(strictJsonMayHold('{"a": "x\\"y"}', 'x"y')).toBe(true);
    expect(strictJsonMayHold('{"a": "x\\"y"}', 'x"z')).toBe(false);
  });
});

/** knownSecrets as it was written before the shortcuts: every secret of every shipped layer, judged path by path. */
function knownSecretsExhaustive(ctx: Awaited<ReturnType<typeof context>>): string[] {
  const shipped = (l: { kind: string }) => l.kind === 'default' || l.kind === 'env';
  const published = new Set(ctx.layers.filter((l) => shipped(l) && l.status === 'loaded').flatMap((l) => secretValues(l.value)));
  const out = new Set<string>();
  for (const l of ctx.layers) if (l.status === 'loaded' && !shipped(l)) for (const s of secretValues(l.value)) if (!published.has(s)) out.add(s);
  return [...out];
}

describe('knownSecrets equals the exhaustive computation', () => {
  it('for local secrets that default.json holds at a secret path, at another path, as a member name, or not at all', async () => {
    const r = rng(SEED + 6);
    for (const release of ['v8.3.3', 'v9.3.0']) {
      const def = JSON.parse(fs.readFileSync(path.join(SHARED_CONFIGS, release, 'server/default.json'), 'utf8')) as Record<string, unknown>;
      const pool = [...stringsOf(def), ...secretValues(def), 'a-brand-new-secret-value', 'k3Jf9sLq0ZpW', '1234', 'true', 'x"y\\z'];
      for (let i = 0; i < 12; i++) {
        const pick = () => r.pick(pool);
        const local = {
          aesEncrypt: { secret: pick() },
          storage: { fs: { secretString: pick() } },
          services: { CoAuthoring: { secret: { inbox: { string: pick() }, outbox: { string: pick() } }, sql: { dbPass: pick() } } },
        };
        const ctx = await context({ [LOCAL]: JSON.stringify(local) }, { release });
        expect(ctx.layers.find((l) => l.kind === 'default')?.strictJson).toBe(true);
        expect(knownSecrets(ctx).sort(), `${release} ${JSON.stringify(local)}`).toEqual(knownSecretsExhaustive(ctx).sort());
      }
    }
  });
});
