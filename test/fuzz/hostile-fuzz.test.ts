/**
 * Property test over generated hostile configs (seeded: DSH_FUZZ_SEED=<n> replays a run; every failure names its seed
 * and case). Thousands of inputs run in-process through the core, a few hundred through the commands (run(), real
 * adapters, a temp root), a handful through the built CLI. Asserted for every input:
 * - nothing throws, no exit 3;
 * - no planted secret in any output (text, JSON, SARIF, --explain, dry-run diff, refusals), whatever damage the
 *   line holding it suffered;
 * - Object.prototype is left alone;
 * - apply (--service-manager none) writes a file that parses the way that DS version parses it and keeps every key
 *   outside the ones it owns (MANAGED_PREFIXES), and writes nothing outside --root.
 * Mutations are structure-aware: JSON5 syntax damage, curly quotes, deep nesting, odd types at the keys ds-harden reads,
 * "__proto__", huge and odd strings, duplicate keys, BOM / CRLF / tabs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { load, LOCAL, stockFiles } from '../helpers/context.js';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';
import { fuzzSeed, rng, type Rng } from '../helpers/prng.js';
import { evaluate, makeContext } from '../../src/core/evaluate.js';
import { rules } from '../../src/core/rules/index.js';
import { planApply, planSecrets } from '../../src/core/plan/plan.js';
import { unifiedDiff } from '../../src/core/plan/diff.js';
import { parseAsDs } from '../../src/core/parse/ds-parse.js';
import { MANAGED_PREFIXES } from '../../src/core/ds/keys.js';
import { maskSecretLines, scrubText } from '../../src/core/redact.js';
import { formatJson } from '../../src/formatters/json.js';
import { formatSarif } from '../../src/formatters/sarif.js';
import { formatText } from '../../src/formatters/text.js';
import { PLAIN } from '../../src/formatters/style.js';
import { explainKey } from '../../src/core/explain.js';
import { formatExplainJson, formatExplainText } from '../../src/formatters/explain.js';
import { run } from '../../src/run.js';
import type { Io } from '../../src/cli/io.js';
import type { Report } from '../../src/core/report.js';
import type { ParserFamily } from '../../src/core/types.js';

const SEED = fuzzSeed(process.env, 20261129);
const CORE_CASES = Number(process.env.DSH_FUZZ_CORE_CASES ?? 2_000);
const COMMAND_CASES = 100;
const CLI_CASES = 4;

// ---------------------------------------------------------------------------------------------
// generation
// ---------------------------------------------------------------------------------------------

/** Where secrets are planted: the secret-bearing paths of DS's configuration. */
const SECRET_PATHS: readonly string[][] = [
  ['services', 'CoAuthoring', 'secret', 'inbox', 'string'],
  ['services', 'CoAuthoring', 'secret', 'outbox', 'string'],
  ['services', 'CoAuthoring', 'secret', 'session', 'string'],
  ['services', 'CoAuthoring', 'secret', 'browser', 'string'],
  ['services', 'CoAuthoring', 'secret', 'inbox', 'tenants', 'docs.example.org'],
  ['services', 'CoAuthoring', 'sql', 'dbPass'],
  ['storage', 'fs', 'secretString'],
  ['storage', 'secretAccessKey'],
  ['wopi', 'privateKey'],
  ['aesEncrypt', 'secret'],
  ['email', 'smtpServerConfiguration', 'auth', 'pass'],
];

/** Keys ds-harden reads, for odd types. */
const READ_PATHS: readonly string[][] = [
  'services',
  'services.CoAuthoring',
  'services.CoAuthoring.token',
  'services.CoAuthoring.token.enable',
  'services.CoAuthoring.token.enable.browser',
  'services.CoAuthoring.token.enable.request.inbox',
  'services.CoAuthoring.token.inbox.header',
  'services.CoAuthoring.token.outbox.algorithm',
  'services.CoAuthoring.token.browser.secretFromInbox',
  'services.CoAuthoring.secret.inbox',
  'services.CoAuthoring.secret.outbox.file',
  'services.CoAuthoring.ipfilter',
  'services.CoAuthoring.ipfilter.rules',
  'services.CoAuthoring.ipfilter.errorcode',
  'services.CoAuthoring.ipfilter.useforrequest',
  'services.CoAuthoring.request-filtering-agent.allowPrivateIPAddress',
  'services.CoAuthoring.requestDefaults.rejectUnauthorized',
  'services.CoAuthoring.server.port',
  'externalRequest.directIfIn.allowList',
  'externalRequest.action',
  'runtimeConfig.filePath',
].map((p) => p.split('.'));

