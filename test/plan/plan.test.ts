/** The planner: minimal edits that keep everything else byte-for-byte, refusals when that is impossible. */
import { describe, expect, it } from 'vitest';
import { load, LOCAL, ETC } from '../helpers/context.js';
import { memoryHost } from '../helpers/memory-host.js';
import { stockFiles } from '../helpers/context.js';
import { planApply, uniqueRefusals, type DesiredState } from '../../src/core/plan/plan.js';
import { validateCandidate } from '../../src/core/plan/validate.js';
import { unifiedDiff } from '../../src/core/plan/diff.js';
import { getPath } from '../../src/core/layers/merge.js';
import { parseAsDs } from '../../src/core/parse/ds-parse.js';
import { rules } from '../../src/core/rules/index.js';

const SECRET = 'Qm7T2vX9pL4sK8dR1wF6hJ3nB5cZ0yGa';
const FULL: DesiredState = { allow: ['192.168.10.5', '2001:DB8::7'], secret: SECRET, header: 'Authorization', useforrequest: false };

/** Lines of `a` missing from `b` (so we can assert what was kept). */
function lost(a: string, b: string): string[] {
  const kept = new Set(b.split(/\r?\n/));
  return a.split(/\r?\n/).filter((l) => !kept.has(l));
}

describe('planApply', () => {
  it('keeps comments, tab indentation, unknown keys and key order; writes strict values DS reads', async () => {
    const text = '{\n\t// site settings — keep me\n\t"services": {\n\t\t"CoAuthoring": {\n\t\t\t"server": { "port": 8000 } /* inline */\n\t\t}\n\t},\n\t"myOwnKey": [1, 2, 3],\n\t"storage": { "fs": { "secretString": "s3cr3tS3cureL1nk" } }\n}\n';
    const loaded = await load({ [LOCAL]: text }, { release: 'v9.3.0' });
    const plan = planApply(loaded, FULL, { normalize: false });
    expect(plan.refusals).toEqual([]);
    // every original line survives untouched, except the one that gains the comma before the new member
    expect(lost(text, plan.after)).toEqual(['\t\t\t"server": { "port": 8000 } /* inline */']);
    expect(plan.after).toContain('\t\t\t"server": { "port": 8000 }, /* inline */\n\t\t\t"token": {');
    expect(plan.after).toContain('\t\t\t"token": {'); // tabs kept for inserted blocks
    const parsed = parseAsDs(plan.after, 'config2', 'json'); // DS 8 would load it too (comments aside)
    expect(parsed.status).toBe('loaded');
    const v = parseAsDs(plan.after, 'config3', 'json').value;
    expect(getPath(v, 'services.CoAuthoring.ipfilter.rules')).toEqual([
      { address: '192.168.10.5', allowed: true },
      { address: '2001:db8:0:0:0:0:0:7', allowed: true },
      { address: '127.0.0.1', allowed: true },
      { address: '0:0:0:0:0:0:0:1', allowed: true },
      { address: '*', allowed: false },
    ]);
    expect(getPath(v, 'services.CoAuthoring.secret.session.string')).toBe(SECRET);
    expect(getPath(v, 'myOwnKey')).toEqual([1, 2, 3]);
  });

  it('keeps CRLF line endings and a BOM', async () => {
    const text = '\uFEFF{\r\n  "services": {\r\n    "CoAuthoring": {}\r\n  }\r\n}\r\n';
    const plan = planApply(await load({ [LOCAL]: text }, { release: 'v9.3.0' }), FULL, { normalize: false });
    expect(plan.after.startsWith('\uFEFF{\r\n')).toBe(true);
    expect(plan.after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(plan.after.endsWith('}\r\n')).toBe(true);
  });

  it('creates local.json when it is missing', async () => {
    const plan = planApply(await load({}, { release: 'v9.3.0' }), FULL, { normalize: false });
    expect(plan.exists).toBe(false);
    expect(JSON.parse(plan.after)).toMatchObject({ services: { CoAuthoring: { token: { enable: { browser: true } } } } });
  });

  it('is idempotent: planning again on the result changes nothing', async () => {
    const first = planApply(await load({ [LOCAL]: '{}' }, { release: 'v9.3.0' }), FULL, { normalize: false });
    const second = planApply(await load({ [LOCAL]: first.after }, { release: 'v9.3.0' }), FULL, { normalize: false });
    expect(second.changes).toEqual([]);
    expect(second.after).toBe(first.after);
  });

  it('refuses duplicate keys on an edited path unless --normalize', async () => {
    const text = '{"services":{"CoAuthoring":{\n"secret":{"inbox":{"string":"a"}},\n"secret":{"outbox":{"string":"b"}}}}}';
    const loaded = await load({ [LOCAL]: text }, { release: 'v9.3.0' });
    const refused = planApply(loaded, FULL, { normalize: false });
    expect(refused.refusals.map((r) => r.code)).toContain('duplicate-keys');
    expect(refused.refusals[0]!.location).toMatchObject({ line: 2 });
    const normalized = planApply(loaded, FULL, { normalize: true });
    expect(normalized.refusals).toEqual([]);
    expect(JSON.parse(normalized.after).services.CoAuthoring.secret.inbox.string).toBe(SECRET);
  });

  it('refuses JSON5-only syntax unless --normalize', async () => {
    const loaded = await load({ [LOCAL]: "{ services: { 'CoAuthoring': {} } }" }, { release: 'v9.3.0' });
    expect(planApply(loaded, FULL, { normalize: false }).refusals.map((r) => r.code)).toEqual(['json5-syntax']);
    expect(planApply(loaded, FULL, { normalize: true }).refusals).toEqual([]);
  });

  it('refuses a file DS cannot parse', async () => {
    const loaded = await load({ [LOCAL]: '{"a":' }, { release: 'v9.3.0' });
    expect(planApply(loaded, FULL, { normalize: true }).refusals[0]!.code).toBe('parse-error');
  });

  it('refuses CIDR without an exact glob, converts /24, refuses host names with useforrequest', async () => {
    const loaded = await load({}, { release: 'v9.3.0' });
    const p = planApply(loaded, { allow: ['10.1.2.0/24', '10.0.0.0/12', 'nc.example.org'], useforrequest: true }, { normalize: false });
    expect(p.rules?.[0]).toEqual({ address: '10.1.2.*', allowed: true });
    expect(p.refusals.map((r) => r.message).join('\n')).toMatch(/10\.0\.0\.0\/12[\s\S]*nc\.example\.org: a host name cannot match/);
  });

  it('reuses nothing but replaces only what differs (secret already right → no secret change)', async () => {
    const text = JSON.stringify({ services: { CoAuthoring: { secret: { inbox: { string: SECRET }, outbox: { string: SECRET }, session: { string: SECRET } } } } }, null, 2);
    const p = planApply(await load({ [LOCAL]: text }, { release: 'v9.3.0' }), { secret: SECRET }, { normalize: false });
    expect(p.changes.map((c) => c.key)).toEqual([
      'services.CoAuthoring.token.enable.browser',
      'services.CoAuthoring.token.enable.request.inbox',
      'services.CoAuthoring.token.enable.request.outbox',
      'services.CoAuthoring.secret.browser.string',
    ]);
  });
});

describe('validateCandidate', () => {
  it('refuses when a later layer would override what apply writes', async () => {
    const files = { ...stockFiles('v9.3.0'), [`${ETC}/local-production-linux.json`]: '{\n"services":{"CoAuthoring":{"token":{"enable":{"browser":false}}}}}' };
    const host = memoryHost(files);
    const loaded = await load(files, { dsVersion: '9.3.0' });
    const plan = planApply(loaded, FULL, { normalize: false });
    const v = await validateCandidate(host, loaded, plan, rules, {});
    const r = v.refusals.find((x) => x.code === 'overridden');
    expect(r?.message).toContain('local-production-linux.json loads later');
    expect(r?.location).toMatchObject({ file: `${ETC}/local-production-linux.json`, line: 2 });
  });

  it('a later layer that replaces the secret object with a string: one refusal naming that file, line and key — not one per slot, not local.json, no "introduces" echo', async () => {
    const runtime = '/var/www/onlyoffice/Data/runtime.json';
    const files = { ...stockFiles('v9.3.0'), [runtime]: '{\n  "services": {"CoAuthoring": {"secret": "abc"}}\n}\n' };
    const loaded = await load(files, { dsVersion: '9.3.0' });
    const plan = planApply(loaded, { secret: SECRET }, { normalize: false });
    const v = await validateCandidate(memoryHost(files), loaded, plan, rules, {});
    expect(v.refusals).toEqual([
      {
        code: 'overridden',
        message:
          'services.CoAuthoring.secret.inbox.string, services.CoAuthoring.secret.outbox.string, services.CoAuthoring.secret.session.string would be written to local.json, ' +
          `but ${runtime} loads later and sets services.CoAuthoring.secret to a string (line 2), which replaces them — DS would never see the change. ` +
          'Remove services.CoAuthoring.secret from that file (or change it there), then re-run.',
        location: { file: runtime, line: 2, column: 32, endLine: 2, endColumn: 47 },
      },
    ]);
    expect(v.introduced.map((f) => f.ruleId)).not.toContain('DSH300');
  });

  it('uniqueRefusals keeps each fact once, in order', () => {
    const a = { code: 'overridden' as const, message: 'x', location: { file: 'f', line: 1, column: 2 } };
    const b = { code: 'overridden' as const, message: 'x', location: { file: 'f', line: 3, column: 2 } };
    expect(uniqueRefusals([a, b, { ...a }, b, { code: 'locked', message: 'x' }])).toEqual([a, b, { code: 'locked', message: 'x' }]);
  });

  it('accepts a clean change and lists what it resolves', async () => {
    const files = stockFiles('v9.3.0');
    const loaded = await load(files, { dsVersion: '9.3.0' });
    const plan = planApply(loaded, FULL, { normalize: false });
    const v = await validateCandidate(memoryHost(files), loaded, plan, rules, {});
    expect(v.refusals).toEqual([]);
    expect(v.resolved.length).toBeGreaterThan(0);
  });
});

describe('unifiedDiff', () => {
  it('shows only changed lines with context', () => {
    const d = unifiedDiff('a\nb\nc\nd\ne\nf\ng\nh\n', 'a\nb\nc\nD\ne\nf\ng\nh\n', 'old', 'new', 1);
    expect(d).toBe('--- old\n+++ new\n@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n');
  });

  // the expected texts are what GNU diffutils `diff -u` prints for the same two files (with a count of 1 written out)
  it('a new file: no old lines (@@ -0,0), no blank context line at the end', () => {
    expect(unifiedDiff('', '{\n  "a": 1\n}\n', '/dev/null', 'local.json')).toBe('--- /dev/null\n+++ local.json\n@@ -0,0 +1,3 @@\n+{\n+  "a": 1\n+}\n');
  });

  it('an emptied file: @@ -1,N +0,0', () => {
    expect(unifiedDiff('{}\n', '', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1,1 +0,0 @@\n-{}\n');
  });

  it('an existing file: the final newline is not an extra line', () => {
    expect(unifiedDiff('{\n  "a": 1\n}\n', '{\n  "a": 2\n}\n', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1,3 +1,3 @@\n {\n-  "a": 1\n+  "a": 2\n }\n');
  });

  it('files without a final newline: "\\ No newline at end of file" after such a last line', () => {
    expect(unifiedDiff('{\n  "a": 1\n}', '{\n  "a": 2\n}', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1,3 +1,3 @@\n {\n-  "a": 1\n+  "a": 2\n }\n\\ No newline at end of file\n');
    // only the final newline added: the last line differs
    expect(unifiedDiff('{}', '{}\n', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1,1 +1,1 @@\n-{}\n\\ No newline at end of file\n+{}\n');
    // a new file without one
    expect(unifiedDiff('', '{}', '/dev/null', 'b')).toBe('--- /dev/null\n+++ b\n@@ -0,0 +1,1 @@\n+{}\n\\ No newline at end of file\n');
  });
});
