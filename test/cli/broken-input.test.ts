/**
 * Acceptance: broken local.json files (fixtures/broken) yield the right rule at the right line and column,
 * under both parser families, as the user sees them through the CLI — and never a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/context.js';
import { ETC_REL, expectNoStack, findingsOf, makeRoot, runCli, type JsonFinding } from '../helpers/cli.js';

const LOCAL = '/etc/onlyoffice/documentserver/local.json';

function check(release: string, fixture: string, extra: string[] = []) {
  const content = fs.readFileSync(path.join(REPO, 'fixtures/broken', fixture));
  const root = makeRoot(release, { [`${ETC_REL}/local.json`]: content });
  const json = runCli(['check', '--root', root, '--ds-version', release.slice(1), '--format', 'json', ...extra]);
  const text = runCli(['check', '--root', root, '--ds-version', release.slice(1), ...extra]);
  expect(expectNoStack(json.stderr + text.stderr + text.stdout)).toBe(true);
  expect(json.stderr).toBe('');
  return { findings: findingsOf(json), json, text };
}

const at = (fs: JsonFinding[], id: string) => fs.filter((f) => f.ruleId === id);

describe('broken local.json: what the user sees', () => {
  it('trailing comma: start-up crash on DS 8.3, located where JSON.parse stops (the "}"), the comma named as the cause; accepted by DS 9.3', () => {
    const old = check('v8.3.3', 'trailing-comma.json');
    const [f] = at(old.findings, 'DSH100');
    expect(f).toMatchObject({ severity: 'critical', location: { file: LOCAL, line: 7, column: 9 } });
    expect(f!.message).toContain('trailing comma');
    expect(f!.message).toContain('DS reports the error at 7:9, where its parser stopped; the likely cause is at 6:26.');
    expect(old.json.code).toBe(1);
    expect(old.text.stdout).toContain('6 |           "browser": true,');
    const now = check('v9.3.0', 'trailing-comma.json');
    expect(at(now.findings, 'DSH100')).toEqual([]);
  });

  for (const release of ['v8.3.3', 'v9.3.0']) {
    it(`curly quotes (${release}): names U+201C and points at it`, () => {
      const { findings, text } = check(release, 'curly-quotes.json');
      const [f] = at(findings, 'DSH100');
      expect(f).toMatchObject({ location: { line: 5, column: 30 } });
      expect(f!.message).toContain('U+201C LEFT DOUBLE QUOTATION MARK');
      expect(f!.message).toContain('will not start');
      // the line is shown with a caret under the column, and the pasted value is not echoed
      expect(text.stdout).toMatch(/5 \|\s+"inbox": \{ "string": “•+/);
      expect(text.stdout).not.toContain('pasted-from-a-blog-post-2024');
      expect(text.stdout).toMatch(/\n\s+\|\s{30}\^/);
    });

    it(`missing closing brace (${release}): end of file, says which closer is missing`, () => {
      const { findings } = check(release, 'missing-brace.json');
      const [f] = at(findings, 'DSH100');
      expect(f!.location).toMatchObject({ line: 9, column: 1 });
      expect(f!.message).toMatch(/missing closing \}/);
    });

    it(`truncated file (${release}): unclosed string at the end`, () => {
      const { findings } = check(release, 'truncated.json');
      const [f] = at(findings, 'DSH100');
      expect(f!.location).toMatchObject({ line: 5, column: 37 });
      expect(f!.message).toMatch(/string is not closed|end of file/);
    });

    it(`BOM (${release}): stripped like DS does, the file loads`, () => {
      const { findings } = check(release, 'bom.json');
      expect(at(findings, 'DSH100')).toEqual([]);
      expect(at(findings, 'DSH202')).toEqual([]); // browser JWT on, from the BOM file
    });

    it(`duplicate keys (${release}): the first "secret" block is reported as lost`, () => {
      const { findings } = check(release, 'duplicate-keys.json');
      const [f] = at(findings, 'DSH102');
      expect(f).toMatchObject({ severity: 'high', location: { line: 4, column: 7 }, key: 'services.CoAuthoring.secret' });
      expect(f!.message).toContain('line 4 and again at line 10');
    });

    it(`string booleans (${release}): "false" in quotes is reported with what DS really does`, () => {
      const { findings } = check(release, 'string-booleans.json');
      const jwt = at(findings, 'DSH203').map((f) => [f.key, f.location?.line, f.location?.column]);
      expect(jwt).toEqual([
        ['services.CoAuthoring.token.enable.browser', 6, 11],
        ['services.CoAuthoring.token.enable.request.inbox', 7, 24],
      ]);
      const ip = at(findings, 'DSH504');
      expect(ip.map((f) => [f.location?.line, f.location?.column])).toEqual([[11, 82], [12, 9]]);
      expect(ip[0]!.message).toContain('DS ALLOWS the addresses this rule matches');
      expect(ip[1]!.message).toContain('DS filters incoming API requests');
    });

    it(`misplaced ipfilter (${release}): top-level key is ignored, suggests services.CoAuthoring.ipfilter`, () => {
      const { findings } = check(release, 'misplaced-ipfilter.json');
      const [f] = at(findings, 'DSH114');
      expect(f).toMatchObject({ severity: 'high', location: { line: 7, column: 3 }, key: 'ipfilter' });
      expect(f!.message).toContain('did you mean services.CoAuthoring.ipfilter');
    });
  }

  it('empty file: DS 9.3 cannot start, DS 8.3 ignores it', () => {
    const now = check('v9.3.0', 'empty.json');
    expect(at(now.findings, 'DSH100')[0]).toMatchObject({ location: { line: 1, column: 1 } });
    expect(at(now.findings, 'DSH100')[0]!.message).toContain('empty file');
    const old = check('v8.3.3', 'empty.json');
    expect(at(old.findings, 'DSH100')).toEqual([]);
    expect(at(old.findings, 'DSH104')[0]).toMatchObject({ severity: 'medium', location: { file: LOCAL } });
  });
});