const ODD: readonly unknown[] = [
  null, true, false, 0, -1, 1e308, '', 'false', 'true', '*', '::1', '10.0.0.0/8', '127.0.0.1', [], [null], [1, 'a'], {},
  { address: 5 }, [{ address: null, allowed: 'x' }], [{ address: '*', allowed: true }, { address: '10.*', allowed: false }],
  { string: 7, file: [] }, 'x'.repeat(300), ' '.repeat(3_000), '\u201cquoted\u201d', 'a\u0000b\u2028c', 'HS256', 'http://a.example/',
];

interface Case {
  readonly family: ParserFamily;
  readonly release: 'v8.3.3' | 'v9.3.0';
  readonly text: string;
  /** Text that must never appear in any output. */
  readonly secrets: readonly string[];
  /** Dotted keys worth --explain. */
  readonly explain: readonly string[];
  readonly label: string;
}

function setPath(obj: Record<string, unknown>, p: readonly string[], value: unknown): void {
  let cur: Record<string, unknown> = obj;
  for (const seg of p.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[p[p.length - 1]!] = value;
}

function json5ify(r: Rng, text: string): string {
  let t = text;
  if (r.chance(0.5)) t = t.replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, (m, k: string) => (r.chance(0.5) ? `${k}:` : m));
  if (r.chance(0.4)) t = t.replace(/"([^"\\\n']*)"/g, (m, s: string) => (r.chance(0.3) ? `'${s}'` : m));
  if (r.chance(0.4)) t = t.replace(/(\n\s*)([}\]])/g, (m, ws: string, c: string) => (r.chance(0.3) ? `,${ws}${c}` : m));
  if (r.chance(0.3)) t = `// edited by hand\n${t}`;
  return t;
}

/** Indexes of `ch` in `t` (at most the first 4,000, to stay fast on huge texts). */
function positions(t: string, re: RegExp): number[] {
  const out: number[] = [];
  for (const m of t.matchAll(re)) {
    out.push(m.index!);
    if (out.length >= 4_000) break;
  }
  return out;
}

type Mutation = (r: Rng, t: string) => string;

