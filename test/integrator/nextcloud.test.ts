/** The integrator core: reading the app's check, judging a change by what it made worse, the steps printed by hand. */
import { describe, expect, it } from 'vitest';
import { judgeChange, readCheckOutput, seafileLines, stepOfMessage, importDocument, pythonString } from '../../src/core/integrator/nextcloud.js';
import { integratorInstructions, readSecretCommand } from '../../src/apply/integrator-report.js';

const ok = readCheckOutput(0, '<info>Document server https://ds/ version 9.3.1.2 is successfully connected</info>');
const fail = (msg: string) => readCheckOutput(1, `<error>Error connection: ${msg}</error>`);

describe('reading onlyoffice:documentserver --check', () => {
  it('maps each of the app\'s messages to the step that failed', () => {
    const cases: [string, string, boolean][] = [
      ['Mixed Active Content is not allowed. HTTPS address for ONLYOFFICE Docs is required.', 'mixed-content', false],
      ['Bad healthcheck status', 'healthcheck', false],
      ['cURL error 7: Failed to connect to ds port 443 after 0 ms: Connection refused (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://ds/healthcheck', 'healthcheck', false],
      ['Error occurred in the document service: Invalid token', 'version', true],
      ['Error occurred in the document service: Command not correсt', 'version', false],
      ['Not supported version', 'version', false],
      ['Error occurred in the document service: Error while downloading the document file to be converted.', 'conversion', false],
      ['Error occurred in the document service: Conversion error', 'conversion', false],
      ['Client error: `GET https://ds/cache/files/data/x/output.docx` resulted in a `403 Forbidden` response', 'result', false],
    ];
    for (const [msg, step, auth] of cases) expect(stepOfMessage(msg), msg).toEqual({ step, auth });
    expect(ok).toMatchObject({ ok: true });
    expect(readCheckOutput(1, '<info>Document server is not configured</info>')).toMatchObject({ ok: false, failedStep: 'configured' });
    expect(readCheckOutput(undefined, '', true)).toMatchObject({ ok: false, timedOut: true });
  });
});

describe('judging a change by what it made worse', () => {
  it('passed after → passed', () => expect(judgeChange(fail('Bad healthcheck status'), ok).kind).toBe('passed'));
  it('an authentication failure after a passing check → broke', () => {
    expect(judgeChange(ok, fail('Error occurred in the document service: Invalid token')).kind).toBe('broke');
  });
  it('an authentication failure that was there before too is not the change\'s', () => {
    const auth = fail('Error occurred in the document service: Invalid token');
    expect(judgeChange(auth, auth).kind).toBe('failed-before-too');
  });
  it('an auth failure after a conversion failure before → broke (it got further before)', () => {
    const conv = fail('Error occurred in the document service: Error while downloading the document file to be converted.');
    expect(judgeChange(conv, fail('Error occurred in the document service: Invalid token')).kind).toBe('broke');
  });
  it('a step that passed before and fails now → broke; the same step failing as before → kept, with advice', () => {
    const conv = fail('Error occurred in the document service: Error while downloading the document file to be converted.');
    expect(judgeChange(ok, conv)).toMatchObject({ kind: 'broke' });
    const v = judgeChange(conv, conv);
    expect(v.kind).toBe('failed-before-too');
    expect(v.kind === 'failed-before-too' && v.why).toMatch(/allow that host in ipfilter/);
    // failing earlier than before (healthcheck now, conversion before) is worse
    expect(judgeChange(conv, fail('Bad healthcheck status')).kind).toBe('broke');
  });
});

describe('what is printed when ds-harden cannot reach the integrator', () => {
  const pair = { secret: "Ab1'x\\y", header: 'AuthorizationJwt' };
  it('Seafile: seahub_settings.py lines with Python quoting that keeps the value', () => {
    expect(seafileLines(pair)).toEqual([`ONLYOFFICE_JWT_SECRET = 'Ab1\\'x\\\\y'`, `ONLYOFFICE_JWT_HEADER = 'AuthorizationJwt'`]);
    expect(pythonString('plain')).toBe("'plain'");
  });
  it('Nextcloud: the settings page and an occ import from a file — never the secret on a command line', () => {
    const lines = integratorInstructions('nextcloud', pair, readSecretCommand(['--root', '/srv/x']));
    expect(lines.join('\n')).toContain('"Authorization header" = AuthorizationJwt');
    expect(lines.join('\n')).toContain('occ config:import <that file>');
    expect(lines.join('\n')).not.toMatch(/--value=/);
    expect(lines.join('\n')).toContain('sudo ds-harden check --root /srv/x --explain services.CoAuthoring.secret.inbox.string --show-secrets');
  });
  it('config:import documents carry only app values', () => {
    expect(JSON.parse(importDocument({ jwt_secret: 's', jwt_header: null }))).toEqual({ apps: { onlyoffice: { jwt_secret: 's', jwt_header: null } } });
  });
});
