/** `ds-harden check` as a user runs it: exit codes, formats, --explain, colour, secrets. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { REPO } from '../helpers/context.js';
import { BIN, ETC_REL, expectNoStack, makeRoot, runCli } from '../helpers/cli.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const SECRET = 'Xk4pR8sW2nQ7vL1zT6yB9cM3hJ5dF0gA';
const strong = JSON.stringify({
  services: {
    CoAuthoring: {
      token: { enable: { browser: true, request: { inbox: true, outbox: true } } },
      secret: { inbox: { string: SECRET }, outbox: { string: SECRET }, session: { string: SECRET } },
      ipfilter: { rules: [{ address: '10.0.0.5', allowed: true }, { address: '127.0.0.1', allowed: true }, { address: '*', allowed: false }] },
    },
  },
  storage: { fs: { secretString: 'q8Zr2LmT5vX1nB7wK3cJ' } },
}, null, 2);

describe('check exit codes', () => {
  it('1 when findings reach --fail-on (default high), 0 when they do not', () => {
    expect(runCli(['check', '--root', EXAMPLE]).code).toBe(1);
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: strong, 'var/lib/dpkg/status': 'Package: onlyoffice-documentserver\nStatus: install ok installed\nVersion: 9.3.0-140\n' });
    fs.chmodSync(path.join(root, ETC_REL, 'local.json'), 0o640);
    const r = runCli(['check', '--root', root]);
    expect(r.stdout).toContain('pass (--fail-on high)');
    expect(r.code).toBe(0);
    expect(runCli(['check', '--root', root, '--fail-on', 'info']).code).toBe(1);
  });

  it('2 for usage errors, with a message and no stack trace', () => {
    const bad = runCli(['check', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'xml' is invalid");
    const missing = runCli(['check', '--root', '/definitely/not/here']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('ds-harden: --root /definitely/not/here: no such directory\n');
    const empty = runCli(['check', '--root', makeRoot(undefined)]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no configuration file DS would load');
    expect(runCli(['check', '--fail-on', 'severe']).code).toBe(2);
    expect(runCli(['frobnicate']).code).toBe(2);
    for (const r of [bad, missing, empty]) expect(expectNoStack(r.stderr)).toBe(true);
  });

  it('0 for --help and --version', () => {
    const h = runCli(['check', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--explain <key>');
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('check output', () => {
  it('JSON validates against schemas/report.schema.json', () => {
    const r = runCli(['check', '--root', EXAMPLE, '--format', 'json']);
    const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/report.schema.json'), 'utf8'));
    const ajv = new Ajv2020.default({ strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/probe.schema.json'), 'utf8')));
    const validate = ajv.compile(schema);
    const doc = JSON.parse(r.stdout);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.summary.failed).toBe(true);
  });

  it('SARIF points at lines relative to --root and writes to -o', () => {
    const out = path.join(makeRoot(undefined), 'ds.sarif');
    const r = runCli(['check', '--root', EXAMPLE, '--format', 'sarif', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const sarif = JSON.parse(fs.readFileSync(out, 'utf8'));
    const loc = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'DSH502').locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: 'etc/onlyoffice/documentserver/local.json', uriBaseId: 'ROOTPATH' });
    expect(loc.region.startLine).toBe(7);
  });

  it('text honours NO_COLOR and FORCE_COLOR', () => {
    expect(runCli(['check', '--root', EXAMPLE], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
    expect(runCli(['check', '--root', EXAMPLE], { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stdout).toContain('\u001b[');
    expect(runCli(['check', '--root', EXAMPLE, '--no-color'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stdout).not.toContain('\u001b[');
  });

  it('never prints a secret unless --show-secrets', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: strong.replace(SECRET, 'short-but-secret-1234') });
    for (const format of ['text', 'json', 'sarif']) {
      const r = runCli(['check', '--root', root, '--format', format]);
      expect(r.stdout + r.stderr).not.toContain('short-but-secret-1234');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    const ex = runCli(['check', '--root', root, '--explain', 'services.CoAuthoring.secret.outbox.string']);
    expect(ex.stdout).not.toContain(SECRET);
    expect(ex.stdout).toContain('••••••(32 chars)');
    const shown = runCli(['check', '--root', root, '--explain', 'services.CoAuthoring.secret.outbox.string', '--show-secrets']);
    expect(shown.stdout).toContain(SECRET);
  });
});

describe('check --explain', () => {
  it('prints the effective value and every layer that sets it, last one effective', () => {
    const r = runCli(['check', '--root', EXAMPLE, '--explain', 'services.CoAuthoring.token.enable.browser']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe('  effective value: false');
    expect(r.stdout).toMatch(/\/etc\/onlyoffice\/documentserver\/default\.json:\d+:\d+ {2}false {2}\(overridden\)/);
    expect(r.stdout).toMatch(/\/etc\/onlyoffice\/documentserver\/local\.json:15:11 {2}true {2}\(overridden\)/);
    expect(r.stdout).toMatch(/\/var\/www\/onlyoffice\/Data\/runtime\.json:4:30 {2}false {2}← effective/);
  });

  it('says when no layer sets a key, and what DS then uses: nothing, its code default (cited), or the library default', () => {
    const none = runCli(['check', '--root', EXAMPLE, '--explain', 'services.CoAuthoring.nope']);
    expect(none.stdout).toBe('services.CoAuthoring.nope\n  effective value: not set in any layer; DS uses no value\n');
    const coded = runCli(['check', '--root', EXAMPLE, '--ds-version', '8.3.3', '--explain', 'services.CoAuthoring.requestDefaults.maxRedirects']);
    expect(coded.stdout).toContain('effective value: not set in any layer; DS uses 10 (its code default, DS ≤ 8.3: ONLYOFFICE/server@v8.3.3.23 (b926a4cd):Common/sources/utils.js:328');
    const library = runCli(['check', '--root', EXAMPLE, '--explain', 'services.CoAuthoring.requestDefaults.maxRedirects']);
    expect(library.stdout).toContain('not set in any layer; DS passes nothing to the HTTP client of every outgoing request');
    expect(library.stdout).not.toContain('set by');
  });
});

describe('check points at apply', () => {
  it('does not offer a command apply would refuse: a later layer (runtime.json) decides a key it writes', () => {
    const r = runCli(['check', '--root', EXAMPLE]);
    expect(r.stdout).toContain(
      'next step: ds-harden apply could fix DSH203, DSH204, DSH301, DSH501, DSH502, DSH503, but /var/www/onlyoffice/Data/runtime.json loads after local.json and decides token.enable.browser (DSH110): apply would refuse.',
    );
    expect(r.stdout).not.toContain('preview it with');
  });

  it('names the findings apply can fix (not those a later layer decides) and the dry-run command', () => {
    const root = makeRoot('v9.3.0', {});
    fs.cpSync(EXAMPLE, root, { recursive: true });
    fs.rmSync(path.join(root, 'var/www/onlyoffice/Data/runtime.json'));
    const r = runCli(['check', '--root', root]);
    expect(r.stdout).toContain('next step: ds-harden apply can fix DSH203, DSH204, DSH301, DSH501, DSH502, DSH503; preview it with');
    expect(r.stdout).toContain(`--dry-run --root ${root}`);
    const strongRoot = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: strong });
    expect(runCli(['check', '--root', strongRoot]).stdout).not.toContain('next step');
  });
});

describe('the next-step command runs as printed', () => {
  it('on an AuthorizationJwt install (Nextcloud AIO), running it verbatim previews the fixes and changes no header', () => {
    const aio = {
      services: {
        CoAuthoring: {
          token: { enable: { browser: true, request: { inbox: true, outbox: true } }, inbox: { header: 'AuthorizationJwt' }, outbox: { header: 'AuthorizationJwt' } },
          secret: { inbox: { string: 'tooshort' }, outbox: { string: 'tooshort' }, session: { string: 'tooshort' } },
          ipfilter: { rules: [{ address: '172.18.0.5', allowed: true }] },
        },
      },
    };
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: JSON.stringify(aio, null, 2) });
    fs.chmodSync(path.join(root, ETC_REL, 'local.json'), 0o640);
    const check = runCli(['check', '--root', root, '--ds-version', '9.3.0']);
    const lines = check.stdout.split('\n');
    const command = lines[lines.findIndex((l) => l.includes('preview it with')) + 1]!.trim();
    expect(command).toBe(`ds-harden apply --allow 172.18.0.5 --generate-secret --header AuthorizationJwt --dry-run --root ${root} --ds-version 9.3.0`);

    // run it exactly as printed, through a shell, with `ds-harden` on PATH
    const bin = fs.mkdtempSync(path.join(path.dirname(root), 'bin-'));
    fs.writeFileSync(path.join(bin, 'ds-harden'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(10); // dry run: changes pending
    expect(r.stdout).toContain('resolves: DSH301, DSH501');
    const changed = r.stdout.split('\n').filter((l) => /^[-+] /.test(l) || /^ {2}services\.CoAuthoring\.[\w.]+: /.test(l));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((l) => /header/i.test(l))).toEqual([]);
    expect(fs.readFileSync(path.join(root, ETC_REL, 'local.json'), 'utf8')).toBe(JSON.stringify(aio, null, 2));
  });
});

describe('every command takes --no-color', () => {
  it('history and rollback accept it like check and apply', () => {
    const root = makeRoot(undefined);
    const history = runCli(['history', '--root', root, '--no-color']);
    expect([history.code, history.stdout, history.stderr]).toEqual([0, 'no applies recorded yet.\n', '']);
    const rollback = runCli(['rollback', '--root', root, '--no-color', '--service-manager', 'none', '--no-health']);
    expect(rollback.stderr).not.toContain('unknown option');
    expect(rollback.stderr).toContain('nothing to roll back');
  });
});

describe('check finds every copy of a secret', () => {
  it('local.json.original and an Ansible backup, both 0644 with a secret, are both reported (local.json itself is 0640)', () => {
    const original = `${ETC_REL}/local.json.original`;
    const backup = `${ETC_REL}/local.json.4242.2026-05-14@09:12:18~`;
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: strong, [original]: strong, [backup]: strong });
    fs.chmodSync(path.join(root, ETC_REL, 'local.json'), 0o640);
    fs.chmodSync(path.join(root, original), 0o644);
    fs.chmodSync(path.join(root, backup), 0o644);
    const r = runCli(['check', '--root', root, '--format', 'json']);
    const found = (JSON.parse(r.stdout) as { findings: { ruleId: string; location?: { file: string } }[] }).findings
      .filter((f) => f.ruleId === 'DSH400' || f.ruleId === 'DSH403')
      .map((f) => `${f.ruleId} ${f.location?.file}`);
    expect(found).toEqual([`DSH403 /${backup}`, `DSH403 /${original}`]);
    expect(r.stdout).not.toContain(SECRET);
  });
});
