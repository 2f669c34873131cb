import { describe, expect, it } from 'vitest';
import { context, run, LOCAL, ETC } from '../helpers/context.js';
import { evaluate } from '../../src/core/evaluate.js';
import type { RuleContext } from '../../src/core/rules/rule.js';
import type { DsVersionInfo } from '../../src/core/types.js';
import { V } from '../../src/core/ds/versions.js';
import { versionRules } from '../../src/core/rules/version/index.js';
import { missingFixes } from '../../src/core/rules/version/missing-fixes.js';
import { infoConfigEndpoint } from '../../src/core/rules/version/info-config-endpoint.js';
import { xlsbSecret } from '../../src/core/rules/version/xlsb-secret.js';
import { versionUnknown } from '../../src/core/rules/version/version-unknown.js';
import { ADVISORIES } from '../../src/core/rules/version/advisories.js';

const DEFAULT = `${ETC}/default.json`;
const DPKG = '/var/lib/dpkg/status';
const dpkg = (v: string) => `Package: onlyoffice-documentserver\nStatus: install ok installed\nVersion: ${v}\n`;

/** A context whose version is a range [lo, hi] from a fingerprint (as load.ts would produce for default.json). */
function withRange(ctx: RuleContext, lo: string, hi: string): RuleContext {
  const version: DsVersionInfo = { min: V(lo), max: V(hi), exact: false, source: 'fingerprint', label: `${lo}–${hi} (test range)`, parser: 'config3' };
  return { ...ctx, version };
}

const ids = (findings: { message: string }[]) => findings.map((f) => f.message.split(':')[0]);

describe('the advisory table', () => {
  it('has a fixed-in version for every row, and ids are unique', () => {
    for (const a of ADVISORIES) expect(() => V(a.fixedIn)).not.toThrow();
    expect(new Set(ADVISORIES.map((a) => a.id)).size).toBe(ADVISORIES.length);
  });
  it('leaves the rows owned by DSH701/DSH702 and the unconfirmed DocumentBuilder#147 out', () => {
    const all = ADVISORIES.map((a) => a.id + a.summary).join('\n');
    expect(all).not.toMatch(/XLSB|info\/config|DocumentBuilder/);
  });
});

