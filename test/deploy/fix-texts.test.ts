/**
 * Every fix text fits the finding and the install it is printed for: the finding's own file instead of a <file>
 * placeholder, the way that install restarts DS, the keys its mechanism really has, no integrator named alone, and no
 * text that sends the user to do something there is no place for (local.json on NixOS, a mount on Nextcloud AIO).
 * Each install is a tree written from its public sources (fixtures/installs, test/helpers/installs.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ETC_REL, findingsOf, makeRoot, runCli, type JsonFinding } from '../helpers/cli.js';
import { installTree } from '../helpers/installs.js';
import { REPO } from '../helpers/context.js';
import { loadTarget } from '../../src/commands/target.js';
import { allRules } from '../../src/core/rules/index.js';
import { remedyFor } from '../../src/core/deploy/remedy.js';
import type { Deployment } from '../../src/core/deploy/types.js';

const LOCAL = `/${ETC_REL}/local.json`;
const rule = (id: string) => allRules.find((r) => r.id === id)!;

/** The deployment check detects for an install tree (as the CLI does, through the same loader). */
async function deploymentOf(name: string, extra: Record<string, string> = {}): Promise<Deployment> {
  const root = installTree(name);
  const opts = name === 'aio-9.3' ? { dockerInspect: path.join(root, 'inspect.json') } : name === 'snap-9.4' ? { dsVersion: '9.4.0' } : {};
  return (await loadTarget({ root, ...opts, ...extra }, root)).loaded.deployment;
}

function check(root: string, ...extra: string[]): JsonFinding[] {
  const r = runCli(['check', '--root', root, '--format', 'json', ...extra]);
  expect(r.stderr).toBe('');
  return findingsOf(r);
}

describe('fix texts name what the finding is about', () => {
  it('DSH111 for local.json itself (too big, too deep) says to rewrite it — never to move its settings into local.json', () => {
    const big = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: '{"x": "' + 'a'.repeat(5 * 1024 * 1024) + '"}' });
    let deep = '1';
    for (let i = 0; i < 600; i++) deep = `{"a": ${deep}}`;
    const nested = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: deep });
    for (const root of [big, nested]) {
      const f = check(root).find((x) => x.ruleId === 'DSH111')!;
      expect(f.location?.file).toBe(LOCAL);
      expect(f.remediation).toBe(
        `Rewrite ${LOCAL} as a flat JSON object of only the settings you change (DS's own default.json is a few KB and nests 6 levels): restore your backup ` +
          '(ds-harden history lists the ones apply made) and make your changes again; then restart ds-docservice and ds-converter.',
      );
    }
  });

  it('DSH111 for local.js and an unreadable service definition: what to do with that file, by name', () => {
    const js = check(makeRoot('v9.3.0', { [`${ETC_REL}/local.js`]: 'module.exports = {}' })).find((x) => x.ruleId === 'DSH111')!;
    expect(js.remediation).toBe(`Put what /${ETC_REL}/local.js sets into /${ETC_REL}/local.json as JSON (merged with what local.json already sets) and delete /${ETC_REL}/local.js; then restart ds-docservice and ds-converter.`);
    const root = makeRoot('v9.3.0');
    fs.mkdirSync(path.join(root, 'etc/supervisor/conf.d'), { recursive: true });
    execFileSync('mkfifo', [path.join(root, 'etc/supervisor/conf.d/ds.conf')]);
    const def = check(root).find((x) => x.ruleId === 'DSH111' && x.location?.file === '/etc/supervisor/conf.d/ds.conf')!;
    expect(def.remediation).toBe('Make /etc/supervisor/conf.d/ds.conf a regular file its service manager can read (or remove it, if it is a leftover), then run check again.');
  });

  it('DSH401 for a local.json that is a directory or a FIFO: replace it — no chown can make DS read it', () => {
    const dir = makeRoot('v9.3.0');
    fs.mkdirSync(path.join(dir, ETC_REL, 'local.json'));
    const fifo = makeRoot('v9.3.0');
    execFileSync('mkfifo', [path.join(fifo, ETC_REL, 'local.json')]);
    for (const root of [dir, fifo]) {
      const f = check(root).find((x) => x.ruleId === 'DSH401')!;
      expect(f.remediation).toBe(
        `Replace ${LOCAL} with a regular file holding your settings as a JSON object (restore your backup; ds-harden history lists the ones apply made) or remove it ` +
          '— DS skips a missing file, not an unreadable one. Then restart ds-docservice and ds-converter.',
      );
    }
  });

  it('DSH402 names the file: local.json (it holds the secrets) is given to DS\'s group, another file loses group and world write', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: '{}', [`${ETC_REL}/local-production-linux.json`]: '{}' });
    fs.chmodSync(path.join(root, ETC_REL, 'local.json'), 0o666);
    fs.chmodSync(path.join(root, ETC_REL, 'local-production-linux.json'), 0o664);
    const f = check(root).filter((x) => x.ruleId === 'DSH402');
    expect(Object.fromEntries(f.map((x) => [x.location!.file, x.remediation]))).toEqual({
      [LOCAL]: `chown root:ds ${LOCAL} && chmod 640 ${LOCAL} (or chown ds:ds ${LOCAL}).`,
      [`/${ETC_REL}/local-production-linux.json`]: `chmod go-w /${ETC_REL}/local-production-linux.json.`,
    });
  });

  it('DSH305 names the secret file, and the account DS runs as', () => {
    const root = installTree('service-custom-9.3');
    const local = path.join(root, 'opt/ds/config/local.json');
    const cfg = JSON.parse(fs.readFileSync(local, 'utf8'));
    cfg.services.CoAuthoring.secret = { inbox: { string: '', file: '/opt/ds/jwt.secret' }, outbox: { string: '', file: '/opt/ds/jwt.secret' }, session: { string: '', file: '/opt/ds/jwt.secret' } };
    fs.writeFileSync(local, JSON.stringify(cfg));
    fs.writeFileSync(path.join(root, 'opt/ds/jwt.secret'), 'Q7vD2mLx9PrT4sWz8KcB1nYh6GfJ3aQeU5tR\n', { mode: 0o644 });
    const f = check(root).find((x) => x.ruleId === 'DSH305')!;
    expect(f.remediation).toBe(
      "Write the secret without a newline (printf '%s' \"$SECRET\" > /opt/ds/jwt.secret), make it owned by root with group docs and mode 0640 " +
        '(chown root:docs /opt/ds/jwt.secret; chmod 0640 /opt/ds/jwt.secret), then systemctl restart office.service.',
    );
  });

  it('no finding of any install shows a placeholder ds-harden could have filled', () => {
    const trees: [string, string[]][] = [
      ['rpm-9.3', []],
      ['ansible-debian-9.3', []],
      ['ansible-webarch-9.3', []],
      ['yunohost-9.3', []],
      ['compose-9.2', []],
      ['docker-9.2', []],
      ['snap-9.4', ['--ds-version', '9.4.0']],
      ['nixos-9.2', []],
      ['service-custom-9.3', []],
    ];
    for (const [name, extra] of trees) {
      const root = installTree(name);
      // more findings: world-readable and writable config files
      for (const f of ['etc/onlyoffice/documentserver/local.json', 'opt/ds/config/local.json', 'var/www/onlyoffice/config/local.json']) if (fs.existsSync(path.join(root, f))) fs.chmodSync(path.join(root, f), 0o666);
      for (const f of check(root, ...extra)) {
        expect(f.remediation, `${name} ${f.ruleId}`).not.toMatch(/<file>|<version>|\{\w+\}/);
        if (name === 'service-custom-9.3') expect(f.remediation, `${name} ${f.ruleId}`).not.toMatch(/ds-docservice|root:ds\b|runuser -u ds\b/);
      }
    }
  });
});

