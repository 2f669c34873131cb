/**
 * ds-harden probe (and check --url) against a stand-in DocService that answers as DS does, one case per way a
 * server can be set up: every verdict, the exit code, the request bound, and that nothing goes to another host.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BIN, ETC_REL, makeRoot } from '../helpers/cli.js';
import { REPO as REPO_ROOT } from '../helpers/context.js';
import { startFakeDs, type FakeDs, type FakeDsOptions } from '../support/fake-ds.js';
import { MAX_PROBE_REQUESTS } from '../../src/core/probe/plan.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI, asynchronously (the stand-in DS runs in this process and must keep answering). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface JsonOut {
  findings: { ruleId: string; severity: string; message: string; url?: string }[];
  observations: { id: string; verdict: string; blockedBy?: string }[];
  xff: { baseline: string; spoofable?: boolean };
  requests: { sent: number; max: number };
  version?: { text: string };
}

const SECRET = 'Zk3pQ9wLm2Xv7Rt4Bn8Yc6Hd1Jf5Gs0Aq';

const servers: FakeDs[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function ds(o: FakeDsOptions): Promise<FakeDs> {
  const s = await startFakeDs(o);
  servers.push(s);
  return s;
}

/** probe --format json with no local DS configuration (--no-config): like a run from a workstation. */
async function probeJson(url: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ run: Run; out: JsonOut }> {
  const run = await cli(['probe', url, '--no-config', '--format', 'json', '--timeout', '3', ...extra], env);
  return { run, out: JSON.parse(run.stdout || '{}') as JsonOut };
}

const ids = (out: JsonOut) => [...new Set(out.findings.map((f) => f.ruleId))].sort();
const verdict = (out: JsonOut, id: string) => out.observations.find((o) => o.id === id)?.verdict;