describe('DSH700 DS version has known security fixes missing', () => {
  it('7.1.1 lacks the 7.2.0 fixes (CVE-2021-43445 default JWT key is critical) and later ones, but not the 5.x/6.x ones', async () => {
    const f = await run(missingFixes, {}, { release: 'v7.1.1' });
    expect(f.every((x) => x.ruleId === 'DSH700')).toBe(true);
    const byId = Object.fromEntries(f.map((x) => [x.message.split(':')[0], x]));
    expect(byId['CVE-2021-43445']).toMatchObject({ severity: 'critical' });
    expect(byId['CVE-2021-43445']!.message).toContain('fixed in 7.2.0, upgrade to 7.2.0 or later');
    expect(byId['CVE-2021-43444']).toMatchObject({ severity: 'critical' });
    expect(byId['CVE-2021-43447']).toMatchObject({ severity: 'critical' });
    expect(byId['CVE-2021-43449']).toMatchObject({ severity: 'high' });
    expect(byId['CVE-2022-47412']).toMatchObject({ severity: 'high' });
    expect(byId['CVE-2023-30186, CVE-2023-30187, CVE-2023-30188']).toMatchObject({ severity: 'critical' });
    expect(ids(f)).not.toContain('CVE-2021-25832');
    expect(ids(f)).not.toContain('CVE-2020-11537');
    // --ds-version: no file to point at
    expect(f[0]!.location).toBeUndefined();
  });

  it('points at the dpkg status database when the version came from there', async () => {
    const f = await run(missingFixes, { [DPKG]: dpkg('7.1.1-76') }, { release: 'v7.1.1', dsVersion: '' });
    const hit = f.find((x) => x.message.startsWith('CVE-2021-43445'));
    expect(hit?.location).toEqual({ file: DPKG, line: 1, column: 1 });
    expect(hit?.message).toContain('DS 7.1.1 (installed package)');
  });

  it('points at default.json when the version is a fingerprint', async () => {
    const f = await run(missingFixes, {}, { release: 'v8.1.1', dsVersion: '' });
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]!.location).toEqual({ file: DEFAULT, line: 1, column: 1 });
    expect(ids(f)).toContain('document access rights bypass (no CVE)');
    // 8.1.x: the 8.1.0 fix is certainly in
    expect(ids(f)).not.toContain('fs.folderPath and /example/editor (no CVE)');
  });

  it('says nothing for 9.3.0', async () => {
    expect(await run(missingFixes, {}, { release: 'v9.3.0' })).toEqual([]);
  });

  it('9.2.0 only lacks the 9.3.0 macro XSS fix', async () => {
    const f = await run(missingFixes, {}, { release: 'v9.2.0' });
    expect(f.map((x) => [x.severity, x.message.split(':')[0]])).toEqual([['high', 'CVE-2023-50883, CVE-2024-44085 (with CVE-2021-43446)']]);
  });

  it('emits nothing for an advisory whose fix lies inside the version range (no guesses)', async () => {
    const ctx = withRange(await context({}, { release: 'v7.1.1' }), '7.1.0', '7.2.999');
    const f = evaluate([missingFixes], ctx);
    expect(ids(f)).not.toContain('CVE-2021-43445'); // fixed in 7.2.0: straddled
    expect(ids(f)).toContain('CVE-2022-47412'); // fixed in 7.3.3: certainly missing
    expect(f[0]!.location).toEqual({ file: DEFAULT, line: 1, column: 1 });
  });

  it('skips entirely when the version is unknown', async () => {
    const ctx = await context({});
    expect(ctx.version.source).toBe('unknown');
    expect(evaluate([missingFixes], ctx)).toEqual([]);
  });

  it('reports the Docker image Redis/kernel fix only for the Docker image', async () => {
    const docker = await run(missingFixes, {}, { release: 'v9.1.0', host: { docker: true } });
    expect(docker.find((x) => x.message.startsWith('Redis CVE-2025-49844'))).toMatchObject({ severity: 'high' });
    const pkg = await run(missingFixes, {}, { release: 'v9.1.0' });
    expect(pkg.find((x) => x.message.startsWith('Redis'))).toBeUndefined();
  });

  it('reports the shipped WOPI key pair only when WOPI is on and the key is still the default.json one', async () => {
    const on = await run(missingFixes, { [LOCAL]: '{"wopi":{"enable":true}}' }, { release: 'v8.0.0' });
    expect(on.find((x) => x.message.startsWith('hard-coded WOPI'))).toMatchObject({ severity: 'critical' });
    const off = await run(missingFixes, {}, { release: 'v8.0.0' });
    expect(off.find((x) => x.message.startsWith('hard-coded WOPI'))).toBeUndefined();
    const ownKey = await run(missingFixes, { [LOCAL]: '{"wopi":{"enable":true,"privateKey":"-----BEGIN PRIVATE KEY-----x"}}' }, { release: 'v8.0.0' });
    expect(ownKey.find((x) => x.message.startsWith('hard-coded WOPI'))).toBeUndefined();
    const fixed = await run(missingFixes, { [LOCAL]: '{"wopi":{"enable":true}}' }, { release: 'v8.3.3' });
    expect(fixed.find((x) => x.message.startsWith('hard-coded WOPI'))).toBeUndefined();
  });
});

