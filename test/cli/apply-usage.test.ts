/** apply without services (--service-manager none): flags, policy file, refusals and usage errors as a user sees them. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';

const SECRET = 'Pz6Wq1Lr8Tn3Vb5Xc7Yd9Fg2Hj4Km0As';
const base = ['--service-manager', 'none', '--no-health'];

function tree(local?: string) {
  return makeRoot('v9.3.0', local === undefined ? {} : { [`${ETC_REL}/local.json`]: local });
}
const localOf = (root: string) => fs.readFileSync(path.join(root, ETC_REL, 'local.json'), 'utf8');

describe('apply: inputs', () => {
  it('reads the desired state from a policy file; flags and policy give the same file', () => {
    const a = tree('{}\n');
    const b = tree('{}\n');
    const policy = path.join(a, 'policy.json');
    fs.writeFileSync(policy, JSON.stringify({ allow: ['10.0.0.5'], secretEnv: 'DSH_SECRET', header: 'AuthorizationJwt', useforrequest: false }));
    const r1 = runCli(['apply', '--root', a, '--policy', policy, ...base], { env: { DSH_SECRET: SECRET } });
    const r2 = runCli(['apply', '--root', b, '--allow', '10.0.0.5', '--secret-env', 'DSH_SECRET', '--header', 'AuthorizationJwt', '--no-useforrequest', ...base], { env: { DSH_SECRET: SECRET } });
    expect([r1.code, r2.code]).toEqual([10, 10]);
    expect(localOf(a)).toBe(localOf(b));
    expect(JSON.parse(localOf(a)).services.CoAuthoring.token.outbox.header).toBe('AuthorizationJwt');
    expect(r1.stdout + r1.stderr).not.toContain(SECRET);
  });

  it('--generate-secret writes 40 random [A-Za-z0-9] characters into every slot and keeps them on re-run', () => {
    const root = tree();
    expect(runCli(['apply', '--root', root, '--generate-secret', ...base]).code).toBe(10);
    const first = JSON.parse(localOf(root)).services.CoAuthoring.secret;
    expect(first.inbox.string).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(first.outbox.string).toBe(first.inbox.string);
    expect(first.session.string).toBe(first.inbox.string);
    const again = runCli(['apply', '--root', root, '--generate-secret', ...base]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    expect(runCli(['apply', '--root', root, '--generate-secret', '--rotate', ...base]).code).toBe(10);
    expect(JSON.parse(localOf(root)).services.CoAuthoring.secret.inbox.string).not.toBe(first.inbox.string);
  });

  it('--json reports outcome and changes with masked secrets', () => {
    const root = tree();
    const r = runCli(['apply', '--root', root, '--secret-env', 'S', '--json', ...base], { env: { S: SECRET } });
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: 'apply', outcome: 'changed', changed: true, exitCode: 10 });
    expect(doc.changes.find((c: { key: string }) => c.key === 'services.CoAuthoring.secret.inbox.string').to).toBe('••••••(32 chars)');
    expect(r.stdout).not.toContain(SECRET);
  });
});

describe('apply: usage errors (exit 2) and refusals (exit 4) change nothing', () => {
  it('rejects weak or missing secrets and bad values with a clear message', () => {
    const root = tree('{}\n');
    const file = path.join(root, 'weak.txt');
    fs.writeFileSync(file, 'too-short\n');
    const cases: [string[], RegExp][] = [
      [['--secret-file', file], /weak\.txt is weak \(DSH301\): it is 9 characters long; use at least 32/],
      [['--secret-env', 'NOPE_NOT_SET'], /--secret-env NOPE_NOT_SET: the variable is not set or empty/],
      [['--errorcode', '200', '--allow', '10.0.0.5'], /--errorcode: the number 200 must be an HTTP error status between 400 and 599/],
      [[], /nothing to apply/],
      [['--generate-secret', '--secret-env', 'X'], /choose one of --secret-file, --secret-env, --generate-secret/],
      [['--policy', path.join(root, 'missing.json')], /--policy .*missing\.json: ENOENT/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(['apply', '--root', root, ...args, ...base]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(localOf(root)).toBe('{}\n');
  });

  it('refuses a CIDR that has no exact glob, and a local.json DS cannot parse', () => {
    const root = tree('{}\n');
    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.0/12', ...base]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('10.0.0.0/12');
    expect(localOf(root)).toBe('{}\n');
    const broken = tree('{"services": {');
    const r2 = runCli(['apply', '--root', broken, '--allow', '10.0.0.5', ...base]);
    expect(r2.code).toBe(4);
    expect(r2.stdout).toMatch(/cannot be parsed by this DS version .* at 1:15/);
  });
});

describe('apply in the official Docker image', () => {
  it('refuses to write local.json (the entrypoint rewrites it) and prints the environment and the mount to set instead', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: '{}\n', 'app/ds/run-document-server.sh': '#!/bin/bash\n' });
    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'S', '--dry-run', ...base], { env: { S: SECRET } });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('its entrypoint rewrites the JWT settings of local.json from the container environment at every start');
    expect(r.stdout).toContain('JWT_ENABLED=true');
    expect(r.stdout).toContain('JWT_SECRET=<the secret in $S>');
    expect(r.stdout).toContain('mounted read-only at /etc/onlyoffice/documentserver/local-production-linux.json');
    expect(r.stdout).not.toContain(SECRET);
    expect(localOf(root)).toBe('{}\n');
    const plain = runCli(['apply', '--root', tree('{}\n'), '--allow', '10.0.0.5', '--dry-run', ...base]);
    expect(plain.stdout).not.toContain('Docker image');
  });
});

describe('apply protects the callbacks to the storage host', () => {
  it('refuses rules that would block DS callbacks to --storage-url, accepts them once the host is allowed', () => {
    const root = tree('{}\n');
    const blocked = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--storage-url', 'https://192.168.50.9/nextcloud', ...base]);
    expect(blocked.code).toBe(4);
    expect(blocked.stdout).toContain('would refuse DS\'s callbacks and downloads to the storage host 192.168.50.9');
    expect(blocked.stdout).toContain('Add --allow 192.168.50.9');
    expect(localOf(root)).toBe('{}\n');
    const ok = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--allow', '192.168.50.9', '--storage-url', 'https://192.168.50.9/nextcloud', '--dry-run', ...base]);
    expect(ok.code).toBe(10);
    expect(ok.stdout).toMatch(/allowed\s+192\.168\.50\.9\s+storage\/callback host \(--storage-url\); rule #2/);
  });

  it('resolves a host name as DS does (localhost → loopback rule)', () => {
    const r = runCli(['apply', '--root', tree('{}\n'), '--allow', '10.0.0.5', '--storage-url', 'http://localhost:8080/', '--dry-run', ...base]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/allowed\s+localhost \((127\.0\.0\.1|::1)\)|allowed\s+localhost/);
  });
});

describe('rollback protects later edits', () => {
  it('refuses to overwrite a local.json edited after the apply unless --force', () => {
    const root = tree('{ "a": 1 }\n');
    expect(runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]).code).toBe(10);
    const history = runCli(['history', '--root', root]);
    expect(history.stdout).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}\s+committed\s+apply\s+\/etc\/onlyoffice\/documentserver\/local\.json/m);
    fs.appendFileSync(path.join(root, ETC_REL, 'local.json'), ' ');
    const refused = runCli(['rollback', '--root', root, '--service-manager', 'none', '--no-health']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('changed after apply');
    expect(refused.stderr).toContain('--force');
    const forced = runCli(['rollback', '--root', root, '--force', '--service-manager', 'none', '--no-health']);
    expect(forced.code).toBe(0);
    expect(localOf(root)).toBe('{ "a": 1 }\n');
    expect(runCli(['history', '--root', root]).stdout).toMatch(/\s+rolled-back\s+apply/);
  });
});

describe('apply --dry-run diff hides every secret', () => {
  it('blanks secrets on context lines the plan does not touch (database password, secure-link key)', () => {
    const local = [
      '{',
      '  "services": {',
      '    "CoAuthoring": {',
      '      "sql": { "dbPass": "Db-Pa55" },',
      '      "token": { "enable": { "browser": false } }',
      '    }',
      '  },',
      '  "storage": { "fs": { "secretString": "SecureLinkKey-2024" } }',
      '}',
      '',
    ].join('\n');
    const r = runCli(['apply', '--root', tree(local), '--secret-env', 'S', '--dry-run', ...base], { env: { S: SECRET } });
    expect(r.code).toBe(10);
    expect(r.stdout).toContain('"dbPass": "•••••••"');
    for (const s of ['Db-Pa55', 'SecureLinkKey-2024', SECRET]) expect(r.stdout).not.toContain(s);
    expect(r.stdout).toMatch(/^\+.*"browser": true/m);
  });
});

describe('apply --json follows schemas/apply-result.schema.json', () => {
  it('for changed, dry-run, no-change and refused results', async () => {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../schemas/apply-result.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const root = tree('{}\n');
    const runs = [
      runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'S', '--dry-run', '--json', ...base], { env: { S: SECRET } }),
      runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'S', '--json', ...base], { env: { S: SECRET } }),
      runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'S', '--json', ...base], { env: { S: SECRET } }),
      runCli(['apply', '--root', root, '--allow', '10.0.0.0/12', '--json', ...base]),
    ];
    expect(runs.map((r) => r.code)).toEqual([10, 10, 0, 4]);
    const outcomes = runs.map((r) => {
      const doc = JSON.parse(r.stdout);
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(r.stdout).not.toContain(SECRET);
      return doc.outcome;
    });
    expect(outcomes).toEqual(['dry-run', 'changed', 'no-change', 'refused']);
  });
});

describe('the integrator end without occ access', () => {
  it('prints the exact steps; the secret only with --show-secrets', () => {
    const root = tree('{}\n');
    const masked = runCli(['apply', '--root', root, '--secret-env', 'S', '--integrator', 'nextcloud', '--dry-run', ...base], { env: { S: SECRET } });
    expect(masked.code, masked.stderr).toBe(10);
    expect(masked.stdout).toContain('Nextcloud: do this too, or the pair breaks:');
    expect(masked.stdout).toContain('"Secret key" = ••••••(32 chars)');
    expect(masked.stdout).not.toContain(SECRET);
    const shown = runCli(['apply', '--root', root, '--secret-env', 'S', '--integrator', 'seafile', '--dry-run', '--show-secrets', ...base], { env: { S: SECRET } });
    expect(shown.stdout).toContain(`ONLYOFFICE_JWT_SECRET = '${SECRET}'`);
    expect(shown.stdout).toContain(`ONLYOFFICE_JWT_HEADER = 'Authorization'`);
  });
  it('refuses shell syntax in --nextcloud-occ and occ for Seafile', () => {
    const root = tree('{}\n');
    for (const [args, msg] of [
      [['--nextcloud-occ', 'sudo -u www-data php occ; rm -rf /'], /no pipes, redirections or ;/],
      [['--nextcloud-occ', 'php $OCC'], /no variables/],
      [['--integrator', 'seafile', '--nextcloud-occ', 'php occ'], /occ belongs to Nextcloud or ownCloud/],
    ] as [string[], RegExp][]) {
      const r = runCli(['apply', '--root', root, '--generate-secret', ...args, ...base]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(localOf(root)).toBe('{}\n');
  });
});

describe('a missing local.json', () => {
  it('is created root:<ds group> 0640 when a ds user exists (validated with the owner and mode it will get)', () => {
    const root = makeRoot('v9.3.0', { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\nds:x:4711:4712::/var/www/onlyoffice:/usr/sbin/nologin\n', 'etc/group': 'root:x:0:\nds:x:4712:\n' });
    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--generate-secret', ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(10);
    const st = fs.statSync(path.join(root, ETC_REL, 'local.json'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([0, 4712, 0o640]);
  });
});

describe('rollback stays inside --root', () => {
  it('a copied tree is rolled back in the copy, never in the original', () => {
    const a = tree('{ "a": 1 }\n');
    expect(runCli(['apply', '--root', a, '--allow', '10.0.0.5', ...base]).code).toBe(10);
    const applied = localOf(a);
    const b = `${a}-copy`;
    fs.cpSync(a, b, { recursive: true });
    const r = runCli(['rollback', '--root', b, ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('restored /etc/onlyoffice/documentserver/local.json');
    expect(localOf(b)).toBe('{ "a": 1 }\n');
    expect(localOf(a)).toBe(applied); // the original tree is untouched
  });

  it('a manifest that names a file outside the root is refused, the file untouched', () => {
    const root = tree('{}\n');
    expect(runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]).code).toBe(10);
    const victim = path.join(path.dirname(root), `victim-${path.basename(root)}.txt`);
    fs.writeFileSync(victim, 'precious\n');
    const jdir = path.join(root, 'var/lib/ds-harden/journal');
    const id = fs.readdirSync(jdir)[0]!;
    const mf = path.join(jdir, id, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
    const backup = path.join(jdir, id, m.files[0].backup);
    fs.writeFileSync(backup, 'PWNED\n');
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    Object.assign(m.files[0], { path: victim, realPath: victim, sha256Before: sha('PWNED\n'), sha256After: sha('precious\n') });
    delete m.files[0].hostPath;
    fs.writeFileSync(mf, JSON.stringify(m));
    const r = runCli(['rollback', '--root', root, ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toContain('which is not below --root');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
  });
});

describe('a world-readable local.json that gets the secret', () => {
  it('is written 0640 with the ds group (no DSH400 introduced); rollback restores its old mode', () => {
    const root = makeRoot('v9.3.0', {
      [`${ETC_REL}/local.json`]: '{}\n',
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\nds:x:4711:4712::/var/www/onlyoffice:/usr/sbin/nologin\n',
      'etc/group': 'root:x:0:\nds:x:4712:\n',
    });
    const file = path.join(root, ETC_REL, 'local.json');
    fs.chmodSync(file, 0o644);
    const r = runCli(['apply', '--root', root, '--generate-secret', ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(10);
    expect(r.stdout).toMatch(/can be read by every user \(uid 0, gid 0, mode 0644\) and now gets the JWT secret: it is written with uid 0, gid 4712, mode 0640/);
    expect(r.stdout).not.toContain('introduces DSH400');
    const st = fs.statSync(file);
    expect([st.gid, st.mode & 0o777]).toEqual([4712, 0o640]);
    expect(runCli(['rollback', '--root', root, ...base]).code).toBe(0);
    const back = fs.statSync(file);
    expect([back.gid, back.mode & 0o777]).toEqual([0, 0o644]);
    expect(fs.readFileSync(file, 'utf8')).toBe('{}\n');
  });
});
