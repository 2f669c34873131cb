import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildSarifLog, formatSarif, pascalName, sha256Hex, FINGERPRINT_KEY } from '../../src/formatters/sarif.js';
import type { Report, RuleMeta } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (schemas/README.md says where it came from).
const sarifSchema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;

// RFC 3986 character set; percent signs only as %XX escapes.
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => URI_CHARS.test(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s));
// A relative reference whose first segment has a ':' would read as a scheme.
ajv.addFormat('uri-reference', (s: string) => URI_CHARS.test(s) && (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) ? URL.canParse(s) : !/^[^/?#]*:/.test(s)));
ajv.addFormat('uuid', /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
const validate = ajv.compile(sarifSchema);

function valid(doc: unknown): boolean {
  const ok = validate(doc);
  if (!ok) console.error(ajv.errorsText(validate.errors, { separator: '\n' }));
  return ok as boolean;
}

const ETC = '/etc/onlyoffice/documentserver';

const RULES: RuleMeta[] = [
  { id: 'DSH201', area: 'ipfilter', severity: 'high', title: 'ipfilter allows every address', why: 'Open admin paths.', remediation: 'Restrict ipfilter.' },
  { id: 'DSH101', area: 'jwt', severity: 'critical', title: 'JWT disabled for browser requests', why: 'Anyone can call DS.', remediation: 'Enable JWT.' },
  { id: 'DSH301', area: 'secrets', severity: 'medium', title: 'Weak secret', why: 'Guessable.', remediation: 'Use 32+ random bytes.' },
  { id: 'DSH401', area: 'files', severity: 'low', title: 'local.json world-readable', why: 'Leaks secrets.', remediation: 'chmod 640.' },
  { id: 'DSH501', area: 'version', severity: 'info', title: 'DS version unknown', why: 'Some checks are graded by version.', remediation: 'Pass --ds-version.' },
];

const FINDINGS: Finding[] = [
  { ruleId: 'DSH101', severity: 'critical', title: 'JWT disabled for browser requests', message: 'token.enable.browser is false.', remediation: 'Enable JWT.', key: 'services.CoAuthoring.token.enable.browser', location: { file: `${ETC}/local.json`, line: 12, column: 9, endLine: 12, endColumn: 26 } },
  { ruleId: 'DSH201', severity: 'high', title: 'ipfilter allows every address', message: 'Rule "*" allows all.', remediation: 'Restrict ipfilter.', key: 'services.CoAuthoring.ipfilter.rules', location: { file: `${ETC}/local.json`, line: 4, column: 5 } },
  { ruleId: 'DSH301', severity: 'medium', title: 'Weak secret', message: 'Set in NODE_CONFIG.', remediation: 'Use 32+ random bytes.', key: 'services.CoAuthoring.secret.inbox.string', location: { file: 'NODE_CONFIG in /etc/systemd/system/ds-docservice.service.d/override.conf', line: 1, column: 1 } },
  { ruleId: 'DSH401', severity: 'low', title: 'local.json world-readable', message: 'Mode 0644.', remediation: 'chmod 640.', location: { file: `${ETC}/local.json`, line: 1, column: 1 } },
  { ruleId: 'DSH501', severity: 'info', title: 'DS version unknown', message: 'No dpkg, no fingerprint.', remediation: 'Pass --ds-version.' },
];

function report(over: Partial<Report> = {}): Report {
  return {
    tool: { name: 'ds-harden', version: '0.1.0' },
    configDir: ETC,
    root: '/',
    dsVersion: { min: { major: 9, minor: 3, patch: 0 }, max: { major: 9, minor: 3, patch: 0 }, exact: true, source: 'dpkg', label: '9.3.0 (dpkg)', parser: 'config3' },
    layers: [{ file: `${ETC}/local.json`, kind: 'local', status: 'loaded', atStartup: true }],
    findings: FINDINGS,
    failOn: 'high',
    rules: RULES,
    ...over,
  } as Report;
}

type Log = {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: any[] } };
    originalUriBaseIds?: Record<string, { uri: string }>;
    columnKind: string;
    results: any[];
  }[];
};
const sarif = (r: Report) => JSON.parse(formatSarif(r, { showSecrets: false })) as Log;
const ROOTED = report({ root: '/home/ci/work/my configs' });

