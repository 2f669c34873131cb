/**
 * Issue #8, the integrator side: both ends of the JWT secret changed together. A real supervisord runs the stand-in
 * DocService; a stand-in occ (test/support/standin-occ.mjs) keeps the ONLYOFFICE app's config and runs the app's
 * check for real — it signs its requests with the stored secret and header, serves the "empty file" DS must
 * download from StorageUrl, and fetches the converted result — so a mismatch fails as it would in Nextcloud.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { OLD_LOCAL, SECRET, allRunning, commandService, health, hs256, type DsEnv, withDs } from './apply-env.js';
import { makeNc, type Nc } from './standin-nc.js';

const T = 150_000;
const ALL_RUNNING = { 'ds:converter': 'RUNNING', 'ds:docservice': 'RUNNING' };
const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

/** CommandService version, signed in the given header only (no body token). */
async function signedCommand(ds: DsEnv, secret: string, header: string): Promise<unknown> {
  const r = await fetch(`http://127.0.0.1:${ds.port}/coauthoring/CommandService.ashx`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [header]: `Bearer ${hs256({ payload: { c: 'version' } }, secret)}` },
    body: JSON.stringify({ c: 'version' }),
    signal: AbortSignal.timeout(3000),
  });
  return JSON.parse(await r.text());
}

const dsSecret = (ds: DsEnv) => (JSON5.parse(fs.readFileSync(ds.local, 'utf8')) as any).services.CoAuthoring.secret?.inbox?.string as string | undefined;

/** Nothing ds-harden started may carry a secret in its argv or environment (the journal may, at 0600). */
function expectNoSecretExposed(nc: Nc, secrets: string[]): void {
  const calls = nc.calls();
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    for (const s of secrets) {
      expect(c.argv.join(' ')).not.toContain(s);
      expect(JSON.stringify(c.env)).not.toContain(s);
      if (!c.argv.includes('config:import')) expect(c.stdin).not.toContain(s);
    }
  }
}

