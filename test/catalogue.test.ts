/** The rule catalogue is consistent: stable unique IDs, complete texts, each rule tested and documented. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules as rules, RETIRED } from '../src/core/rules/index.js';
import { SEVERITIES } from '../src/core/types.js';
import { TOOL_VERSION } from '../src/version.js';
import { REPO } from './helpers/context.js';
import { renderRulesDoc } from '../scripts/rules-doc.js';

function testSources(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? testSources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? fs.readFileSync(path.join(dir, e.name), 'utf8') : ''))
    .join('\n');
}

describe('rule catalogue', () => {
  it('has unique, well-formed, stable ids', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of Object.keys(RETIRED)) expect(ids, `${id} is retired and must not come back`).not.toContain(id);
    for (const id of ids) expect(id).toMatch(/^DSH\d{3}$/);
  });

  it('gives every rule a severity, title, why and remediation', () => {
    for (const r of rules) {
      expect(SEVERITIES, r.id).toContain(r.severity);
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.why.length, r.id).toBeGreaterThan(30);
      expect(r.remediation.length, r.id).toBeGreaterThan(10);
    }
  });

  it('has at least one test naming each rule id', () => {
    const tests = testSources(path.join(REPO, 'test')).replace(/catalogue\.test\.ts[\s\S]*/, '');
    const untested = rules.map((r) => r.id).filter((id) => !tests.includes(`'${id}'`));
    expect(untested).toEqual([]);
  });

  it('docs/rules.md is generated from the registry and up to date', () => {
    const file = path.join(REPO, 'docs/rules.md');
    if (process.env.UPDATE_DOCS) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, renderRulesDoc(rules, RETIRED));
    }
    expect(fs.readFileSync(file, 'utf8'), 'run npm run docs:rules').toBe(renderRulesDoc(rules, RETIRED));
  });

  it('tool version matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