describe('ds-harden probe', () => {
  it('an open server (JWT off, no ipfilter, welcome and example installed, 7.0): says what an outsider can do, exit 1', async () => {
    const s = await ds({ jwt: false, welcome: true, example: true, version: '7.0.0', build: '133' });
    const run = await cli(['probe', s.url, '--no-config', '--format', 'json']);
    const out = JSON.parse(run.stdout) as JsonOut;
    expect(run.code, run.stderr).toBe(1);
    expect(ids(out)).toEqual(['DSH800', 'DSH805', 'DSH806', 'DSH807', 'DSH808']);
    expect(verdict(out, 'cmd-unsigned')).toBe('accepted');
    expect(verdict(out, 'convert-unsigned')).toBe('accepted');
    expect(out.findings.filter((f) => f.ruleId === 'DSH800')).toHaveLength(2);
    // the example on < 8.1 also leaks the configuration: high; info medium; welcome low
    const pages = out.findings.filter((f) => f.ruleId === 'DSH806').map((f) => f.severity);
    expect(pages).toEqual(['high', 'medium', 'low']);
    expect(out.version?.text).toBe('7.0.0');
    expect(out.findings.some((f) => f.ruleId === 'DSH808' && /CVE-2021-43445/.test(f.message) && f.severity === 'critical')).toBe(true);
    // JWT off explains the rest: no separate "stock secret accepted" / "forged token" findings
    expect(ids(out)).not.toContain('DSH801');
    expect(ids(out)).not.toContain('DSH802');
    // baseline passed, a forged "denied" address changed nothing: no filter at all
    expect(out.xff).toEqual({ baseline: 'passed', spoofable: false });
    expect(out.requests.sent).toBeLessThanOrEqual(MAX_PROBE_REQUESTS);
  });

  it('JWT on with the stock secret "secret": DSH801, and the version is current so no DSH808', async () => {
    const s = await ds({ jwt: true, secret: 'secret' });
    const { run, out } = await probeJson(s.url);
    expect(run.code).toBe(1);
    expect(verdict(out, 'cmd-unsigned')).toBe('refused');
    expect(verdict(out, 'cmd-wrong')).toBe('refused');
    expect(verdict(out, 'cmd-none')).toBe('refused');
    expect(verdict(out, 'cmd-default')).toBe('accepted');
    expect(verdict(out, 'convert-unsigned')).toBe('refused');
    expect(ids(out)).toContain('DSH801');
    expect(ids(out)).not.toContain('DSH800');
    expect(ids(out)).not.toContain('DSH808');
  });

  it('a server that does not check signatures: DSH802 for the wrong secret and alg none; DSH803 for an expired token', async () => {
    const s = await ds({ jwt: true, secret: SECRET, acceptAnyToken: true, ignoreExpiry: true });
    const { run, out } = await probeJson(s.url, ['--secret-env', 'DSH_TEST_SECRET'], { DSH_TEST_SECRET: SECRET });
    expect(run.code).toBe(1);
    expect(out.findings.filter((f) => f.ruleId === 'DSH802')).toHaveLength(2);
    expect(verdict(out, 'cmd-expired')).toBe('accepted');
    expect(ids(out)).toContain('DSH803');
  });

  for (const tokenMode of ['modern', 'header-only', 'body-only'] as const) {
    it(`JWT on, token read from ${tokenMode === 'modern' ? 'the body or the header (7.1+)' : tokenMode === 'header-only' ? 'the header only (≤ 7.0, inBody false)' : 'the body only (≤ 7.0, inBody true)'}: the configured secret is accepted, every forgery refused`, async () => {
      const s = await ds({ jwt: true, secret: SECRET, tokenMode, header: 'AuthorizationJwt' });
      const { run, out } = await probeJson(s.url, ['--secret-env', 'DSH_TEST_SECRET', '--jwt-header', 'AuthorizationJwt'], { DSH_TEST_SECRET: SECRET });
      expect(verdict(out, 'cmd-configured')).toBe('accepted');
      expect(verdict(out, 'convert-configured')).toBe('accepted');
      expect(verdict(out, 'cmd-expired')).toBe('expired');
      for (const id of ['cmd-unsigned', 'cmd-wrong', 'cmd-default', 'cmd-none', 'convert-unsigned']) expect(verdict(out, id), id).toBe('refused');
      expect(ids(out).filter((i) => ['DSH800', 'DSH801', 'DSH802', 'DSH803', 'DSH809'].includes(i))).toEqual([]);
      // nothing filters the routes: DocService itself answered an outsider (medium: exit 0 at --fail-on high)
      expect(ids(out)).toContain('DSH805');
      expect(run.code).toBe(0);
      // the secret never reaches the output
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    });
  }

  it('--secret-file saved by Notepad (UTF-8 byte order mark, CRLF): the secret without them signs the requests DS accepts', async () => {
    const s = await ds({ jwt: true, secret: SECRET });
    const file = path.join(makeRoot(undefined), 'jwt.txt');
    fs.writeFileSync(file, `\uFEFF${SECRET}\r\n`);
    const { run, out } = await probeJson(s.url, ['--secret-file', file]);
    expect(verdict(out, 'cmd-configured'), run.stderr).toBe('accepted');
    expect(ids(out)).not.toContain('DSH809');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('the configured secret does not match the running server (or the header is wrong on a header-only DS): DSH809', async () => {
    const s = await ds({ jwt: true, secret: SECRET, tokenMode: 'header-only', header: 'AuthorizationJwt' });
    const { run, out } = await probeJson(s.url, ['--secret-env', 'DSH_TEST_SECRET'], { DSH_TEST_SECRET: SECRET });
    expect(verdict(out, 'cmd-configured')).toBe('refused');
    expect(out.findings.filter((f) => f.ruleId === 'DSH809')).toHaveLength(2);
    expect(run.code).toBe(1);
  });

  it('ipfilter trusts the client\'s X-Forwarded-For (DS reached directly): the secret and the claimed address come from the local configuration; DSH804', async () => {
    const s = await ds({ jwt: true, secret: SECRET, useforrequest: true, rules: [{ address: '10.0.0.5', allowed: true }, { address: '*', allowed: false }], xffFromClient: true });
    const root = makeRoot(undefined, {
      [`${ETC_REL}/local.json`]: JSON.stringify({
        services: { CoAuthoring: { secret: { inbox: { string: SECRET } }, ipfilter: { rules: [{ address: '10.0.0.5', allowed: true }, { address: '*', allowed: false }], useforrequest: true } } },
      }),
    });
    const run = await cli(['probe', s.url, '--root', root, '--format', 'json']);
    const out = JSON.parse(run.stdout) as JsonOut;
    expect(run.code, run.stderr).toBe(1);
    expect(verdict(out, 'healthcheck')).toBe('blocked');
    expect(out.observations.find((o) => o.id === 'healthcheck')?.blockedBy).toBe('ipfilter');
    expect(verdict(out, 'xff-allowed')).toBe('public');
    expect(out.xff).toMatchObject({ baseline: 'blocked', spoofable: true, claimed: '10.0.0.5' });
    expect(ids(out)).toContain('DSH804');
    // the signed requests were refused by ipfilter before the token was looked at: no DSH809
    expect(verdict(out, 'cmd-configured')).toBe('blocked');
    expect(ids(out)).not.toContain('DSH809');
    // the fake DS saw the local secret's token: prove it was the configured one by the header it came in
    const signed = s.requests.filter((r) => r.headers.authorization);
    expect(signed.length).toBeGreaterThan(0);
    expect(run.stdout).not.toContain(SECRET);
  });

  it('a non-IP X-Forwarded-For passes a deny-all filter (no rule matches it): DSH804 without a known allowed address', async () => {
    const s = await ds({ jwt: true, secret: SECRET, useforrequest: true, rules: [{ address: '*', allowed: false }], xffFromClient: true });
    const { out } = await probeJson(s.url);
    expect(verdict(out, 'xff-allowed')).toBe('blocked');
    expect(verdict(out, 'xff-non-ip')).toBe('public');
    expect(out.xff).toMatchObject({ baseline: 'blocked', spoofable: true });
    expect(ids(out)).toContain('DSH804');
  });

  for (const errorcode of [403, 401, 200]) {
    it(`locked down behind a proxy that overwrites X-Forwarded-For, ipfilter errorcode ${errorcode}: nothing reaches DocService, exit 0`, async () => {
      const s = await ds({ jwt: true, secret: SECRET, useforrequest: true, errorcode, rules: [{ address: '10.0.0.5', allowed: true }, { address: '*', allowed: false }], xffFromClient: false });
      const { run, out } = await probeJson(s.url);
      expect(run.code, run.stdout).toBe(0);
      for (const id of ['healthcheck', 'info', 'cmd-unsigned', 'cmd-default', 'convert-unsigned']) {
        expect(verdict(out, id), id).toBe('blocked');
        expect(out.observations.find((o) => o.id === id)?.blockedBy).toBe('ipfilter');
      }
      expect(out.xff).toEqual({ baseline: 'blocked', spoofable: false, claimed: '127.0.0.1' });
      expect(ids(out)).toEqual(['DSH807']);
    });
  }

  it('--from-integrator on a host ipfilter refuses: DSH810; from an allowed host: nothing', async () => {
    const refusing = await ds({ jwt: true, secret: SECRET, useforrequest: true, rules: [{ address: '10.0.0.5', allowed: true }, { address: '*', allowed: false }], xffFromClient: false });
    const a = await probeJson(refusing.url, ['--from-integrator', '--secret-env', 'DSH_TEST_SECRET'], { DSH_TEST_SECRET: SECRET });
    expect(ids(a.out)).toContain('DSH810');
    expect(a.run.code).toBe(1);
    const allowing = await ds({ jwt: true, secret: SECRET, useforrequest: true, rules: [{ address: '127.0.0.1', allowed: true }, { address: '*', allowed: false }], xffFromClient: true });
    const b = await probeJson(allowing.url, ['--from-integrator', '--secret-env', 'DSH_TEST_SECRET'], { DSH_TEST_SECRET: SECRET });
    expect(verdict(b.out, 'cmd-configured')).toBe('accepted');
    // allowed as itself, refused when it claims a documentation address: DS judges the client's header
    expect(verdict(b.out, 'xff-denied')).toBe('blocked');
    expect(b.out.xff).toMatchObject({ baseline: 'passed', spoofable: true });
    expect(ids(b.out)).toEqual(['DSH804', 'DSH807']);
    // from the integrator, open server routes are no finding
    expect(ids(b.out)).not.toContain('DSH805');
  });

  it('sends at most the stated number of requests, never to another host, and reports a redirect there (DSH811)', async () => {
    const other = await ds({});
    const s = await ds({ jwt: true, secret: SECRET, welcomeRedirect: `http://127.0.0.1:${other.port}/welcome/` });
    const { run, out } = await probeJson(s.url, ['--secret-env', 'DSH_TEST_SECRET'], { DSH_TEST_SECRET: SECRET });
    expect(other.requests).toEqual([]);
    expect(s.requests.length).toBe(out.requests.sent);
    expect(out.requests).toEqual({ sent: s.requests.length, max: MAX_PROBE_REQUESTS });
    expect(s.requests.length).toBeLessThanOrEqual(MAX_PROBE_REQUESTS);
    expect(out.findings.find((f) => f.ruleId === 'DSH811')?.message).toMatch(/another origin: not followed/);
    expect(run.code).toBe(0);
    const help = await cli(['probe', '--help']);
    expect(help.stdout).toMatch(new RegExp(`at most ${MAX_PROBE_REQUESTS} requests`));
  });

  it('JSON validates against schemas/probe.schema.json; SARIF against the SARIF 2.1.0 schema; text shows the table', async () => {
    const s = await ds({ jwt: false, welcome: true });
    const { out } = await probeJson(s.url);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/report.schema.json'), 'utf8')) as object);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/probe.schema.json'), 'utf8')) as object);
    expect(validate(out), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...out, observations: [{ id: 'cmd-unsigned', verdict: 'maybe' }] })).toBe(false);

    const sarif = await cli(['probe', s.url, '--no-config', '--format', 'sarif']);
    const sajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const vs = sajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/sarif-schema-2.1.0.json'), 'utf8')) as object);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(vs(log), sajv.errorsText(vs.errors)).toBe(true);
    const r800 = log.runs[0]!.results.find((r) => r.ruleId === 'DSH800')!;
    expect(r800.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`${s.url}coauthoring/CommandService.ashx`);

    const text = await cli(['probe', s.url, '--no-config']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/live probe of http:\/\/127\.0\.0\.1:\d+\/ \(as an outsider; \d+ of at most 24 requests; running version 9\.3\.1 build 11\)/);
    expect(text.stdout).toMatch(/!! CommandService, unsigned\s+DS carried it out/);
    expect(text.stdout).toMatch(/DSH800  The running server accepts unsigned server-to-server requests/);
    expect(text.stdout).toMatch(/FAIL \(findings at or above --fail-on high\)/);
  });

  it('check --url joins the audit and the probe in one report (schema-valid), live findings with their URL', async () => {
    const s = await ds({ jwt: false });
    const root = makeRoot('v9.3.0');
    const run = await cli(['check', '--root', root, '--url', s.url, '--format', 'json', '--timeout', '3']);
    expect(run.code, run.stderr).toBe(1);
    const out = JSON.parse(run.stdout) as { findings: { ruleId: string; url?: string }[]; probe: { observations: unknown[] } };
    expect(out.findings.some((f) => f.ruleId === 'DSH200')).toBe(true);
    expect(out.findings.find((f) => f.ruleId === 'DSH800')?.url).toBe(`${s.url}coauthoring/CommandService.ashx`);
    expect(out.probe.observations.length).toBeGreaterThan(10);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/probe.schema.json'), 'utf8')) as object);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/report.schema.json'), 'utf8')) as object);
    expect(validate(out), ajv.errorsText(validate.errors)).toBe(true);
    const text = await cli(['check', '--root', root, '--url', s.url, '--timeout', '3']);
    expect(text.stdout).toMatch(/DSH800 {2}The running server accepts unsigned/);
    expect(text.stdout).toContain(`${s.url}coauthoring/CommandService.ashx`);
    expect(text.stdout).toMatch(/live probe of /);
  });

  it('requests that got no answer are shown as "no answer (why)", never ok, and the run is INCOMPLETE (exit 1), not a pass', async () => {
    // locked down (the run above exits 0), but /welcome/ never answers and /info/info.json drops the connection
    const s = await ds({ jwt: true, secret: SECRET, useforrequest: true, rules: [{ address: '10.0.0.5', allowed: true }, { address: '*', allowed: false }], xffFromClient: false, stall: /^\/welcome\/$/, drop: /^\/info\/info\.json$/ });
    const text = await cli(['probe', s.url, '--no-config', '--timeout', '0.5']);
    expect(text.code, text.stderr).toBe(1);
    const row = (label: string) => text.stdout.split('\n').find((l) => l.includes(label)) ?? '';
    expect(row('welcome page /welcome/')).toMatch(/^ {2}\?\? welcome page \/welcome\/ +no answer \(timeout after 500 ms\)$/);
    expect(row('info page /info/info.json')).toMatch(/^ {2}\?\? info page \/info\/info\.json +no answer \(socket hang up\)$/);
    expect(text.stdout.split('\n').filter((l) => /no answer/.test(l) && /^\s+ok /.test(l))).toEqual([]);
    expect(text.stdout).toMatch(/— INCOMPLETE \(2 probe requests got no answer: what they check is not proven, so this is not a pass\)\n$/);
    expect(text.stdout).not.toMatch(/— pass/);
    // not even with a --fail-on nothing reaches
    const critical = await cli(['probe', s.url, '--no-config', '--timeout', '0.5', '--fail-on', 'critical']);
    expect(critical.code).toBe(1);
    // JSON: the same verdict, schema-valid
    const { run, out } = await probeJson(s.url, ['--timeout', '0.5']);
    expect(run.code).toBe(1);
    expect((out as unknown as { summary: { failed: boolean; unanswered?: number } }).summary).toMatchObject({ failed: true, unanswered: 2 });
    expect(verdict(out, 'welcome')).toBe('no-answer');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/report.schema.json'), 'utf8')) as object);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/probe.schema.json'), 'utf8')) as object);
    expect(validate(out), ajv.errorsText(validate.errors)).toBe(true);
    // check --url: the same rows and verdict
    const root = makeRoot('v9.3.0');
    const both = await cli(['check', '--root', root, '--url', s.url, '--timeout', '0.5', '--fail-on', 'critical']);
    expect(both.code).toBe(1);
    expect(both.stdout).toMatch(/\?\? welcome page \/welcome\/ +no answer \(timeout after 500 ms\)/);
    expect(both.stdout).toMatch(/— FAIL \(findings at or above --fail-on critical; 2 probe requests got no answer\)\n$/);
  });

  it('--timeout outside 0.1–300 s (0, negative, not a number, absurdly large) and -o into a missing folder: exit 2 before any request', async () => {
    const s = await ds({});
    for (const t of ['0', '-1', 'NaN', 'abc', '1e12', '301', '']) {
      for (const cmd of [['probe', s.url, '--no-config'], ['check', '--root', makeRoot('v9.3.0'), '--url', s.url]]) {
        const r = await cli([...cmd, '--timeout', t]);
        expect(r.code, `${cmd[0]} --timeout ${t}`).toBe(2);
        expect(r.stderr).toContain(`option '--timeout <seconds>' argument '${t}' is invalid. expected a number of seconds from 0.1 to 300`);
      }
    }
    const missing = await cli(['probe', s.url, '--no-config', '-o', '/definitely/not/here/r.json']);
    expect([missing.code, missing.stderr]).toEqual([2, 'ds-harden: -o /definitely/not/here/r.json: the folder /definitely/not/here does not exist\n']);
    expect(s.requests).toEqual([]);
    const help = await cli(['probe', '--help']);
    expect(help.stdout).toMatch(/--timeout <seconds> +limit per request, 0\.1–300 \(default 10\)/);
    expect(help.stdout).toMatch(/Exit codes: 0 every request answered and nothing at or above --fail-on; 1 findings at or above --fail-on, or some\nrequests got no answer \(INCOMPLETE\); 2 usage error, or the server answered none of the requests/);
  });

  it('exits 2 with a clear message for a URL that is not one, or where nothing answers', async () => {
    const bad = await cli(['probe', 'office.example.org']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a URL/);
    const s = await ds({});
    const port = s.port;
    await servers.pop()!.close();
    const gone = await probeJson(`http://127.0.0.1:${port}/`);
    expect(gone.run.code).toBe(2);
    expect(gone.run.stderr).toMatch(/did not answer \(connect ECONNREFUSED/);
    const cred = await cli(['probe', 'http://user:pw@127.0.0.1:1/']);
    expect(cred.code).toBe(2);
    expect(cred.stderr).toMatch(/credentials/);
  });
});