describe.concurrent('apply --nextcloud-occ: both ends', () => {
  it('first install: a new secret at DS and in the app, the app\'s check passes before and after; the secret is never in argv or env', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const nc = makeNc(ds);
      const r = await ds.run(['apply', ...ds.common, '--allow', '10.0.0.5', '--generate-secret', '--header', 'AuthorizationJwt', '--nextcloud-occ', nc.occ, '--settle', '1', '--json'], nc.env);
      expect(r.code, all(r)).toBe(10);
      const doc = JSON.parse(r.stdout);
      expect(doc.integrator).toMatchObject({ kind: 'nextcloud', needsChange: true, headerBefore: 'Authorization', headerAfter: 'AuthorizationJwt', preCheck: { ok: true }, report: { ok: true }, verdict: { kind: 'passed' } });
      const secret = dsSecret(ds)!;
      expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(nc.state().app).toMatchObject({ jwt_secret: secret, jwt_header: 'AuthorizationJwt', settings_error: '' });
      expect(r.stdout + r.stderr).not.toContain(secret);
      expectNoSecretExposed(nc, [secret]);
      // the import went through stdin
      expect(nc.calls().some((c) => c.argv.includes('config:import') && c.stdin.includes(secret))).toBe(true);
      expect(await commandService(ds)).toEqual({ error: 6 });
      expect(await signedCommand(ds, secret, 'AuthorizationJwt')).toEqual({ error: 0, version: '9.3.0.0' });
      // the journal records the integrator end
      const manifest = JSON.parse(fs.readFileSync(path.join(ds.journalDir, doc.journalId, 'manifest.json'), 'utf8'));
      expect(manifest.integrator).toMatchObject({ kind: 'nextcloud', state: 'set' });
      expect(JSON.stringify(manifest)).not.toContain(secret);
      expect(fs.statSync(path.join(ds.journalDir, doc.journalId, manifest.integrator.backup)).mode & 0o777).toBe(0o600);

      // the same command again: nothing to change at either end
      const again = await ds.run(['apply', ...ds.common, '--allow', '10.0.0.5', '--generate-secret', '--header', 'AuthorizationJwt', '--nextcloud-occ', nc.occ, '--settle', '1'], nc.env);
      expect(again.code, all(again)).toBe(0);
      expect(again.stdout).toContain('jwt_secret and jwt_header already match DS');

      // rollback restores both ends
      const rb = await ds.run(['rollback', doc.journalId, ...ds.common, '--settle', '1'], nc.env);
      expect(rb.code, all(rb)).toBe(0);
      expect(rb.stdout).toContain("the integrator's previous jwt_secret and jwt_header are restored");
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
      expect(nc.state().app.jwt_secret).toBeUndefined();
      expect(nc.state().app.jwt_header).toBeUndefined();
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
    });
  });

  it('keeps a strong existing secret and only brings the app in line', { timeout: T }, async (ctx) => {
    const local = JSON.stringify({ services: { CoAuthoring: { token: { enable: { browser: true, request: { inbox: true, outbox: true } } }, secret: { inbox: { string: SECRET }, outbox: { string: SECRET }, session: { string: SECRET } } } } }, null, 2) + '\n';
    await withDs(ctx, { local }, async (ds) => {
      const nc = makeNc(ds, { jwt_secret: 'an-old-secret-from-before-0000000000', jwt_header: 'Authorization' });
      const r = await ds.run(['apply', ...ds.common, '--generate-secret', '--nextcloud-occ', nc.occ, '--settle', '1'], nc.env);
      expect(r.code, all(r)).toBe(10);
      // DS keeps its secret (9.3 still has a secret.browser slot, which follows it)
      expect(r.stdout).toMatch(/changes to \/etc\/onlyoffice\/documentserver\/local\.json:\n  services\.CoAuthoring\.secret\.browser\.string: ••••••\(6 chars\) → ••••••\(40 chars\)\n(?!  services)/);
      expect(r.stdout).toMatch(/Nextcloud \(occ .*\): jwt_secret is set to DS's secret; jwt_header stays Authorization/);
      expect(r.stdout).toMatch(/the app's check before the change: failed at "signed version command accepted/);
      expect(dsSecret(ds)).toBe(SECRET);
      expect(nc.state().app.jwt_secret).toBe(SECRET);
      expectNoSecretExposed(nc, [SECRET, 'an-old-secret-from-before-0000000000']);
    });
  });

  it('a change that makes a passing step fail (ipfilter now blocks DS downloading from StorageUrl): both ends rolled back, the journal says so', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      // Nextcloud as DS reaches it lives on 127.0.0.7, which the new rules do not allow
      const nc = makeNc(ds, { StorageUrl: 'http://127.0.0.7/' });
      const before = fs.readFileSync(ds.local, 'utf8');
      const r = await ds.run(['apply', ...ds.common, '--allow', '10.0.0.5', '--generate-secret', '--nextcloud-occ', nc.occ, '--settle', '1', '--json'], nc.env);
      expect(r.code, all(r)).toBe(20);
      const doc = JSON.parse(r.stdout);
      expect(doc.integrator).toMatchObject({ preCheck: { ok: true }, report: { ok: false, failedStep: 'conversion' }, verdict: { kind: 'broke' }, restored: true, recheck: { ok: true } });
      expect(doc.failure.reason).toMatch(/the app's check fails at "DS downloads a test file from the storage URL and converts it" \(.*Error while downloading/);
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(before);
      expect(nc.state().app.jwt_secret).toBeUndefined();
      expect(nc.state().app.settings_error).toBe(''); // the check after the rollback cleared the app's error
      const manifest = JSON.parse(fs.readFileSync(path.join(ds.journalDir, doc.journalId, 'manifest.json'), 'utf8'));
      expect(manifest.state).toBe('rolled-back');
      expect(manifest.integrator.state).toBe('restored');
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' });
    });
  });

  it('a step that failed before as well is reported with its cause and the change is kept', { timeout: T }, async (ctx) => {
    const local = JSON.stringify({ services: { CoAuthoring: { ipfilter: { rules: [{ address: '127.0.0.1', allowed: true }, { address: '*', allowed: false }] } } } }, null, 2) + '\n';
    await withDs(ctx, { local }, async (ds) => {
      const nc = makeNc(ds, { StorageUrl: 'http://127.0.0.7/' });
      const r = await ds.run(['apply', ...ds.common, '--generate-secret', '--nextcloud-occ', nc.occ, '--settle', '1'], nc.env);
      expect(r.code, all(r)).toBe(10);
      expect(r.stdout).toMatch(/as it did before the change: DS cannot download from Nextcloud: set StorageUrl to an address DS reaches, allow that host in ipfilter/);
      expect(r.stdout).toContain('The change authenticated correctly and is kept.');
      expect(nc.state().app.jwt_secret).toBe(dsSecret(ds));
    });
  });

  it('occ cannot be run: a usage error before anything changes', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const r = await ds.run(['apply', ...ds.common, '--allow', '10.0.0.5', '--generate-secret', '--nextcloud-occ', '/nonexistent/php occ', '--settle', '1']);
      expect(r.code, all(r)).toBe(2);
      expect(r.stderr).toContain('cannot run occ (/nonexistent/php occ): /nonexistent/php: command not found');
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
    });
  });
});

describe.concurrent('rotate-secret', () => {
  it('--dry-run warns about other integrators before anything is written; then a new secret at both ends', { timeout: T }, async (ctx) => {
    const local = JSON.stringify({ services: { CoAuthoring: { token: { enable: { browser: true, request: { inbox: true, outbox: true } } }, secret: { inbox: { string: SECRET }, outbox: { string: SECRET }, session: { string: SECRET } } } } }, null, 2) + '\n';
    await withDs(ctx, { local }, async (ds) => {
      const nc = makeNc(ds, { jwt_secret: SECRET });
      const dry = await ds.run(['rotate-secret', ...ds.common, '--nextcloud-occ', nc.occ, '--dry-run'], nc.env);
      expect(dry.code, all(dry)).toBe(10);
      expect(dry.stdout).toContain('every other integrator that uses this DS');
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(local);
      expect(nc.state().app.jwt_secret).toBe(SECRET);

      const r = await ds.run(['rotate-secret', ...ds.common, '--nextcloud-occ', nc.occ, '--settle', '1'], nc.env);
      expect(r.code, all(r)).toBe(10);
      const secret = dsSecret(ds)!;
      expect(secret).not.toBe(SECRET);
      expect(nc.state().app.jwt_secret).toBe(secret);
      expect(await commandService(ds, SECRET)).toEqual({ error: 6 });
      expect(await commandService(ds, secret)).toEqual({ error: 0, version: '9.3.0.0' });
      expectNoSecretExposed(nc, [secret, SECRET]);
    });
  });
});
