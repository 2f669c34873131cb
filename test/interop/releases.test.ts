/**
 * Interop: `check` on every real DS release in ../shared/ds-configs, laid out as a DS host under --root,
 * with the release's own service definitions. Asserts what follows from each version's stock defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_CONFIGS, releases } from '../helpers/context.js';
import { findingsOf, makeRoot, runCli, ETC_REL, type JsonFinding } from '../helpers/cli.js';

const DEFAULT = '/etc/onlyoffice/documentserver/default.json';

function num(r: string): [number, number, number] {
  return r.slice(1).split('.').map(Number) as [number, number, number];
}
const lt = (r: string, v: string) => {
  const a = num(r);
  const b = num('v' + v);
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
};

/** Service definitions of the release, templates expanded as the package build does (SOURCES.md). */
function serviceFiles(release: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pkg = path.join(SHARED_CONFIGS, release, 'package');
  if (!fs.existsSync(pkg)) return out;
  for (const name of fs.readdirSync(pkg)) {
    if (!/docservice|converter/.test(name)) continue;
    const text = fs
      .readFileSync(path.join(pkg, name), 'utf8')
      .replace(/M4_DS_PREFIX|DS_PREFIX/g, 'onlyoffice/documentserver')
      .replace(/M4_COMPANY_NAME/g, 'ONLYOFFICE');
    const base = name.replace(/\.m4$/, '');
    if (base.endsWith('.service')) out[`usr/lib/systemd/system/${base}`] = text;
    else out[`etc/supervisor/conf.d/${base}`] = text;
  }
  return out;
}

const withServer = releases().filter((r) => fs.existsSync(path.join(SHARED_CONFIGS, r, 'server/default.json')));
const ids = (fs: JsonFinding[]) => new Set(fs.map((f) => f.ruleId));

describe.each(withServer)('stock %s', (release) => {
  const root = makeRoot(release, serviceFiles(release));
  const r = runCli(['check', '--root', root, '--format', 'json']);
  const findings = findingsOf(r);
  const report = JSON.parse(r.stdout) as { dsVersion: { min: string; max: string; source: string; parser: string } };

  it('parses every stock layer and detects the version from default.json', () => {
    expect(r.stderr).toBe('');
    expect(ids(findings).has('DSH100')).toBe(false);
    expect(report.dsVersion.source).toBe('fingerprint');
    const [maj, min] = num(release);
    expect(lt('v' + report.dsVersion.min, `${maj}.${min}.0`)).toBeLessThanOrEqual(0);
    expect(lt('v' + report.dsVersion.max, `${maj}.${min}.0`)).toBeGreaterThanOrEqual(0);
    expect(report.dsVersion.parser).toBe(maj >= 9 ? 'config3' : 'config2');
  });

  it('reports JWT off in every direction, decided by default.json', () => {
    for (const id of ['DSH200', 'DSH201', 'DSH202']) {
      const f = findings.find((x) => x.ruleId === id);
      expect(f, id).toBeDefined();
      expect(f!.location?.file).toBe(DEFAULT);
    }
    expect(r.code).toBe(1);
  });

  it('reports the public default JWT secret', () => {
    expect(findings.some((f) => f.ruleId === 'DSH300' && f.key === 'services.CoAuthoring.secret.inbox.string')).toBe(true);
  });

  it('reports the shipped WOPI key pair exactly on 6.4–8.2', () => {
    const wopiKeys = lt(release, '6.4.0') >= 0 && lt(release, '8.3.0') < 0;
    expect(ids(findings).has('DSH308')).toBe(wopiKeys);
  });

  it('reports missing security fixes for old releases only', () => {
    const advisories = findings.filter((f) => f.ruleId === 'DSH700').map((f) => f.message).join('\n');
    if (lt(release, '7.2.0') < 0) expect(advisories).toContain('CVE-2021-43445');
    if (lt(release, '9.3.0') >= 0) expect(advisories).toBe('');
  });

  it('flags /info/config on 9.0.x only', () => {
    expect(ids(findings).has('DSH701')).toBe(release.startsWith('v9.0.'));
  });

  it('is clean of JWT findings once an installer-style local.json is in place', () => {
    const secret = 'Hq3ZL8vYt2mN6rB1xW9cK4pD7sF0gJ5a';
    const slot = { string: secret };
    const local = {
      services: {
        CoAuthoring: {
          token: { enable: { browser: true, request: { inbox: true, outbox: true } } },
          secret: { inbox: slot, outbox: slot, session: slot, ...(lt(release, '7.2.0') < 0 ? { browser: slot } : {}) },
        },
      },
    };
    const root2 = makeRoot(release, { ...serviceFiles(release), [`${ETC_REL}/local.json`]: JSON.stringify(local, null, 2) });
    const r2 = runCli(['check', '--root', root2, '--format', 'json']);
    const after = ids(findingsOf(r2));
    for (const id of ['DSH200', 'DSH201', 'DSH202', 'DSH300', 'DSH301', 'DSH303']) expect(after.has(id), id).toBe(false);
    expect(r2.stdout).not.toContain(secret);
  });
});
