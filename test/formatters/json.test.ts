import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildJsonReport, formatJson } from '../../src/formatters/json.js';
import type { Report, RuleMeta } from '../../src/core/report.js';
import type { Finding, LayerKind, Layer, Severity } from '../../src/core/types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/report.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true });
// report.schema.json refers to probe.schema.json for check --url's probe section
ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/probe.schema.json'), 'utf8')) as Record<string, unknown>);
const validate = ajv.compile(schema);

function valid(doc: unknown): boolean {
  const ok = validate(doc);
  if (!ok) console.error(ajv.errorsText(validate.errors, { separator: '\n' }));
  return ok as boolean;
}

const ETC = '/etc/onlyoffice/documentserver';

const RULES: RuleMeta[] = [
  { id: 'DSH101', area: 'jwt', severity: 'critical', title: 'JWT disabled', why: 'Anyone can call DS.', remediation: 'Enable JWT.' },
  { id: 'DSH201', area: 'ipfilter', severity: 'high', title: 'ipfilter allows all', why: 'Open admin paths.', remediation: 'Restrict ipfilter.' },
  { id: 'DSH301', area: 'secrets', severity: 'medium', title: 'Weak secret', why: 'Guessable.', remediation: 'Use 32+ random bytes.' },
];

const FINDINGS: Finding[] = [
  { ruleId: 'DSH301', severity: 'low', title: 'Weak secret', message: 'The inbox secret is short.', remediation: 'Use 32+ random bytes.', key: 'services.CoAuthoring.secret.inbox.string', location: { file: `${ETC}/local.json`, line: 9, column: 7, endLine: 9, endColumn: 30 } },
  { ruleId: 'DSH201', severity: 'high', title: 'ipfilter allows all', message: 'Rule "*" allows every address.', remediation: 'Restrict ipfilter.', location: { file: `${ETC}/local.json`, line: 4, column: 5 } },
  { ruleId: 'DSH201', severity: 'high', title: 'ipfilter allows all', message: 'Default allows every address.', remediation: 'Restrict ipfilter.', key: 'services.CoAuthoring.ipfilter.rules', location: { file: `${ETC}/default.json`, line: 100, column: 3 } },
  { ruleId: 'DSH301', severity: 'medium', title: 'Weak secret', message: 'The browser secret is short.', remediation: 'Use 32+ random bytes.' },
  { ruleId: 'DSH301', severity: 'info', title: 'Weak secret', message: 'Nothing to see.', remediation: 'None.' },
];

function report(over: Partial<Report> = {}): Report {
  return {
    tool: { name: 'ds-harden', version: '0.1.0' },
    configDir: ETC,
    root: '/',
    dsVersion: {
      min: { major: 9, minor: 3, patch: 0 },
      max: { major: 9, minor: 3, patch: 0 },
      exact: true,
      source: 'dpkg',
      label: '9.3.0 (dpkg)',
      parser: 'config3',
    },
    layers: [
      { file: `${ETC}/default.json`, kind: 'default', status: 'loaded', atStartup: true },
      { file: `${ETC}/local.json`, kind: 'local', status: 'loaded', atStartup: true },
      { file: `${ETC}/runtime.json`, kind: 'runtime-legacy', status: 'skipped', atStartup: true },
    ],
    findings: FINDINGS,
    failOn: 'high',
    rules: RULES,
    ...over,
  } as Report;
}

const parse = (r: Report) => JSON.parse(formatJson(r, { showSecrets: false })) as ReturnType<typeof buildJsonReport>;

