/**
 * Hostile and broken input, through the pure core: prototype keys never become tool state, nesting depth is bounded,
 * secrets stay masked whatever their type or spelling, and every analysis is linear or bounded.
 */
import { describe, expect, it } from 'vitest';
import { context, load, LOCAL, run } from '../helpers/context.js';
import { evaluate } from '../../src/core/evaluate.js';
import { rules } from '../../src/core/rules/index.js';
import { layerRules } from '../../src/core/rules/layers/index.js';
import { ipfilterRules } from '../../src/core/rules/ipfilter/index.js';
import { planApply } from '../../src/core/plan/plan.js';
import { parseAsDs } from '../../src/core/parse/ds-parse.js';
import { strictJsonError } from '../../src/core/parse/strict-json.js';
import { nestingDepth, MAX_EVAL_DEPTH } from '../../src/core/parse/depth.js';
import { buildTree } from '../../src/core/parse/tree.js';
import { supervisorEnvs } from '../../src/core/ds/service-defs.js';
import {
  displayPath,
  maskSecretLines,
  maskSecretText,
  redactValue,
  scrubText,
  secretValues,
  shownValue,
} from '../../src/core/redact.js';
import { safeExcerpt } from '../../src/core/rules/layers/snippet.js';
import { globMatches, globToRegExp, shadowedRules } from '../../src/core/ds/ipfilter.js';
import { MAX_GLOBS } from '../../src/core/rules/ipfilter/glob-matches-hostnames.js';
import { MAX_LISTED } from '../../src/core/rules/ipfilter/shadowed-rule.js';
import { MAX_EDIT_LENGTH, unifiedDiff } from '../../src/core/plan/diff.js';
import { weaknessOf } from '../../src/core/rules/secrets/weakness.js';
import type { Layer } from '../../src/core/types.js';
import { rng } from '../helpers/prng.js';

const byId = (id: string) => layerRules.find((r) => r.id === id)!;
const JWT_OFF = { services: { CoAuthoring: { token: { enable: { browser: false, request: { inbox: false, outbox: false } } } } } };
const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