describe('formatSarif', () => {
  it('validates against the SARIF 2.1.0 schema, with and without --root, with and without results', () => {
    expect(valid(sarif(report()))).toBe(true);
    expect(valid(sarif(ROOTED))).toBe(true);
    expect(valid(sarif(report({ findings: [] })))).toBe(true);
    expect(valid(sarif(report({ findings: [], rules: [] })))).toBe(true);
  });

  it('when DS will not start: the blocker result comes first and says so, the others describe the config once it loads', () => {
    const blocker: Finding = { blocksStartup: true, ruleId: 'DSH100', severity: 'critical', title: 'DS cannot parse a configuration file', message: 'missing comma', remediation: 'Fix it.', location: { file: `${ETC}/local.json`, line: 7, column: 13 } };
    const log = sarif(report({ findings: [...FINDINGS, blocker] }));
    expect(valid(log)).toBe(true);
    const [first, ...rest] = log.runs[0]!.results;
    expect(first.ruleId).toBe('DSH100');
    expect(first.message.text).toBe('DS will not start: missing comma — Fix it.');
    expect(first.properties.blocksStartup).toBe(true);
    expect(first.locations[0].physicalLocation.region).toEqual({ startLine: 7, startColumn: 13 });
    for (const r of rest) {
      expect(r.message.text.startsWith(`Once ${ETC}/local.json loads: `)).toBe(true);
      expect(r.properties.afterStartupFix).toBe(true);
    }
    expect((log.runs[0] as unknown as { properties: { startupBlocked: boolean } }).properties.startupBlocked).toBe(true);
    expect(sarif(report()).runs[0]!.results.some((r) => 'afterStartupFix' in r.properties)).toBe(false);
  });

  it('gives every region a startLine (SARIF errata 01 requires startLine, charOffset or byteOffset)', () => {
    for (const r of [report(), ROOTED]) {
      for (const res of sarif(r).runs[0]!.results) {
        const region = res.locations[0].physicalLocation.region;
        if (region) expect(region.startLine).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('is pretty JSON with a trailing newline, one run, and the header GitHub expects', () => {
    const text = formatSarif(report(), { showSecrets: false });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",');
    const log = JSON.parse(text) as Log;
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver).toMatchObject({ name: 'ds-harden', version: '0.1.0' });
    expect(log.runs[0]!.tool.driver).not.toHaveProperty('informationUri');
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    expect(JSON.parse(text)).toEqual(buildSarifLog(report()));
  });

  it('lists every evaluated rule as a reportingDescriptor, results or not, with GitHub security-severity', () => {
    const rules = sarif(report({ findings: [] })).runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(['DSH101', 'DSH201', 'DSH301', 'DSH401', 'DSH501']);
    expect(rules[0]).toEqual({
      id: 'DSH101',
      name: 'JWTDisabledForBrowserRequests',
      shortDescription: { text: 'JWT disabled for browser requests' },
      fullDescription: { text: 'Anyone can call DS.' },
      help: { text: 'Enable JWT.', markdown: 'Anyone can call DS.\n\n**Remediation:** Enable JWT.' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['jwt', 'security'], 'security-severity': '9.5' },
    });
    expect(rules.map((r) => [r.defaultConfiguration.level, r.properties['security-severity']])).toEqual([
      ['error', '9.5'],
      ['error', '8.0'],
      ['warning', '5.5'],
      ['note', '3.0'],
      ['note', '0.0'],
    ]);
  });

  it('maps severities to levels, points ruleIndex at the rule, and joins message and remediation', () => {
    const run = sarif(report()).runs[0]!;
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['DSH101', 'error'],
      ['DSH201', 'error'],
      ['DSH301', 'warning'],
      ['DSH401', 'note'],
      ['DSH501', 'note'],
    ]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.results[0].message.text).toBe('token.enable.browser is false. — Enable JWT.');
    expect(run.results[0].properties).toEqual({ severity: 'critical', key: 'services.CoAuthoring.token.enable.browser' });
  });

  it('uses a finding’s own severity for its level (a rule may grade its hits)', () => {
    const downgraded = { ...FINDINGS[0]!, severity: 'low' as const };
    const run = sarif(report({ findings: [downgraded] })).runs[0]!;
    expect(run.results[0].level).toBe('note');
    expect(run.tool.driver.rules[run.results[0].ruleIndex].defaultConfiguration.level).toBe('error');
  });

  it('describes a rule missing from report.rules from its finding, so ruleIndex stays valid', () => {
    const log = sarif(report({ rules: [] }));
    expect(valid(log)).toBe(true);
    const run = log.runs[0]!;
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('without --root: absolute file:// URIs, no uriBaseId, no originalUriBaseIds', () => {
    const run = sarif(report()).runs[0]!;
    expect(run.originalUriBaseIds).toBeUndefined();
    expect(run.results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'file:///etc/onlyoffice/documentserver/local.json' },
      region: { startLine: 12, startColumn: 9, endLine: 12, endColumn: 26 },
    });
    expect(run.results[1].locations[0].physicalLocation.region).toEqual({ startLine: 4, startColumn: 5 });
  });

  it('with --root: URIs relative to the root under ROOTPATH, whose file:// URI ends in "/" and is percent-encoded', () => {
    const run = sarif(ROOTED).runs[0]!;
    expect(run.originalUriBaseIds!.ROOTPATH!.uri).toBe('file:///home/ci/work/my%20configs/');
    expect(sarif(report({ root: '/srv/cfg/' })).runs[0]!.originalUriBaseIds!.ROOTPATH!.uri).toBe('file:///srv/cfg/');
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'etc/onlyoffice/documentserver/local.json', uriBaseId: 'ROOTPATH' });
    const odd = { ...FINDINGS[1]!, location: { file: '/etc/onlyoffice/documentserver/my local#1.json', line: 1, column: 1 } };
    const oddLog = sarif({ ...ROOTED, findings: [odd] });
    expect(valid(oddLog)).toBe(true);
    expect(oddLog.runs[0]!.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('etc/onlyoffice/documentserver/my%20local%231.json');
  });

  it('places a finding without location on the config directory, with its key as a logical location', () => {
    const noLoc = sarif(ROOTED).runs[0]!.results.find((r) => r.ruleId === 'DSH501');
    expect(noLoc.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'etc/onlyoffice/documentserver/', uriBaseId: 'ROOTPATH' } } }]);
    const keyed = { ...FINDINGS[4]!, key: 'services.CoAuthoring.token' };
    const loc = sarif(report({ findings: [keyed] })).runs[0]!.results[0].locations[0];
    expect(loc.physicalLocation.artifactLocation.uri).toBe('file:///etc/onlyoffice/documentserver/');
    expect(loc.logicalLocations).toEqual([{ fullyQualifiedName: 'services.CoAuthoring.token', kind: 'member' }]);
  });

  it('places a NODE_CONFIG finding on the unit file that sets it', () => {
    const res = sarif(ROOTED).runs[0]!.results.find((r) => r.ruleId === 'DSH301');
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: {
        uri: 'etc/systemd/system/ds-docservice.service.d/override.conf',
        uriBaseId: 'ROOTPATH',
        description: { text: 'NODE_CONFIG in /etc/systemd/system/ds-docservice.service.d/override.conf' },
      },
      region: { startLine: 1 },
    });
  });

  it('fingerprints results stably across line moves, distinctly across keys, files and repeats', () => {
    const fp = (findings: Finding[]) => sarif(report({ findings })).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY] as string);
    const base = FINDINGS[1]!;
    const [a] = fp([base]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fp([{ ...base, location: { ...base.location!, line: 40, column: 2 } }])[0]).toBe(a);
    expect(fp([{ ...base, key: 'services.CoAuthoring.ipfilter.useforrequest' }])[0]).not.toBe(a);
    expect(fp([{ ...base, location: { ...base.location!, file: `${ETC}/local-production-linux.json` } }])[0]).not.toBe(a);
    const twice = fp([base, { ...base, location: { ...base.location!, line: 8 } }]);
    expect(new Set(twice).size).toBe(2);
    expect(twice[0]).toBe(a);
    // the same across --root and no --root: fingerprints use host paths
    expect(sarif({ ...ROOTED, findings: [base] }).runs[0]!.results[0].partialFingerprints[FINGERPRINT_KEY]).toBe(a);
  });

  it('computes SHA-256 exactly as node:crypto does (formatters may not import node:crypto)', () => {
    const inputs = ['', 'abc', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'd'.repeat(1000), 'DSH201\u0000/etc/onlyoffice/documentserver/local.json\u0000services.CoAuthoring', 'ünïcødé — 🔐'];
    for (const s of inputs) expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    const base = FINDINGS[1]!;
    const expected = createHash('sha256').update(['DSH201', base.location!.file, base.key!].join('\u0000')).digest('hex');
    expect(sarif(report({ findings: [base] })).runs[0]!.results[0].partialFingerprints[FINGERPRINT_KEY]).toBe(expected);
  });

  it('makes PascalCase names from titles', () => {
    expect(pascalName('JWT disabled for browser requests')).toBe('JWTDisabledForBrowserRequests');
    expect(pascalName('local.json: world-readable (0644)')).toBe('LocalJsonWorldReadable0644');
    expect(pascalName('—')).toBe('');
  });

  describe('the SARIF schema rejects broken output', () => {
    const good = () => JSON.parse(formatSarif(ROOTED, { showSecrets: false })) as Record<string, any>;
    it.each<[string, (d: Record<string, any>) => void]>([
      ['version missing', (d) => delete d.version],
      ['version 2.0.0', (d) => (d.version = '2.0.0')],
      ['runs missing', (d) => delete d.runs],
      ['tool missing', (d) => delete d.runs[0].tool],
      ['driver name missing', (d) => delete d.runs[0].tool.driver.name],
      ['level "critical"', (d) => (d.runs[0].results[0].level = 'critical')],
      ['message without text', (d) => (d.runs[0].results[0].message = {})],
      ['startLine 0', (d) => (d.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0)],
      ['unknown result field', (d) => (d.runs[0].results[0].severity = 'high')],
      ['columnKind unknown', (d) => (d.runs[0].columnKind = 'bytes')],
      ['uri with a raw space', (d) => (d.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'etc/my local.json')],
      ['base URI with a raw space', (d) => (d.runs[0].originalUriBaseIds.ROOTPATH.uri = 'file:///home/ci/my configs/')],
    ])('%s', (_name, breakIt) => {
      const doc = good();
      expect(valid(doc)).toBe(true);
      breakIt(doc);
      expect(validate(doc)).toBe(false);
    });
  });
});
