/**
 * DSH120: a default.json that is not the one of the installed DS version. The per-release key sets and stock values
 * (src/core/ds/release-data.ts) are derived from ../shared/ds-configs and checked against it here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findingsOf, makeRoot, runCli } from '../helpers/cli.js';
import { REPO, SHARED_CONFIGS } from '../helpers/context.js';
import { compareWithRelease, stockValues } from '../../src/core/ds/releases.js';
import { V } from '../../src/core/ds/versions.js';

const dpkg = (v: string) => `Package: onlyoffice-documentserver\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${v}\n`;
const shipped = (release: string, name = 'default.json') => fs.readFileSync(path.join(SHARED_CONFIGS, release, 'server', name), 'utf8');

describe('DSH120 stale or foreign default.json', () => {
  it('dpkg says 9.2.0, default.json is 9.1\'s: critical, naming the missing key', () => {
    const root = makeRoot(undefined, {
      'etc/onlyoffice/documentserver/default.json': shipped('v9.1.0'),
      'etc/onlyoffice/documentserver/production-linux.json': shipped('v9.1.0', 'production-linux.json'),
      'etc/onlyoffice/documentserver/local.json': '{}\n',
      'var/lib/dpkg/status': dpkg('9.2.0-119'),
    });
    const f = findingsOf(runCli(['check', '--root', root, '--format', 'json'])).filter((x) => x.ruleId === 'DSH120');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.message).toContain('DS 9.2.0 (the installed package) reads services.CoAuthoring.utils.limits_document_types_upload');
    expect(f[0]!.message).toContain('It looks like the default.json of 9.1.x');
    expect(f[0]!.location?.file).toBe('/etc/onlyoffice/documentserver/default.json');
  });

  it('the release\'s own default.json: nothing; another release\'s newer one: its fingerprint is named', () => {
    const ok = makeRoot('v9.2.0', { 'etc/onlyoffice/documentserver/local.json': '{}\n', 'var/lib/dpkg/status': dpkg('9.2.1-3') });
    expect(findingsOf(runCli(['check', '--root', ok, '--format', 'json'])).filter((x) => x.ruleId === 'DSH120')).toEqual([]);
    const newer = makeRoot('v9.3.0', { 'etc/onlyoffice/documentserver/local.json': '{}\n', 'var/lib/dpkg/status': dpkg('9.2.0-119') });
    const f = findingsOf(runCli(['check', '--root', newer, '--format', 'json'])).filter((x) => x.ruleId === 'DSH120');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(f[0]!.message).toMatch(/is not the default\.json of DS 9\.2\.0 .* It looks like the default\.json of 9\.3\.x/);
  });

  it('only when the version is known from the package (or the image): --ds-version alone judges nothing', () => {
    const root = makeRoot('v9.1.0', { 'etc/onlyoffice/documentserver/local.json': '{}\n' });
    expect(findingsOf(runCli(['check', '--root', root, '--format', 'json', '--ds-version', '9.2.0'])).filter((x) => x.ruleId === 'DSH120')).toEqual([]);
  });

  it('compareWithRelease names the shallowest missing keys; a trimmed stand-in is not judged', () => {
    const d92 = JSON.parse(shipped('v9.2.0'));
    expect(compareWithRelease(d92, V('9.2.0'))).toEqual({ missing: [], extra: [] });
    expect(compareWithRelease(JSON.parse(shipped('v8.3.3')), V('9.2.0'))!.missing).toEqual(expect.arrayContaining(['adminPanel', 'aiSettings']));
    expect(compareWithRelease({ services: {} }, V('9.2.0'))).toBeUndefined();
    expect(compareWithRelease(d92, V('9.4.0'))).toBeUndefined();
  });
});

describe('release-data.ts is what ../shared/ds-configs says', () => {
  it('re-deriving it gives the committed file', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-rd-')), 'release-data.ts');
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/gen-release-data.mjs'), '--out', out, SHARED_CONFIGS], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'src/core/ds/release-data.ts'), 'utf8'));
  });

  it('the stock values of a release are its default.json\'s', () => {
    for (const release of ['v7.3.3', 'v9.3.0']) {
      const d = JSON.parse(shipped(release));
      const s = stockValues(V(release.slice(1)));
      expect(s.get('services.CoAuthoring.ipfilter')).toEqual(d.services.CoAuthoring.ipfilter);
      expect(s.get('services.CoAuthoring.token')).toEqual(d.services.CoAuthoring.token);
      expect(s.get('services.CoAuthoring.request-filtering-agent')).toEqual(d.services.CoAuthoring['request-filtering-agent']);
    }
  });
});