describe('prototype keys never leak into ds-harden', () => {
  it('{"__proto__": {"severity": "info"}} with JWT off: the JWT findings keep their severity, DSH116 says what DS does', async () => {
    const before = protoNames();
    const text = JSON.stringify(JWT_OFF).replace(/^\{/, '{"__proto__": {"severity": "info", "mode": 438, "uid": 4242},');
    const findings = evaluate(rules, await context({ [LOCAL]: text }, { release: 'v9.3.0' }));
    expect(protoNames()).toEqual(before);
    expect(({} as Record<string, unknown>).severity).toBeUndefined();
    const jwt = findings.filter((f) => ['DSH200', 'DSH201', 'DSH202'].includes(f.ruleId));
    expect(jwt.map((f) => f.severity)).not.toContain('info');
    expect(jwt.map((f) => f.ruleId).sort()).toEqual(['DSH200', 'DSH201', 'DSH202']);
    const [p] = findings.filter((f) => f.ruleId === 'DSH116');
    expect(p).toMatchObject({ severity: 'high', key: '__proto__', location: { file: LOCAL, line: 1, column: 2 } });
    expect(p!.message).toContain('into Object.prototype of DocService and FileConverter');
    expect(p!.message).toContain('"severity", "mode", "uid"');
    // no "unknown key" for it: DS does not ignore it
    expect(findings.filter((f) => f.ruleId === 'DSH114' && f.key?.includes('__proto__'))).toEqual([]);
  });

  it('the merged value has no __proto__ member and copies every other key (constructor, prototype) as plain data', async () => {
    const loaded = await load({ [LOCAL]: '{"services": {"__proto__": {"x": 1}, "constructor": {"prototype": {"y": 2}}}, "hasOwnProperty": 5}' }, { release: 'v9.3.0' });
    const v = loaded.effective.value as Record<string, Record<string, unknown>>;
    expect(Object.hasOwn(v.services!, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(v.services)).toBe(Object.prototype);
    expect(v.services!.constructor).toEqual({ prototype: { y: 2 } });
    expect(v.hasOwnProperty).toBe(5);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(loaded.effective.setters.has('services.__proto__')).toBe(false);
  });

  it('DSH116 tells a merge into an existing object (process-wide) from a new object (that object only)', async () => {
    const f = await run(byId('DSH116'), { [LOCAL]: '{"services": {"__proto__": {"a": 1}}, "zz": {"__proto__": {"b": 2}}, "q": {"__proto__": 7}}' }, { release: 'v9.3.0' });
    expect(f.map((x) => x.key)).toEqual(['q.__proto__', 'services.__proto__', 'zz.__proto__']);
    expect(f[1]!.message).toContain('Object.prototype');
    expect(f[2]!.message).toContain('DS makes its members "b" members of zz');
    expect(f[0]!.message).toContain('member named "__proto__"');
    expect(await run(byId('DSH116'), { [LOCAL]: '{"services": {"constructor": 1}}' }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('--normalize keeps a __proto__ member as data in the rewritten file and pollutes nothing', async () => {
    const before = protoNames();
    const loaded = await load({ [LOCAL]: "{'__proto__': {'mode': 438}, services: {CoAuthoring: {}}}" }, { release: 'v9.3.0' });
    const plan = planApply(loaded, { allow: ['10.0.0.5'] }, { normalize: true });
    expect(plan.refusals).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(JSON.parse(plan.after), '__proto__')?.value).toEqual({ mode: 438 });
    expect(Object.getPrototypeOf(JSON.parse(plan.after))).toBe(Object.prototype);
    expect(protoNames()).toEqual(before);
  });

  it('service definitions: program and variable names from the file are plain keys', () => {
    const envs = supervisorEnvs(
      '/etc/supervisor/conf.d/ds.conf',
      '[group:ds]\nprograms=constructor\n[program:constructor]\ncommand=/var/www/onlyoffice/documentserver/server/DocService/docservice\nenvironment=__proto__="x",NODE_ENV="production-linux"\n',
    );
    // a DS program (by its command) with hostile names: nothing inherited leaks into the result
    expect(envs).toHaveLength(1);
    expect(envs[0]!.service).toBe('ds:constructor');
    expect(envs[0]!.env.NODE_ENV).toBe('production-linux');
    expect(Object.getPrototypeOf(envs[0]!.env)).toBe(null);
  });
});

describe('nesting depth is bounded: a finding, never a stack overflow', () => {
  const deep = (n: number) => `{"deep":${'{"k":'.repeat(n)}1${'}'.repeat(n)}}`;

  it('measures depth in one pass, outside strings and comments', () => {
    expect(nestingDepth('{"a": "{{{{", /* [[[[ */ "b": [[1]]}')).toBe(3);
    expect(nestingDepth(deep(100_000))).toBe(100_001);
    expect(nestingDepth('[[[[[', 3)).toBe(3);
  });

  for (const family of ['config2', 'config3'] as const) {
    it(`${family}: ≈ 2,700 and 100,000 levels are a parse finding (DS's loader overflows), 500 levels cannot be evaluated`, () => {
      for (const n of [2_700, 100_000]) {
        const r = parseAsDs(deep(n), family, 'json');
        expect(r.status).toBe('parse-error');
        expect(r.error!.cause).toContain('nested 2000 or more levels deep');
      }
      const mid = parseAsDs(deep(500), family, 'json');
      expect(mid.status).toBe('too-deep');
      expect(mid.notes[0]).toContain(`evaluates at most ${MAX_EVAL_DEPTH} levels`);
      expect(parseAsDs(deep(200), family, 'json').status).toBe('loaded');
    });

    it(`${family}: broken input nested 100,000 levels deep gets a diagnosis with a position`, () => {
      const r = parseAsDs('['.repeat(100_000), family, 'json');
      expect(r.status).toBe('parse-error');
      expect(r.error!.cause).toMatch(/end of file/);
      const r2 = parseAsDs('{"a":'.repeat(50_000) + '1,}', family, 'json');
      expect(r2.status).toBe('parse-error');
    });
  }

  it('the strict-JSON locator is iterative', () => {
    expect(strictJsonError('['.repeat(200_000) + ']'.repeat(200_000))).toBeUndefined();
    expect(strictJsonError('['.repeat(200_000) + ',')).toEqual({ offset: 200_000, expected: 'value' });
  });

  it('the position tree gives up beyond the evaluated depth instead of recursing', () => {
    expect(buildTree(deep(100_000)).root).toBeUndefined();
    expect(buildTree(deep(10)).root?.type).toBe('object');
  });

  it('check and plan report the layer (DSH100 / DSH111) and refuse to edit it', async () => {
    for (const [n, id] of [[3_000, 'DSH100'], [600, 'DSH111']] as const) {
      const findings = evaluate(rules, await context({ [LOCAL]: deep(n) }, { release: 'v9.3.0' }));
      expect(findings.find((f) => f.ruleId === id)?.location?.file).toBe(LOCAL);
      const plan = planApply(await load({ [LOCAL]: deep(n) }, { release: 'v9.3.0' }), { allow: ['10.0.0.5'] }, { normalize: true });
      expect(plan.refusals.map((r) => r.code)).toEqual(['parse-error']);
    }
  });

  it('$NODE_CONFIG nested too deep is reported, not merged', async () => {
    const conf = `[program:docservice]\nenvironment=NODE_CONFIG='${deep(5_000)}'\n`;
    const loaded = await load({ '/etc/supervisor/conf.d/ds.conf': conf }, { release: 'v9.3.0' });
    const layer = loaded.layers.find((l) => l.kind === 'node-config-env');
    expect(layer).toMatchObject({ status: 'opaque' });
    expect(layer!.notes[0]).toContain('2000 or more levels deep');
  });
});

describe('secrets are masked whatever their type or spelling', () => {
  const S = 'Zq8xW3vT9pL2mN7kR4sY6uB1';

  it('parse-error excerpts blank the values of a damaged key, a value on the next line and an unclosed string', async () => {
    const cases = [
      `{"services": {"CoAuthoring": {"secret": {"inbox": {\n  "strinq": "${S}",,\n}}}}}`,
      `{"services": {"CoAuthoring": {"secret": {"inbox": {"string":\n  "${S}",,\n}}}}}`,
      `{"services": {"CoAuthoring": {"secret": {"inbox": {"string": "${S}\n}}}}}`,
      `{"services": {"CoAuthoring": {"sql": {"dbHost": "db",\n "dbPasss": "${S}" "x"\n}}}}`,
      `{"storage": {"fs": {\n "secretStrinq": ${S}\n}}}`,
      `{"services": {"CoAuthoring": {"secret": {"inbox": {"string": “${S}”}}}}}`,
    ];
    for (const text of cases) {
      for (const release of ['v8.3.3', 'v9.3.0']) {
        const f = await run(byId('DSH100'), { [LOCAL]: text }, { release });
        expect(f, `${release}: ${text}`).toHaveLength(1);
        expect(f[0]!.message, f[0]!.message).not.toContain(S.slice(0, 8));
        expect(f[0]!.message).toMatch(/\n\d+ \| .*\n +\| +\^/);
      }
    }
  });

  it('keeps what is not secret visible in an excerpt: keys, structure, other objects', () => {
    const text = '{"services": {"CoAuthoring": {"token": {"enable": {"browser": true,,\n}}}}}';
    expect(safeExcerpt(text, 1, 67)).toContain('"browser": true,,');
    const sql = '{"services": {"CoAuthoring": {"sql": {"dbHost": "db.local", "dbPass": "hunter22hunter22"}}}}';
    expect(maskSecretLines(sql)).toBe('{"services": {"CoAuthoring": {"sql": {"dbHost": "db.local", "dbPass": "••••••••••••••••"}}}}');
  });

  it('a masked diff never shows "secret": • for an object line (issue 7 item 6)', () => {
    const text = '{"services": {"CoAuthoring": {\n  "secret": {\n    "inbox": { "string": "Abcdefgh12345678" },\n    "browser": {\n      "file": "/etc/ds/jwt"\n    }\n  }\n}}}\n';
    const masked = maskSecretLines(text);
    expect(masked).toContain('  "secret": {\n');
    expect(masked).toContain('    "browser": {\n');
    expect(masked).toContain('"file": "/etc/ds/jwt"');
    expect(masked).not.toContain('Abcdefgh');
    expect(masked.length).toBe(text.length);
  });

  it('masks numbers, arrays and objects at secret paths, and secret key names', () => {
    const v = { sql: { dbPass: 9.87e31 }, secret: { inbox: { string: { [S]: 1 }, [S + 'x']: 'string', file: '/x' } } };
    const r = JSON.stringify(redactValue({ services: { CoAuthoring: v } }, '', false));
    expect(r).not.toContain('9.87e+31');
    expect(r).not.toContain(S);
    expect(r).toContain('"file":"/x"');
    expect(shownValue('storage.fs.secretString', 12345678901)).toBe('••••••');
    expect(shownValue('services.CoAuthoring.sql.dbPass', ['a', 'b'])).toBe('••••••');
    expect(shownValue('services.CoAuthoring.server.port', 'abc')).toBe('"abc"');
    expect(displayPath(`services.CoAuthoring.secret.inbox.${S}`)).toBe('services.CoAuthoring.secret.inbox.••••••(24 chars)');
    expect(displayPath('services.CoAuthoring.secret.inbox.tenants.docs.example')).toBe('services.CoAuthoring.secret.inbox.tenants.docs.••••••(7 chars)');
    expect(displayPath('services.CoAuthoring.secret.inbox.string')).toBe('services.CoAuthoring.secret.inbox.string');
    // the values under a secret key name are secret too ("string" here stands where the secret belongs)
    expect(secretValues({ services: { CoAuthoring: v } }).sort()).toEqual(['1', '9.87e+31', S, S + 'x', 'string'].sort());
  });

  it('wrong-type, unknown-key and duplicate-key findings never quote a secret', async () => {
    const text = JSON.stringify({
      storage: { fs: { secretString: 123456789012345 } },
      services: { CoAuthoring: { sql: { dbPass: [S] }, secret: { inbox: { [S]: 'string' } } } },
    });
    const findings = evaluate(rules, await context({ [LOCAL]: text }, { release: 'v9.3.0' }));
    const all = JSON.stringify(findings);
    expect(findings.some((f) => f.ruleId === 'DSH115' && f.key === 'storage.fs.secretString')).toBe(true);
    expect(findings.some((f) => f.ruleId === 'DSH115' && f.key === 'services.CoAuthoring.sql.dbPass')).toBe(true);
    expect(findings.some((f) => f.ruleId === 'DSH114' && f.key === 'services.CoAuthoring.secret.inbox.••••••(24 chars)')).toBe(true);
    expect(all).not.toContain(S);
    expect(all).not.toContain('123456789012345');
    const dup = evaluate(rules, await context({ [LOCAL]: `{"services": {"CoAuthoring": {"secret": {"inbox": {"${S}": 1, "${S}": 2}}}}}` }, { release: 'v9.3.0' }));
    expect(JSON.stringify(dup)).not.toContain(S);
  });

  it('scrubText is linear and replaces the longest secret at each place', () => {
    expect(scrubText('a Abcdefgh12 b Abcdefgh1234 c', ['Abcdefgh12', 'Abcdefgh1234'])).toBe('a ••••••(10 chars) b ••••••(12 chars) c');
    // 10,000 secrets sharing their first characters, over 200,000 characters of text
    const secrets = Array.from({ length: 10_000 }, (_, i) => `secret-${String(i).padStart(6, '0')}-value`);
    const text = 'secret-'.repeat(30_000) + secrets[9_999];
    expect(scrubText(text, secrets)).toBe('secret-'.repeat(30_000) + '••••••(19 chars)');
    // a list the caller extends after a first use (apply learns the secrets as it goes) is read afresh
    const growing: string[] = [];
    expect(scrubText('key Xk29Lm4Pq8Zt', growing)).toBe('key Xk29Lm4Pq8Zt');
    growing.push('Xk29Lm4Pq8Zt');
    expect(scrubText('key Xk29Lm4Pq8Zt', growing)).toBe('key ••••••(12 chars)');
  });

  it('masking a value with 100,000 spaces takes one pass (the old pattern backtracked cubically)', () => {
    const line = `  "string": "a${' '.repeat(100_000)}b" ${' '.repeat(100_000)},`;
    const masked = maskSecretText(line, { damage: { line: 1, column: 1 } });
    expect(masked.length).toBe(line.length);
    expect(masked).not.toMatch(/a {10}/);
    const broken = `{"services": {"CoAuthoring": {"secret": {"inbox": {"string": "x${' '.repeat(50_000)}\n${'"'.repeat(50_000)}}}}}}`;
    expect(maskSecretText(broken, { damage: { line: 2, column: 1 } }).length).toBe(broken.length);
  });
});

describe('ipfilter analyses are linear or bounded', () => {
  /** The original quadratic shadowing check (first earlier rule that subsumes), as the reference. */
  function reference(rulesIn: { address: unknown }[]): { index: number; by: number }[] {
    const subsumes = (p: string, q: string) => {
      if (/^\*+$/.test(p)) return true;
      const pl = p.toLowerCase();
      const ql = q.toLowerCase();
      if (pl === ql) return true;
      const prefix = pl.replace(/\*+$/, '');
      if (prefix === pl || prefix.includes('*')) return false;
      return ql.startsWith(prefix);
    };
    const out: { index: number; by: number }[] = [];
    rulesIn.forEach((r, index) => {
      if (typeof r.address !== 'string') return;
      for (let by = 0; by < index; by++) {
        const p = rulesIn[by]!.address;
        if (typeof p === 'string' && subsumes(p, r.address)) {
          out.push({ index, by });
          return;
        }
      }
    });
    return out;
  }

  it('shadowedRules gives the same answer as the pairwise check (2,000 random lists)', () => {
    const r = rng(6061);
    const parts = ['10', '10.1', '10.1.2', '10.1.2.3', '192.168', 'A', 'a', 'host.example', '*', '2001:db8'];
    for (let n = 0; n < 2_000; n++) {
      const list = Array.from({ length: 1 + r.int(12) }, () => {
        let a = r.pick(parts);
        if (r.chance(0.4)) a += r.pick(['.*', '*', '**', '.*.*', '']);
        if (r.chance(0.05)) return { address: r.pick([null, 5, ['x']]) };
        return { address: a };
      });
      expect(shadowedRules(list), JSON.stringify(list)).toEqual(reference(list));
    }
  });

  it('globMatches is the rule regex without its backtracking (random patterns and targets)', () => {
    const r = rng(7);
    for (let n = 0; n < 5_000; n++) {
      const pattern = r.str(1 + r.int(10), '*.1aA:-');
      const target = r.str(r.int(12), '.1aAb:');
      expect(globMatches(pattern, target), `${pattern} vs ${target}`).toBe(globToRegExp(pattern).test(target));
    }
    // exponential for the regex engine, instant here
    expect(globMatches('*1'.repeat(30) + 'x', '0:0:0:0:0:ffff:cb00:7107')).toBe(false);
  });

  it('10,000 rules: every analysis finishes, and the host-name glob check says where it stopped', async () => {
    const list: unknown[] = [];
    for (let i = 0; i < 10_000; i++) list.push({ address: `10.${(i >> 8) & 255}.${i & 255}.*`, allowed: true });
    list.push({ address: '*', allowed: false });
    const text = JSON.stringify({ services: { CoAuthoring: { ipfilter: { rules: list } } } });
    const findings = evaluate(ipfilterRules, await context({ [LOCAL]: text }, { release: 'v9.3.0' }));
    const globs = findings.filter((f) => f.ruleId === 'DSH513');
    expect(globs.filter((f) => f.severity === 'medium')).toHaveLength(MAX_GLOBS);
    expect(globs.find((f) => f.severity === 'info')?.message).toContain(`did not analyse the other ${10_000 - MAX_GLOBS}`);
    const shadow = [{ address: '*', allowed: true }, ...list];
    const f2 = evaluate(ipfilterRules, await context({ [LOCAL]: JSON.stringify({ services: { CoAuthoring: { ipfilter: { rules: shadow } } } }) }, { release: 'v9.3.0' }));
    const shadowedFindings = f2.filter((f) => f.ruleId === 'DSH506');
    expect(shadowedFindings).toHaveLength(MAX_LISTED + 1);
    expect(shadowedFindings[MAX_LISTED]!.message).toMatch(/^9901 more rules are never reached \(ipfilter\.rules\[101\] to ipfilter\.rules\[10001\]\)/);
  });
});

describe('secret analyses are linear', () => {
  /** The original quadratic search for the smallest period, as the reference. */
  const period = (s: string) => {
    for (let p = 1; p <= s.length / 2; p++) {
      let ok = true;
      for (let i = p; i < s.length && ok; i++) ok = s[i] === s[i - p];
      if (ok) return p;
    }
    return undefined;
  };

  it('the repeated-block check finds the same period as trying every shift (3,000 random strings)', () => {
    const r = rng(11);
    for (let n = 0; n < 3_000; n++) {
      const block = r.str(1 + r.int(14), 'qwxzkvjQWXZKVJ7350');
      let s = block.repeat(1 + r.int(5)) + block.slice(0, r.int(block.length + 1));
      if (r.chance(0.3)) s += r.str(1, 'mnbp');
      if (new Set(s).size < 10) continue;
      const p = period(s);
      const w = weaknessOf(s);
      expect(w?.startsWith('it is one') ?? false, s).toBe(p !== undefined);
      if (p !== undefined) expect(w).toBe(`it is one ${p}-character block repeated`);
    }
  });

  it('a 1,000,000-character secret made of one block with a change at the end is judged in one pass', () => {
    const s = 'Qx7Zk2Wv9Lm'.repeat(90_910) + 'R';
    expect(weaknessOf(s)).toBeUndefined();
    expect(weaknessOf('Qx7Zk2Wv9Lm'.repeat(90_910))).toBe('it is one 11-character block repeated');
  });
});

describe('the dry-run diff is bounded', () => {
  it('diffs only the changed middle, and falls back to remove/add past the table limit', () => {
    const a = Array.from({ length: 40_000 }, (_, i) => `line ${i}`).join('\n');
    const b = a.replace('line 20000\n', 'line 20000 changed\n');
    const d = unifiedDiff(a, b, 'a', 'b');
    expect(d).toBe('--- a\n+++ b\n@@ -19998,7 +19998,7 @@\n line 19997\n line 19998\n line 19999\n-line 20000\n+line 20000 changed\n line 20001\n line 20002\n line 20003\n');
    const big = MAX_EDIT_LENGTH + 10;
    const x = Array.from({ length: big }, (_, i) => `x${i}`).join('\n');
    const y = Array.from({ length: big }, (_, i) => `y${i}`).join('\n');
    const lines = unifiedDiff(x, y, 'x', 'y').split('\n');
    expect(lines.filter((l) => l.startsWith('-x'))).toHaveLength(big);
    expect(lines.filter((l) => l.startsWith('+y'))).toHaveLength(big);
  });
});

describe('layers read by the adapter with a code', () => {
  it('EFBIG becomes an opaque layer (DSH111), ENOTREG an unreadable one (DSH401); apply refuses both', async () => {
    for (const [code, id] of [['EFBIG', 'DSH111'], ['ENOTREG', 'DSH401']] as const) {
      const files = { [LOCAL]: { text: '', error: code } };
      const loaded = await load(files, { release: 'v9.3.0' });
      const layer = loaded.layers.find((l: Layer) => l.file === LOCAL)!;
      expect(layer.status).toBe(code === 'EFBIG' ? 'opaque' : 'unreadable');
      const findings = evaluate(rules, await context(files, { release: 'v9.3.0' }));
      expect(findings.find((f) => f.ruleId === id)?.message).toContain(`${LOCAL}: ${code}`);
      const plan = planApply(loaded, { allow: ['10.0.0.5'] }, { normalize: true });
      expect(plan.refusals).toHaveLength(1);
      expect(plan.refusals[0]!.message).toContain('nothing was written');
    }
  });

  it('a service definition that cannot be read is reported (DSH111), not skipped silently', async () => {
    const conf = '/etc/supervisor/conf.d/ds.conf';
    const findings = evaluate(rules, await context({ [conf]: { text: '', error: 'ENOTREG' } }, { release: 'v9.3.0' }));
    const f = findings.find((x) => x.ruleId === 'DSH111' && x.location?.file === conf);
    expect(f?.message).toContain('the environment it gives DocService (NODE_CONFIG, NODE_CONFIG_DIR) is unknown');
  });
});