describe('DSH701 /info/config exposes and changes the whole configuration (9.0.x)', () => {
  it('9.0.4 with stock ipfilter: critical, open on :8000', async () => {
    const f = await run(infoConfigEndpoint, {}, { release: 'v9.0.4' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH701', severity: 'critical' });
    expect(f[0]!.message).toContain('GET /info/config returns the whole configuration');
    expect(f[0]!.message).toContain('writes runtime.json');
    expect(f[0]!.message).toContain('Nothing guards it');
    expect(f[0]!.message).toContain('port 8000');
  });

  it('9.0.4 fingerprinted from default.json: still certain (9.0.x), pointing at default.json', async () => {
    const f = await run(infoConfigEndpoint, {}, { release: 'v9.0.4', dsVersion: '' });
    expect(f[0]).toMatchObject({ severity: 'critical', location: { file: DEFAULT, line: 1, column: 1 } });
  });

  it('an ipfilter that refuses unknown clients is mentioned, with the X-Forwarded-For bypass; still reported', async () => {
    const local = JSON.stringify({
      services: { CoAuthoring: { ipfilter: { useforrequest: true, rules: [{ address: '127.0.0.1', allowed: true }, { address: '*', allowed: false }] } } },
    });
    const f = await run(infoConfigEndpoint, { [LOCAL]: local }, { release: 'v9.0.4' });
    expect(f[0]).toMatchObject({ severity: 'critical' });
    expect(f[0]!.message).toContain('X-Forwarded-For');
    expect(f[0]!.message).not.toContain('Nothing guards it');
  });

  it('rules that deny unknown clients without useforrequest do not guard it', async () => {
    const local = JSON.stringify({ services: { CoAuthoring: { ipfilter: { rules: [{ address: '*', allowed: false }] } } } });
    const f = await run(infoConfigEndpoint, { [LOCAL]: local }, { release: 'v9.0.4' });
    expect(f[0]!.message).toContain('Nothing guards it');
  });

  it('a range that only may include 9.0.x is high', async () => {
    const ctx = withRange(await context({}, { release: 'v9.0.4' }), '8.3.0', '9.0.999');
    expect(evaluate([infoConfigEndpoint], ctx)).toMatchObject([{ ruleId: 'DSH701', severity: 'high' }]);
    expect(evaluate([infoConfigEndpoint], ctx)[0]!.message).toContain('may be 9.0.0 – 9.0.4');
  });

  it('says nothing for 8.3.3, 9.1.0 and an unknown version', async () => {
    expect(await run(infoConfigEndpoint, {}, { release: 'v8.3.3' })).toEqual([]);
    expect(await run(infoConfigEndpoint, {}, { release: 'v9.1.0' })).toEqual([]);
    expect(evaluate([infoConfigEndpoint], await context({}))).toEqual([]);
  });
});

describe('DSH702 the JWT secret can be read via XLSB conversion before 7.5', () => {
  it('7.4.1: high, upgrade and rotate', async () => {
    const f = await run(xlsbSecret, {}, { release: 'v7.4.1' });
    expect(f).toMatchObject([{ ruleId: 'DSH702', severity: 'high' }]);
    expect(f[0]!.message).toContain('XLSB');
    expect(f[0]!.message).toContain('rotate');
  });

  it('7.5.1, a range straddling 7.5 and an unknown version: nothing (upgrade history is not knowable)', async () => {
    expect(await run(xlsbSecret, {}, { release: 'v7.5.1' })).toEqual([]);
    expect(evaluate([xlsbSecret], withRange(await context({}, { release: 'v7.5.1' }), '7.4.0', '7.5.999'))).toEqual([]);
    expect(evaluate([xlsbSecret], await context({}))).toEqual([]);
  });
});

describe('DSH703 DS version could not be determined', () => {
  it('fires (info) when nothing tells the version', async () => {
    const f = evaluate([versionUnknown], await context({ [LOCAL]: '{}' }));
    expect(f).toMatchObject([{ ruleId: 'DSH703', severity: 'info' }]);
    expect(f[0]!.remediation).toContain('--ds-version');
    expect(f[0]!.location).toBeUndefined();
  });

  it('is silent when the version is known', async () => {
    expect(await run(versionUnknown, {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('versionRules', () => {
  it('exports DSH700–DSH703 in order', () => {
    expect(versionRules.map((r) => r.id)).toEqual(['DSH700', 'DSH701', 'DSH702', 'DSH703']);
    for (const r of versionRules) expect(r.area).toBe('version');
  });

  it('an unknown version yields only DSH703', async () => {
    expect(evaluate(versionRules, await context({})).map((f) => f.ruleId)).toEqual(['DSH703']);
  });
});
