/**
 * Each deployment mode, on a tree written from its public sources (fixtures/installs/*, each README cites them): check
 * names the mode, finds the configuration directory and the service user from the service definition without flags,
 * reads the container environment with provenance, and every fix text speaks the mode's mechanism.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { installTree, procEnviron } from '../helpers/installs.js';
import { REPO } from '../helpers/context.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/probe.schema.json'), 'utf8')) as Record<string, unknown>);
const validReport = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/report.schema.json'), 'utf8')) as Record<string, unknown>);

interface Report {
  deployment: {
    kind: string;
    mechanism: string;
    label: string;
    configDir: { path: string; from: string };
    serviceUser: { name: string; from: string };
    managedBy?: { tool: string };
    app?: string;
    environment?: { name: string; value?: string; origin: { file: string; line: number; how: string }; via?: { name: string; file?: string; line?: number }[] }[];
  };
  layers: { file: string; kind: string }[];
  findings: { ruleId: string; severity: string; message: string; remediation: string; key?: string; location?: { file: string; line: number } }[];
}

/** check --format json; every report is checked against schemas/report.schema.json. */
function check(root: string, ...extra: string[]): { r: CliResult; report: Report } {
  const r = runCli(['check', '--root', root, '--format', 'json', ...extra]);
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as Report;
  expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
  return { r, report };
}

/** The JWT, secret and container-environment rules (DSH307, the document-password key, is not about JWT). */
const JWT_RULES = /^DSH(2\d\d|30[0-6]|90\d)$/;

/** Keys the official image's entrypoint rewrites from the environment at every start (run-document-server.sh:385-436). */
const OWNED = /^services\.CoAuthoring\.(token\.enable\.|secret\.(inbox|outbox|session|browser)\.string$|token\.(inbox|outbox)\.(header|inBody)$)/;

