/**
 * Golden output: what a user sees for a few fixed trees, byte for byte (after replacing the temp root path).
 * Review a change of wording here, then accept it with: UPDATE_GOLDEN=1 npx vitest run test/golden
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/context.js';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';
import { TOOL_VERSION } from '../../src/version.js';

const DIR = path.join(REPO, 'test/golden/expected');

function golden(name: string, actual: string): void {
  const file = path.join(DIR, name);
  if (process.env.UPDATE_GOLDEN || !fs.existsSync(file)) {
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 to accept)`).toBe(fs.readFileSync(file, 'utf8'));
}

const sanitize = (text: string, root: string) => text.split(root).join('<root>').replace(/"version": "\d+\.\d+\.\d+"/, '"version": "<tool>"');

describe('golden output', () => {
  const example = path.join(REPO, 'fixtures/examples/nextcloud-9.3');

  it('example tree, text', () => {
    const r = runCli(['check', '--root', example]);
    golden('example.txt', sanitize(r.stdout, example));
  });

  it('example tree, json', () => {
    const r = runCli(['check', '--root', example, '--format', 'json']);
    golden('example.json', sanitize(r.stdout, example));
  });

  const brokenRoot = (release: string, fixture: string) => {
    const root = makeRoot(release, { [`${ETC_REL}/local.json`]: fs.readFileSync(path.join(REPO, 'fixtures/broken', fixture)) });
    fs.chmodSync(path.join(root, ETC_REL, 'local.json'), 0o640);
    return root;
  };

  for (const [release, fixture] of [['v9.3.0', 'curly-quotes.json'], ['v8.3.3', 'trailing-comma.json'], ['v9.3.0', 'missing-comma.json'], ['v9.3.0', 'string-booleans.json']] as const) {
    it(`${fixture} on ${release}, text`, () => {
      const root = brokenRoot(release, fixture);
      const r = runCli(['check', '--root', root, '--ds-version', release.slice(1)]);
      golden(`${fixture.replace('.json', '')}-${release}.txt`, sanitize(r.stdout, root));
    });
  }

  // DS will not start: the parse error comes first, at DS's own position, and every other finding is marked
  for (const format of ['json', 'sarif'] as const) {
    it(`missing-comma.json on v9.3.0, ${format}`, () => {
      const root = brokenRoot('v9.3.0', 'missing-comma.json');
      const r = runCli(['check', '--root', root, '--ds-version', '9.3.0', '--format', format]);
      let out = r.stdout;
      if (format === 'sarif') {
        // the results and run properties (the rule descriptors are the catalogue's, checked elsewhere)
        // (ruleIndex too: it moves whenever a rule is added)
        const run = (JSON.parse(out) as { runs: { results: Record<string, unknown>[]; properties: unknown }[] }).runs[0]!;
        const results = run.results.map(({ ruleIndex: _index, ...rest }) => rest);
        out = JSON.stringify({ results, properties: run.properties }, null, 2) + '\n';
      }
      golden(`missing-comma-v9.3.0.${format}`, out.split(`"${TOOL_VERSION}"`).join('"<tool>"').split(root).join('<root>'));
    });
  }
});