const MUTATIONS: Record<string, Mutation> = {
  doubleComma: (r, t) => at(r, t, /,/g, (i) => t.slice(0, i) + ',,' + t.slice(i + 1)),
  dropPunct: (r, t) => at(r, t, /["{}[\]:,]/g, (i) => t.slice(0, i) + t.slice(i + 1)),
  curlyQuote: (r, t) => at(r, t, /"/g, (i) => t.slice(0, i) + r.pick(['\u201c', '\u201d', '\u00ab', '\uff02']) + t.slice(i + 1)),
  valueOnNextLine: (r, t) => at(r, t, /:/g, (i) => t.slice(0, i + 1) + '\n' + t.slice(i + 1)),
  unclosedString: (r, t) => at(r, t, /",/g, (i) => t.slice(0, i) + t.slice(i + 1)),
  misspell: (r, t) => t.replace(r.pick([/"string"/g, /"dbPass"/g, /"secretString"/g, /"pass"/g]), (m) => m.replace(/.(")$/, 'q$1')),
  deepNesting: (r, t) => {
    const n = r.pick([1, 50, 300, 2_200, 3_000]);
    return `{"x":`.repeat(n) + t + '}'.repeat(r.chance(0.8) ? n : r.int(n));
  },
  protoKey: (r, t) => at(r, t, /\{/g, (i) => t.slice(0, i + 1) + `"__proto__": ${r.pick(['{"severity": "info", "mode": 438, "uid": 4242}', '5', '[1]', '{"__proto__": {"x": 1}}', 'null'])},` + t.slice(i + 1)),
  duplicateKey: (r, t) => {
    const lines = t.split('\n');
    const i = r.int(lines.length);
    if (!/":/.test(lines[i]!)) return t;
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  },
  hugeString: (r, t) => at(r, t, /\{/g, (i) => t.slice(0, i + 1) + `"pad": "${r.pick([' ', 'a', '\\u0000', '"'.repeat(0) + '\u00a0'])}${' '.repeat(r.pick([10, 5_000, 60_000]))}x",` + t.slice(i + 1)),
  oddChars: (r, t) => at(r, t, /[ \n]/g, (i) => t.slice(0, i) + r.pick(['\u2028', '\u00a0', '\u200b', '\ufeff', '\t', '\u0000', '\\']) + t.slice(i)),
  bom: (_r, t) => '\uFEFF' + t,
  crlf: (_r, t) => t.replace(/\n/g, '\r\n'),
  tabs: (_r, t) => t.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2)),
  truncate: (r, t) => t.slice(0, r.int(t.length + 1)),
  swapSecretIntoKey: (_r, t) => t.replace(/"string": ("[^"]*")/, '$1: "string"'),
  trailingCommas: (_r, t) => t.replace(/(\S)(\s*[}\]])/g, '$1,$2'),
};

function at(r: Rng, t: string, re: RegExp, edit: (i: number) => string): string {
  const ps = positions(t, re);
  return ps.length ? edit(r.pick(ps)) : t;
}

function generate(r: Rng, n: number): Case {
  const release = r.chance(0.5) ? 'v9.3.0' : 'v8.3.3';
  const family: ParserFamily = release === 'v9.3.0' ? 'config3' : 'config2';
  const obj: Record<string, unknown> = {};
  const secrets: string[] = [];
  const explainKeys: string[] = [];
  let numeric: string | undefined;
  for (const p of SECRET_PATHS) {
    if (!r.chance(0.5)) continue;
    const s = `Sk${r.str(18 + r.int(10))}`;
    if (r.chance(0.08) && numeric === undefined) {
      // a numeric secret, written as a long digit literal (DS reads it as a number)
      numeric = `${1 + r.int(9)}${r.str(4, '0123456789')}${'0'.repeat(27)}`;
      setPath(obj, p, '__NUMERIC_SECRET__');
      secrets.push(String(Number(numeric)), numeric.slice(0, 12));
    } else if (r.chance(0.08)) {
      // a secret used as a key name where the secret belongs: in a JWT secret slot next to "string", or below a
      // secret value (as an object)
      const slot = p[2] === 'secret' && p[p.length - 1] === 'string';
      setPath(obj, slot ? [...p.slice(0, -1), s] : [...p, s], 'string');
      secrets.push(s.slice(0, 12));
    } else {
      setPath(obj, p, s);
      secrets.push(s.slice(0, 12), s.slice(-12));
    }
    explainKeys.push(p.join('.'), p.slice(0, -1).join('.'));
  }
  const odd = r.int(4);
  for (let i = 0; i < odd; i++) {
    const p = r.pick(READ_PATHS);
    // keep the planted secrets where they are: odd values go to keys that do not hold them
    if (SECRET_PATHS.some((s) => s.join('.').startsWith(p.join('.')))) continue;
    setPath(obj, p, structuredClone(r.pick(ODD)));
    explainKeys.push(p.join('.'));
  }
  if (r.chance(0.3)) {
    // long lists are slow to edit (one jsonc parse per edited key): rare, the linear analyses have their own test
    const rulesList = Array.from({ length: r.chance(0.03) ? 3_000 : r.pick([1, 3, 30, 300]) }, (_, i) => ({ address: r.pick(['10.0.0.' + (i % 250), '*', '10.*', `${r.int(255)}.*`, '::1', 'h.example']), allowed: r.chance(0.5) }));
    setPath(obj, ['services', 'CoAuthoring', 'ipfilter', 'rules'], rulesList);
  }
  let text = JSON.stringify(obj, null, r.pick([0, 2, 4, '\t'] as const));
  if (numeric !== undefined) text = text.replace('"__NUMERIC_SECRET__"', numeric);
  if (family === 'config3' && r.chance(0.4)) text = json5ify(r, text);
  const applied: string[] = [];
  const count = r.pick([0, 1, 1, 2, 3]);
  for (let i = 0; i < count; i++) {
    const name = r.pick(Object.keys(MUTATIONS));
    // deep nesting and huge strings are slow to generate many of: at most one each
    if ((name === 'deepNesting' || name === 'hugeString') && applied.includes(name)) continue;
    text = MUTATIONS[name]!(r, text);
    applied.push(name);
  }
  return { family, release, text, secrets, explain: [...new Set(explainKeys)], label: `seed ${SEED} case ${n} (${release}; ${applied.join(', ') || 'no mutation'})` };
}

// ---------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------

/** The first planted secret found in `output`, with the text around it (the secrets are made up for the test). */
function leaked(output: string, secrets: readonly string[]): string | undefined {
  const s = secrets.find((x) => output.includes(x));
  if (s === undefined) return undefined;
  const i = output.indexOf(s);
  return `${s} in …${output.slice(Math.max(0, i - 120), i + s.length + 40)}…`;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value without the subtrees apply owns (MANAGED_PREFIXES), as JSON text with sorted keys. */
function withoutOwned(value: unknown, prefix = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutOwned(v, '\u0000'));
  if (!isPlain(value)) return value;
  const out: [string, unknown][] = [];
  for (const k of Object.keys(value).sort()) {
    const p = prefix === '\u0000' ? '\u0000' : prefix ? `${prefix}.${k}` : k;
    if (MANAGED_PREFIXES.some((m) => p === m || p.startsWith(m + '.'))) continue;
    const child = withoutOwned(value[k], p);
    // an object that only held owned keys may be created empty (e.g. services.CoAuthoring)
    if (isPlain(child) && Object.keys(child).length === 0 && MANAGED_PREFIXES.some((m) => m.startsWith(p + '.'))) continue;
    out.push([k, child]);
  }
  return Object.fromEntries(out);
}

/** apply's output for a plan, as apply builds it: refusals, notes, and the masked diff. */
function planOutput(plan: ReturnType<typeof planApply>, scrubbed: readonly string[]): string {
  const mk = (t: string) => maskSecretLines(scrubText(t, scrubbed));
  return [
    ...plan.refusals.map((x) => x.message),
    ...plan.notes,
    unifiedDiff(mk(plan.before), mk(plan.after), plan.target, `${plan.target} (new)`),
  ].join('\n');
}

const NEW_SECRET = 'Nw4Yt8Pq2Lx6Vb9Zc3Hm7Rd5Fj1Gs0Kk';
const protoNames = () => Object.getOwnPropertyNames(Object.prototype).join(',');

describe(`hostile configs (seed ${SEED})`, () => {
  it(`${CORE_CASES} generated configs through the core: no throw, no secret out, written files parse and keep foreign keys`, { timeout: 240_000 }, async () => {
    const r = rng(SEED);
    const proto = protoNames();
    const failures: string[] = [];
    for (let n = 0; n < CORE_CASES && failures.length < 5; n++) {
      const c = generate(r, n);
      try {
        const loaded = await load({ [LOCAL]: c.text }, { release: c.release });
        const findings = evaluate(rules, makeContext(loaded, {}));
        const report: Report = {
          tool: { name: 'ds-harden', version: '0' },
          configDir: loaded.configDir,
          root: '/',
          dsVersion: loaded.version,
          layers: loaded.layers.map((l) => ({ file: l.file, kind: l.kind, status: l.status, atStartup: l.atStartup })),
          findings,
          failOn: 'high',
          rules,
        };
        const outputs = [formatText(report, { style: PLAIN }), formatJson(report, { showSecrets: false }), formatSarif(report, { showSecrets: false })];
        for (const k of c.explain) {
          const e = explainKey(loaded, k, false);
          outputs.push(formatExplainText(e, PLAIN), formatExplainJson(e, { name: 'ds-harden', version: '0' }));
        }
        const plan = planApply(loaded, { allow: ['10.0.0.5'], secret: NEW_SECRET, header: 'Authorization' }, { normalize: r.chance(0.5) });
        outputs.push(planOutput(plan, [NEW_SECRET, ...planSecrets(plan, loaded)]));
        const leak = outputs.map((o, i) => leaked(o, [...c.secrets, NEW_SECRET]) && `output ${i}: ${leaked(o, [...c.secrets, NEW_SECRET])}`).find(Boolean);
        if (leak) failures.push(`${c.label}: ${leak}`);
        if (plan.refusals.length === 0 && plan.changes.length > 0) {
          const after = parseAsDs(plan.after, c.family, 'json');
          if (after.status !== 'loaded') failures.push(`${c.label}: the planned file does not parse (${after.error?.message})`);
          const local = loaded.layers.find((l) => l.file === LOCAL);
          const before = local?.status === 'loaded' ? local.value : {};
          if (after.status === 'loaded' && isPlain(before) && JSON.stringify(withoutOwned(before)) !== JSON.stringify(withoutOwned(after.value))) {
            failures.push(`${c.label}: keys outside the owned ones changed`);
          }
        }
      } catch (e) {
        failures.push(`${c.label}: threw ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
      if (protoNames() !== proto || ({} as Record<string, unknown>).severity !== undefined) failures.push(`${c.label}: Object.prototype changed`);
    }
    expect(failures).toEqual([]);
  });

  it(`${COMMAND_CASES} configs through the commands (check, --explain, apply --dry-run, apply) on a temp root`, { timeout: 240_000 }, async () => {
    const r = rng(SEED + 1);
    const failures: string[] = [];
    const stock = { 'v8.3.3': stockFiles('v8.3.3'), 'v9.3.0': stockFiles('v9.3.0') };
    for (let n = 0; n < COMMAND_CASES && failures.length < 5; n++) {
      const c = generate(r, n);
      const { root, outside, witness } = tree(stock[c.release], c.text, r.chance(0.3));
      const common = ['--root', root, '--ds-version', c.release.slice(1)];
      const apply = ['apply', ...common, '--allow', '10.0.0.5', '--secret-env', 'DSH_FUZZ_SECRET', '--header', 'Authorization', '--service-manager', 'none', '--no-health', '--state-dir', '/state'];
      const runs: [string[], number | undefined][] = [
        [['check', ...common, '--format', r.pick(['text', 'json', 'sarif'])], undefined],
        [['check', ...common, '--explain', r.pick(c.explain.length ? c.explain : ['services'])], undefined],
        [[...apply, '--dry-run'], undefined],
        [[...apply, ...(r.chance(0.5) ? ['--normalize'] : [])], undefined],
      ];
      for (const [argv] of runs) {
        const res = await runInProcess(argv, { DSH_FUZZ_SECRET: NEW_SECRET });
        const out = res.out + res.err;
        if (res.code === 3) failures.push(`${c.label}: ${argv[0]} exit 3: ${out.slice(0, 300)}`);
        const leak = leaked(out, [...c.secrets, NEW_SECRET]);
        if (leak) failures.push(`${c.label}: ${argv.join(' ').slice(0, 60)} printed ${leak}`);
        if (argv[0] === 'apply' && !argv.includes('--dry-run') && res.code === 10) failures.push(...writtenFileProblems(c, root));
      }
      if (hashDir(outside) !== witness) failures.push(`${c.label}: a file outside --root changed`);
    }
    expect(failures).toEqual([]);
  });

  it(`${CLI_CASES} configs through the built CLI`, { timeout: 120_000 }, () => {
    const r = rng(SEED + 2);
    const failures: string[] = [];
    const stock = { 'v8.3.3': stockFiles('v8.3.3'), 'v9.3.0': stockFiles('v9.3.0') };
    for (let n = 0; n < CLI_CASES; n++) {
      const c = generate(r, n);
      const { root, outside, witness } = tree(stock[c.release], c.text, n % 2 === 0);
      const apply = ['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'DSH_FUZZ_SECRET', '--service-manager', 'none', '--no-health', '--state-dir', '/state'];
      for (const argv of [['check', '--root', root, '--format', 'sarif'], apply]) {
        const res = runCli(argv, { env: { DSH_FUZZ_SECRET: NEW_SECRET } });
        if (res.code === 3 || res.code === -1) failures.push(`${c.label}: ${argv[0]} exit ${res.code}`);
        const leak = leaked(res.stdout + res.stderr, [...c.secrets, NEW_SECRET]);
        if (leak) failures.push(`${c.label}: ${argv[0]} printed ${leak}`);
        if (argv[0] === 'apply' && res.code === 10) failures.push(...writtenFileProblems(c, root));
      }
      if (hashDir(outside) !== witness) failures.push(`${c.label}: a file outside --root changed`);
    }
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// helpers for the command tiers
// ---------------------------------------------------------------------------------------------

/** Host path of the file outside the root that a local.json symlink names (and the same path inside the root). */
const OUTSIDE_NAME = 'outside-target.json';

/**
 * A temp root with the release's stock files and `text` as local.json; a sibling directory outside the root holds a
 * witness file. With `link`, local.json is an absolute symlink to the witness's path (which --root re-roots).
 */
function tree(stock: Record<string, string>, text: string, link: boolean): { root: string; outside: string; witness: string } {
  const root = makeRoot(undefined);
  const outside = fs.mkdtempSync(path.join(inject('tmpBase') ?? os.tmpdir(), 'dsh-outside-'));
  fs.writeFileSync(path.join(outside, OUTSIDE_NAME), '{"outside": "must stay as it is"}\n');
  for (const [p, t] of Object.entries(stock)) fs.writeFileSync(path.join(root, p), t);
  const local = path.join(root, ETC_REL, 'local.json');
  if (link) {
    const target = path.join(outside, OUTSIDE_NAME);
    fs.mkdirSync(path.join(root, path.dirname(target)), { recursive: true });
    fs.writeFileSync(path.join(root, target), text);
    fs.symlinkSync(target, local);
  } else {
    fs.writeFileSync(local, text);
  }
  return { root, outside, witness: hashDir(outside) };
}

function hashDir(dir: string): string {
  const h = createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    h.update(`${name}\0${st.mode}\0${st.isFile() ? fs.readFileSync(p).toString('base64') : ''}\0`);
  }
  return h.digest('hex');
}

/** The file apply wrote (through a symlink: its target inside the root) parses as DS parses it and keeps foreign keys. */
function writtenFileProblems(c: Case, root: string): string[] {
  const local = path.join(root, ETC_REL, 'local.json');
  const link = fs.lstatSync(local).isSymbolicLink() ? fs.readlinkSync(local) : undefined;
  const file = link ? path.join(root, link) : local;
  const after = parseAsDs(fs.readFileSync(file, 'utf8'), c.family, 'json');
  if (after.status !== 'loaded') return [`${c.label}: the written file does not parse as DS ${c.release} parses it (${after.error?.message})`];
  const before = parseAsDs(c.text, c.family, 'json');
  if (before.status === 'loaded' && isPlain(before.value) && JSON.stringify(withoutOwned(before.value)) !== JSON.stringify(withoutOwned(after.value))) {
    return [`${c.label}: the written file lost or changed keys outside the owned ones`];
  }
  return [];
}

async function runInProcess(argv: readonly string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    env: { ...env, NO_COLOR: '1' },
    cwd: process.cwd(),
    stdoutIsTTY: false,
    stdinIsTTY: false,
    style: async () => PLAIN,
    onInterrupt: () => () => undefined,
  };
  const code = await run(argv, io);
  return { code, out, err };
}