describe('deployment modes: detection without flags', () => {
  const cases: { name: string; kind: string; mechanism: string; dir: string; dirFrom: RegExp; user: string; userFrom: RegExp; label: RegExp }[] = [
    { name: 'compose-9.2', kind: 'compose', mechanism: 'docker', dir: '/etc/onlyoffice/documentserver', dirFrom: /the image/, user: 'ds', userFrom: /user=ds/, label: /Docker Compose: service onlyoffice-documentserver in \/docker-compose\.yml/ },
    { name: 'nixos-9.2', kind: 'nixos', mechanism: 'nixos', dir: '/run/onlyoffice/config', dirFrom: /2nd argument of onlyoffice-wrapper in ExecStart= of \/etc\/systemd\/system\/onlyoffice-docservice\.service/, user: 'onlyoffice', userFrom: /User= in \/etc\/systemd\/system\/onlyoffice-docservice\.service:17/, label: /NixOS module/ },
    { name: 'yunohost-9.3', kind: 'yunohost', mechanism: 'yunohost', dir: '/var/www/onlyoffice/config', dirFrom: /NODE_CONFIG_DIR in \/etc\/systemd\/system\/onlyoffice-docservice\.service:15/, user: 'onlyoffice', userFrom: /User= in \/etc\/systemd\/system\/onlyoffice-docservice\.service:9/, label: /YunoHost app onlyoffice/ },
    { name: 'snap-9.4', kind: 'snap', mechanism: 'snap', dir: '/var/snap/onlyoffice-ds/current/etc/onlyoffice/documentserver', dirFrom: /the snap/, user: 'root', userFrom: /no user=/, label: /snap onlyoffice-ds/ },
    { name: 'ansible-webarch-9.3', kind: 'package', mechanism: 'config-management', dir: '/etc/onlyoffice/documentserver', dirFrom: /^default$/, user: 'ds', userFrom: /^default$/, label: /deb package \(dpkg\), managed by Ansible/ },
    { name: 'service-custom-9.3', kind: 'service', mechanism: 'local-json', dir: '/opt/ds/config', dirFrom: /NODE_CONFIG_DIR in \/etc\/systemd\/system\/office\.service:13/, user: 'docs', userFrom: /User= in \/etc\/systemd\/system\/office\.service:8/, label: /systemd unit office\.service/ },
    { name: 'docker-9.2', kind: 'docker-image', mechanism: 'docker', dir: '/etc/onlyoffice/documentserver', dirFrom: /NODE_CONFIG_DIR in \/etc\/supervisor\/conf\.d\/ds-docservice\.conf:5/, user: 'ds', userFrom: /user= in \/etc\/supervisor\/conf\.d\/ds-docservice\.conf:4/, label: /official Docker image \(inside the container\)/ },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.kind}, ${c.dir}, runs as ${c.user}`, () => {
      const { report } = check(installTree(c.name));
      const d = report.deployment;
      expect(d.kind).toBe(c.kind);
      expect(d.mechanism).toBe(c.mechanism);
      expect(d.label).toMatch(c.label);
      expect(d.configDir.path).toBe(c.dir);
      expect(d.configDir.from).toMatch(c.dirFrom);
      expect(d.serviceUser.name).toBe(c.user);
      expect(d.serviceUser.from).toMatch(c.userFrom);
    });
  }

  it('names the mode at the top of the text report', () => {
    const r = runCli(['check', '--root', installTree('yunohost-9.3')]);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe('deployment: YunoHost app onlyoffice');
    expect(lines[2]).toContain('configuration directory /var/www/onlyoffice/config — NODE_CONFIG_DIR in /etc/systemd/system/onlyoffice-docservice.service:15');
    expect(lines[3]).toContain('DS runs as onlyoffice — User= in /etc/systemd/system/onlyoffice-docservice.service:9');
  });

  it('SARIF carries the mode in the run properties', () => {
    const r = runCli(['check', '--root', installTree('nixos-9.2'), '--format', 'sarif']);
    const run = (JSON.parse(r.stdout) as { runs: { properties: { deployment: Record<string, string> } }[] }).runs[0]!;
    expect(run.properties.deployment).toEqual({ kind: 'nixos', label: 'NixOS module services.onlyoffice (onlyoffice-docservice.service)', configDir: '/run/onlyoffice/config', serviceUser: 'onlyoffice' });
  });

  it('a NixOS default.json with the secret file set gives no JWT finding; without it, the fix is jwtSecretFile', () => {
    const withFile = check(installTree('nixos-9.2')).report;
    expect(withFile.findings.filter((f) => /^DSH2/.test(f.ruleId) || ['DSH300', 'DSH301', 'DSH302'].includes(f.ruleId))).toEqual([]);
    // DSH112 (hardening lives in default.json) does not apply: the module generates default.json at every start
    expect(withFile.findings.map((f) => f.ruleId)).not.toContain('DSH112');
    const root = installTree('nixos-9.2');
    const file = path.join(root, 'run/onlyoffice/config/default.json');
    fs.copyFileSync(path.join(REPO, '../shared/ds-configs/v9.2.0/server/default.json'), file);
    const without = check(root).report;
    const inbox = without.findings.find((f) => f.ruleId === 'DSH200')!;
    expect(inbox.remediation).toContain('services.onlyoffice.jwtSecretFile');
    expect(inbox.remediation).toContain('nixos-rebuild switch');
    expect(inbox.remediation).not.toContain('local.json');
  });

  it('the snap: snap set for the JWT secret, local.json for ipfilter, the snap default flagged', () => {
    const { report } = check(installTree('snap-9.4'), '--ds-version', '9.4.0');
    const secret = report.findings.find((f) => f.ruleId === 'DSH300')!;
    expect(secret.message).toContain('well-known placeholder');
    expect(secret.remediation).toMatch(/^Run: snap set onlyoffice-ds onlyoffice\.jwt-secret=</);
    const ip = report.findings.find((f) => f.ruleId === 'DSH500')!;
    expect(ip.remediation).toContain('/var/snap/onlyoffice-ds/current/etc/onlyoffice/documentserver/local.json (keep it pretty-printed, one key per line');
    expect(ip.remediation).toContain('snap restart onlyoffice-ds.documentserver');
  });

  it('YunoHost: the app settings for the secret, "no setting" for ipfilter', () => {
    const root = installTree('yunohost-9.3');
    const local = path.join(root, 'var/www/onlyoffice/config/local.json');
    fs.chmodSync(local, 0o644);
    fs.writeFileSync(local, fs.readFileSync(local, 'utf8').replace(/"Kd8sJ2mQ9xR4tL7vN1pZ5wB3cF6hG0yA"/g, '"secret"'));
    const { report } = check(root);
    const secret = report.findings.find((f) => f.ruleId === 'DSH300')!;
    expect(secret.remediation).toContain('yunohost app setting onlyoffice jwt_secret -v <');
    expect(secret.remediation).toContain('yunohost app upgrade onlyoffice --force');
    const readable = report.findings.find((f) => f.ruleId === 'DSH400')!;
    expect(readable.remediation).toBe('chown onlyoffice:onlyoffice /var/www/onlyoffice/config/local.json && chmod 400 /var/www/onlyoffice/config/local.json (what the app\'s install and upgrade scripts do).');
    const ip = report.findings.find((f) => f.ruleId === 'DSH500')!;
    expect(ip.remediation).toContain('The app has no setting for ipfilter.rules');
    expect(ip.remediation).toContain('every yunohost app upgrade re-renders local.json and drops it');
  });

  it('Ansible: change the variable in the playbook, with the exact keys; a chmod goes on the task', () => {
    const { report } = check(installTree('ansible-webarch-9.3'));
    expect(report.deployment.managedBy?.tool).toBe('Ansible');
    const ip = report.findings.find((f) => f.ruleId === 'DSH500')!;
    expect(ip.remediation).toContain('Ansible manages /etc/onlyoffice/documentserver/local.json');
    expect(ip.remediation).toContain('onlyoffice_local');
    expect(ip.remediation).toContain('services.CoAuthoring.ipfilter.rules = <');
    const perm = report.findings.find((f) => f.ruleId === 'DSH400')!;
    expect(perm.remediation).toContain('Set mode: "0640" and group ds on the task that writes /etc/onlyoffice/documentserver/local.json');
  });

  it('a custom unit: fix texts name its user, not ds', () => {
    const root = installTree('service-custom-9.3');
    fs.chmodSync(path.join(root, 'opt/ds/config/local.json'), 0o644);
    const { report } = check(root);
    const perm = report.findings.find((f) => f.ruleId === 'DSH400')!;
    expect(perm.remediation).toContain('chown root:docs /opt/ds/config/local.json && chmod 640 /opt/ds/config/local.json (or chown docs:docs /opt/ds/config/local.json)');
  });
});

describe('Docker: the environment as a layer, with provenance', () => {
  it('compose from the host: each key the entrypoint writes points at its compose line; the secret through .env', () => {
    const { report } = check(installTree('compose-9.2'));
    const env = report.deployment.environment!;
    expect(env.map((v) => [v.name, v.origin.file, v.origin.line])).toEqual([
      ['JWT_ENABLED', '/docker-compose.yml', 16],
      ['JWT_SECRET', '/docker-compose.yml', 17],
      ['JWT_HEADER', '/docker-compose.yml', 18],
    ]);
    expect(env[1]!.value).toBe('••••••(36 chars)');
    expect(env[1]!.via).toEqual([{ name: 'JWT_SECRET', file: '/.env', line: 2 }]);
    expect(report.layers.map((l) => l.kind)).toEqual(['image-stock', 'container-env']);
    // a strong secret, JWT on: no JWT or secret finding
    expect(report.findings.filter((f) => JWT_RULES.test(f.ruleId))).toEqual([]);
    const explain = runCli(['check', '--root', installTree('compose-9.2'), '--explain', 'services.CoAuthoring.token.enable.request.inbox']);
    expect(explain.stdout).toContain('/docker-compose.yml:16');
  });

  it('inside the container: /proc/1/environ is the layer after local.json; a JWT_ENABLED=false beats local.json', () => {
    const root = installTree('docker-9.2');
    procEnviron(root, { JWT_ENABLED: 'false', JWT_SECRET: 'Wq3Zr8Tn5Lm1Vb7Xc2Hd9Kp4Fs6Gj0YeUa' });
    const { report } = check(root);
    expect(report.layers.map((l) => l.file)).toEqual(['/etc/onlyoffice/documentserver/default.json', '/etc/onlyoffice/documentserver/production-linux.json', '/etc/onlyoffice/documentserver/local.json', '/proc/1/environ']);
    const off = report.findings.filter((f) => f.ruleId === 'DSH903');
    expect(off).toHaveLength(1);
    expect(off[0]!.location).toMatchObject({ file: '/proc/1/environ' });
    // DSH200-202 say the same at the same place: superseded
    expect(report.findings.filter((f) => ['DSH200', 'DSH201', 'DSH202'].includes(f.ruleId))).toEqual([]);
  });

  it('Nextcloud AIO through docker inspect: the variables at their Config.Env lines; its JWT settings are fine', () => {
    const root = installTree('aio-9.3');
    const { report } = check(root, '--docker-inspect', path.join(root, 'inspect.json'));
    expect(report.deployment.kind).toBe('docker-container');
    expect(report.deployment.label).toMatch(/^Nextcloud All-in-One container nextcloud-aio-onlyoffice/);
    const env = Object.fromEntries(report.deployment.environment!.map((v) => [v.name, v]));
    expect(env.JWT_HEADER).toMatchObject({ value: 'AuthorizationJwt', origin: { line: 12, how: 'Config.Env[2]' } });
    expect(report.findings.filter((f) => JWT_RULES.test(f.ruleId))).toEqual([]);
  });

  it('docker inspect output saved with a UTF-8 byte order mark (a Windows editor) is read like one without', () => {
    const root = installTree('aio-9.3');
    const file = path.join(root, 'inspect.json');
    fs.writeFileSync(file, '\uFEFF' + fs.readFileSync(file, 'utf8'));
    const { report } = check(root, '--docker-inspect', file);
    expect(report.deployment.kind).toBe('docker-container');
    const env = Object.fromEntries(report.deployment.environment!.map((v) => [v.name, v]));
    expect(env.JWT_HEADER).toMatchObject({ value: 'AuthorizationJwt', origin: { line: 12, how: 'Config.Env[2]' } });
  });

  it('--container NAME runs docker inspect here (a stand-in docker); an unknown name or no docker is a usage error', () => {
    const root = installTree('aio-9.3');
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, 'test/support/fake-docker.mjs')}" "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_DOCKER_INSPECT: path.join(root, 'inspect.json') };
    const r = runCli(['check', '--root', root, '--container', 'nextcloud-aio-onlyoffice', '--format', 'json'], { env });
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Report).deployment.label).toBe('Nextcloud All-in-One container nextcloud-aio-onlyoffice (docker inspect nextcloud-aio-onlyoffice)');
    const missing = runCli(['check', '--root', root, '--container', 'nope'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--container nope: docker inspect failed: Error: No such container: nope');
    const noDocker = runCli(['check', '--root', root, '--container', 'nextcloud-aio-onlyoffice'], { env: { PATH: '/nonexistent' } });
    expect(noDocker.code).toBe(2);
    expect(noDocker.stderr).toContain('docker is not installed on this machine. On the Docker host, save it with `docker inspect nextcloud-aio-onlyoffice > inspect.json` and pass --docker-inspect inspect.json');
  });

  it('no finding on a Docker tree tells the user to edit local.json for a key the entrypoint owns', () => {
    const trees: { root: string; args: string[] }[] = [];
    // the compose example with the upstream comment's values: JWT on with the literal "secret", ipfilter open
    const compose = installTree('compose-9.2');
    fs.writeFileSync(path.join(compose, '.env'), 'JWT_SECRET=secret\n');
    trees.push({ root: compose, args: [] });
    const inside = installTree('docker-9.2');
    procEnviron(inside, { JWT_ENABLED: 'false', JWT_HEADER: 'AuthorizationJwt' });
    trees.push({ root: inside, args: [] });
    const aio = installTree('aio-9.3');
    trees.push({ root: aio, args: ['--docker-inspect', path.join(aio, 'inspect.json')] });
    const owned: string[] = [];
    for (const t of trees) {
      const { report } = check(t.root, ...t.args);
      expect(report.findings.length).toBeGreaterThan(0);
      for (const f of report.findings) {
        // never "set … in local.json" / "edit local.json" in a Docker fix text
        expect(f.remediation, `${f.ruleId} ${f.key ?? ''}`).not.toMatch(/\b(in|into|edit|to) local\.json\b/);
        if (f.key && OWNED.test(f.key)) {
          owned.push(f.ruleId);
          expect(f.remediation, `${f.ruleId} ${f.key}`).not.toContain('local.json');
          expect(f.remediation, `${f.ruleId} ${f.key}`).toMatch(/JWT_(ENABLED|SECRET|HEADER)/);
        }
      }
    }
    expect(owned).toEqual(expect.arrayContaining(['DSH903', 'DSH904']));
  });
});