describe('formatJson', () => {
  it('is pretty JSON (2 spaces) with a trailing newline, and equals buildJsonReport', () => {
    const text = formatJson(report(), { showSecrets: false });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(JSON.parse(text)).toEqual(buildJsonReport(report()));
    expect(formatJson(report(), { showSecrets: true })).toBe(text);
  });

  it('validates against schemas/report.schema.json (with findings, without, and with a version range)', () => {
    expect(valid(parse(report()))).toBe(true);
    expect(valid(parse(report({ findings: [], layers: [] })))).toBe(true);
    const range = report({
      root: '/srv/repo with space',
      dsVersion: { min: { major: 8, minor: 1, patch: 0 }, max: { major: 8, minor: 2, patch: 99 }, exact: false, source: 'fingerprint', label: '8.1–8.2 (default.json fingerprint)', parser: 'config2' },
    });
    expect(valid(parse(range))).toBe(true);
    expect(parse(range).dsVersion).toEqual({ label: '8.1–8.2 (default.json fingerprint)', min: '8.1.0', max: '8.2.99', exact: false, source: 'fingerprint', parser: 'config2' });
  });

  it('counts findings by severity and sets failed against failOn', () => {
    const out = parse(report());
    expect(out.summary).toEqual({ critical: 0, high: 2, medium: 1, low: 1, info: 1, total: 5, failOn: 'high', failed: true });
    const failedAt = (failOn: Severity, findings: Finding[] = FINDINGS) => parse(report({ failOn, findings })).summary.failed;
    expect(failedAt('critical')).toBe(false);
    expect(failedAt('high')).toBe(true);
    expect(failedAt('medium')).toBe(true);
    expect(failedAt('info')).toBe(true);
    expect(failedAt('info', [])).toBe(false);
    const onlyLow = FINDINGS.filter((f) => f.severity === 'low');
    expect(failedAt('low', onlyLow)).toBe(true);
    expect(failedAt('medium', onlyLow)).toBe(false);
    expect(parse(report({ findings: [] })).summary).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0, failOn: 'high', failed: false });
  });

  it('sorts findings most severe first, then file and line, and keeps key/location only when present', () => {
    const out = parse(report());
    expect(out.findings.map((f) => `${f.severity}:${f.location?.file.split('/').pop() ?? '-'}:${f.location?.line ?? '-'}`)).toEqual([
      'high:default.json:100',
      'high:local.json:4',
      'medium:-:-',
      'low:local.json:9',
      'info:-:-',
    ]);
    expect(out.findings[0]).toEqual({
      ruleId: 'DSH201',
      severity: 'high',
      title: 'ipfilter allows all',
      message: 'Default allows every address.',
      remediation: 'Restrict ipfilter.',
      key: 'services.CoAuthoring.ipfilter.rules',
      location: { file: `${ETC}/default.json`, line: 100, column: 3 },
    });
    expect(Object.keys(out.findings[2]!)).toEqual(['ruleId', 'severity', 'title', 'message', 'remediation']);
    expect(out.findings[3]!.location).toEqual({ file: `${ETC}/local.json`, line: 9, column: 7, endLine: 9, endColumn: 30 });
  });

  it('copies only the documented finding fields (nothing else that a finding might carry leaks out)', () => {
    const leaky = { ...FINDINGS[0]!, value: 'super-secret', location: { ...FINDINGS[0]!.location!, text: 'secret' } } as Finding;
    const text = formatJson(report({ findings: [leaky] }), { showSecrets: true });
    expect(text).not.toContain('super-secret');
    expect(text).not.toContain('"text"');
    expect(valid(JSON.parse(text))).toBe(true);
  });

  it('when DS will not start: the blocker comes first and is listed under startup, every other finding is marked', () => {
    const blocker: Finding = { blocksStartup: true, ruleId: 'DSH100', severity: 'critical', title: 'DS cannot parse a configuration file', message: 'missing comma', remediation: 'Fix it.', location: { file: `${ETC}/local.json`, line: 7, column: 13 } };
    const out = parse(report({ findings: [...FINDINGS, blocker] }));
    expect(valid(out)).toBe(true);
    expect(out.startup).toEqual({ blocked: true, blockedBy: [{ ruleId: 'DSH100', location: { file: `${ETC}/local.json`, line: 7, column: 13 } }] });
    expect(out.findings[0]).toMatchObject({ blocksStartup: true, ruleId: 'DSH100' });
    expect(out.findings[0]).not.toHaveProperty('afterStartupFix');
    expect(out.findings.slice(1).every((f) => f.afterStartupFix === true && !('blocksStartup' in f))).toBe(true);
    const clean = parse(report());
    expect(clean.startup).toEqual({ blocked: false, blockedBy: [] });
    expect(clean.findings.some((f) => 'afterStartupFix' in f || 'blocksStartup' in f)).toBe(false);
  });

  it('keeps the schema enums in step with the core types', () => {
    const kinds: Record<LayerKind, true> = { default: true, env: true, hostname: true, local: true, 'local-env': true, 'node-config-env': true, 'runtime-legacy': true, 'runtime-data': true, 'container-env': true, 'image-stock': true };
    const statuses: Record<Layer['status'], true> = { loaded: true, skipped: true, 'parse-error': true, unreadable: true, opaque: true };
    const s = schema as { properties: { layers: { items: { properties: { kind: { enum: string[] }; status: { enum: string[] } } } } } };
    expect([...s.properties.layers.items.properties.kind.enum].sort()).toEqual(Object.keys(kinds).sort());
    expect([...s.properties.layers.items.properties.status.enum].sort()).toEqual(Object.keys(statuses).sort());
    for (const kind of Object.keys(kinds)) {
      expect(valid(parse(report({ layers: [{ file: '/x', kind: kind as LayerKind, status: 'opaque', atStartup: false }] })))).toBe(true);
    }
  });

  describe('the schema rejects broken output', () => {
    const good = () => JSON.parse(formatJson(report(), { showSecrets: false })) as Record<string, any>;
    it.each<[string, (d: Record<string, any>) => void]>([
      ['schemaVersion missing', (d) => delete d.schemaVersion],
      ['schemaVersion 2', (d) => (d.schemaVersion = 2)],
      ['tool.version missing', (d) => delete d.tool.version],
      ['unknown top-level field', (d) => (d.extra = true)],
      ['ruleId not DSHnnn', (d) => (d.findings[0].ruleId = 'DSH12')],
      ['ruleId lower-case', (d) => (d.findings[0].ruleId = 'dsh201')],
      ['unknown severity', (d) => (d.findings[0].severity = 'severe')],
      ['unknown field in a finding', (d) => (d.findings[0].value = 's3cret')],
      ['line 0', (d) => (d.findings[0].location.line = 0)],
      ['location without column', (d) => delete d.findings[0].location.column],
      ['negative count', (d) => (d.summary.high = -1)],
      ['summary.failed missing', (d) => delete d.summary.failed],
      ['failOn unknown', (d) => (d.summary.failOn = 'none')],
      ['version not x.y.z', (d) => (d.dsVersion.min = '9.3')],
      ['unknown layer kind', (d) => (d.layers[0].kind = 'production')],
    ])('%s', (_name, breakIt) => {
      const doc = good();
      expect(valid(doc)).toBe(true);
      breakIt(doc);
      expect(validate(doc)).toBe(false);
    });
  });
});