describe('fix texts speak the install', () => {
  it('a custom unit, YunoHost, NixOS, the snap and the image: restart what runs DS there', async () => {
    const restart = async (name: string) => remedyFor(rule('DSH301'), await deploymentOf(name))!;
    expect(await restart('service-custom-9.3')).toContain('then systemctl restart office.service.');
    expect(remedyFor(rule('DSH100'), await deploymentOf('docker-9.2'))).toContain('then supervisorctl restart ds:converter ds:docservice.');
    expect(remedyFor(rule('DSH100'), await deploymentOf('nixos-9.2'))).toContain('then systemctl restart onlyoffice-converter.service onlyoffice-docservice.service.');
    expect(remedyFor(rule('DSH100'), await deploymentOf('snap-9.4'))).toContain('then snap restart onlyoffice-ds.documentserver.');
    // YunoHost: both units (the converter applies ipfilter to its downloads too)
    expect(remedyFor(rule('DSH307'), await deploymentOf('yunohost-9.3'))).toContain('(mode 0400, owner onlyoffice) and systemctl restart onlyoffice-converter.service onlyoffice-docservice.service;');
  });

  it('values that are known are written as values; one variable or option gets the words of the key it stands for', async () => {
    const snap = await deploymentOf('snap-9.4');
    expect(remedyFor(rule('DSH200'), snap)).toContain('snap set onlyoffice-ds onlyoffice.jwt-enabled=true onlyoffice.jwt-secret=<one random secret');
    expect(remedyFor(rule('DSH204'), snap)).toContain('snap set onlyoffice-ds onlyoffice.jwt-header=<the header the integrator sends its token in (default Authorization)>');
    const compose = await deploymentOf('compose-9.2');
    expect(remedyFor(rule('DSH204'), compose)).toContain('Set JWT_HEADER=<the header the integrator sends its token in (default Authorization)> in the environment of service onlyoffice-documentserver');
    expect(remedyFor(rule('DSH203'), compose)).toContain('Set JWT_ENABLED=true in the environment');
    expect(remedyFor(rule('DSH507'), await deploymentOf('ansible-webarch-9.3'))).toContain('services.CoAuthoring.ipfilter.errorcode = 403, and run it again');
  });

  it('ds-harden apply is offered only for the keys it writes', async () => {
    const compose = await deploymentOf('compose-9.2');
    expect(remedyFor(rule('DSH500'), compose)).toContain('ds-harden apply (--allow, --generate-secret, --header) makes this change in the compose file');
    expect(remedyFor(rule('DSH205'), compose)).not.toContain('ds-harden apply');
    const nixos = await deploymentOf('nixos-9.2');
    expect(remedyFor(rule('DSH500'), nixos)).toContain('(ds-harden apply prints the exact Nix lines)');
    expect(remedyFor(rule('DSH307'), nixos)).not.toContain('ds-harden apply');
  });

  it('NixOS has no local.json and no apt: the module\'s ways', async () => {
    const nixos = await deploymentOf('nixos-9.2');
    for (const id of ['DSH113', 'DSH120', 'DSH304', 'DSH305', 'DSH308']) {
      const text = remedyFor(rule(id), nixos)!;
      expect(text, id).not.toMatch(/local\.json|apt-get|dnf|ds-docservice/);
    }
    expect(remedyFor(rule('DSH304'), nixos)).toContain('services.onlyoffice.jwtSecretFile');
  });

  it('YunoHost: the secret is the app\'s setting, WOPI keys and other settings go into local.json again after each upgrade', async () => {
    const ynh = await deploymentOf('yunohost-9.3');
    expect(remedyFor(rule('DSH304'), ynh)).toContain('yunohost app setting onlyoffice jwt_secret');
    expect(remedyFor(rule('DSH308'), ynh)).toContain('set them again after each upgrade');
    expect(remedyFor(rule('DSH110'), ynh)).not.toMatch(/^Move the setting into local\.json/);
  });

  it('Nextcloud All-in-One: AIO sets the secret for both ends, and takes no mounts', async () => {
    const aio = await deploymentOf('aio-9.3');
    const secret = remedyFor(rule('DSH300'), aio)!;
    expect(secret).toContain('Nextcloud All-in-One sets JWT_SECRET from ONLYOFFICE_SECRET');
    expect(secret).not.toMatch(/Seafile|Give the integrator/);
    const ip = remedyFor(rule('DSH500'), aio)!;
    expect(ip).toContain('no supported place');
    expect(ip).not.toContain('mount it');
    expect(remedyFor(rule('DSH700'), aio)).toContain('update Nextcloud All-in-One from its interface');
  });

  it('apply on Nextcloud All-in-One prints AIO\'s own place for the secret, none for the rest, and no steps for a Nextcloud AIO already sets', () => {
    const root = installTree('aio-9.3');
    const r = runCli(['apply', '--root', root, '--docker-inspect', path.join(root, 'inspect.json'), '--allow', '10.0.0.5', '--generate-secret', '--rotate', '--header', 'Authorization', '--integrator', 'nextcloud']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("The secret: ONLYOFFICE_SECRET in the mastercontainer's configuration.json = <••••••(40 chars)>");
    expect(r.stdout).toContain("The header is AIO's own (JWT_HEADER=AuthorizationJwt, and Nextcloud set to match): it cannot be changed there.");
    expect(r.stdout).toContain('ipfilter.rules: no supported place in AIO');
    expect(r.stdout).not.toMatch(/mounted read-only|environment:|docker run|do this too|not given with --compose/);
  });

  it('check, which cannot know the integrator, names every integrator\'s place — never one alone, never a secret on a command line', async () => {
    for (const name of ['rpm-9.3', 'compose-9.2', 'snap-9.4', 'nixos-9.2', 'yunohost-9.3']) {
      const text = remedyFor(rule('DSH300'), await deploymentOf(name))!;
      expect(text, name).toContain('Give the integrator the same secret, in its ONLYOFFICE settings (Nextcloud, ownCloud: the ONLYOFFICE app\'s "Secret key"; Seafile: ONLYOFFICE_JWT_SECRET in seahub_settings.py).');
      expect(text, name).not.toContain('occ config:app:set');
    }
  });
});

describe('messages say it once', () => {
  it('DSH904: the weakness of JWT_SECRET, without repeating itself', () => {
    const cases: [string, string][] = [
      ['secret', 'is the public default "secret". It becomes'],
      ['changeme', 'is a well-known placeholder (8 characters). It becomes'],
      ['short1', 'is 6 characters long; use at least 32. It becomes'],
    ];
    for (const [value, said] of cases) {
      const root = installTree('compose-9.2');
      fs.writeFileSync(path.join(root, '.env'), `JWT_SECRET=${value}\n`);
      const f = check(root).find((x) => x.ruleId === 'DSH904')!;
      expect(f.message, value).toContain(`JWT_SECRET (/docker-compose.yml:17) ${said}`);
      expect(f.message, value).not.toMatch(/: it is/);
    }
  });
});

void REPO;
