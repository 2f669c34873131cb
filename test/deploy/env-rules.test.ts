/** The pure pieces of the Docker environment: compose-go's dotenv and interpolation rules, the entrypoint's evaluation. */
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/core/deploy/dotenv.js';
import { interpolate } from '../../src/core/deploy/interpolate.js';
import { evaluateEntrypoint, jsLiteral, jsSingleQuoted } from '../../src/core/deploy/entrypoint.js';
import { intendedVariable } from '../../src/core/rules/deploy/support.js';
import { parsePortSpec } from '../../src/core/deploy/compose.js';
import { systemdEnvs, supervisorEnvs, wrapperEnv } from '../../src/core/ds/service-defs.js';
import { V } from '../../src/core/ds/versions.js';
import type { EnvVar } from '../../src/core/deploy/types.js';

const vars = (o: Record<string, string>) => (n: string) => o[n];

describe('interpolate (compose-go template rules)', () => {
  it.each([
    ['${A}', { A: 'x' }, 'x'],
    ['$A-$B', { A: '1', B: '2' }, '1-2'],
    ['${A:-def}', {}, 'def'],
    ['${A:-def}', { A: '' }, 'def'],
    ['${A-def}', { A: '' }, ''],
    ['${A:+alt}', { A: 'x' }, 'alt'],
    ['${A:+alt}', { A: '' }, ''],
    ['${A+alt}', { A: '' }, 'alt'],
    ['${A:-${B}}', { B: 'nested' }, 'nested'],
    ['$$A', { A: 'x' }, '$A'],
    ['a $ b', {}, 'a $ b'],
    ['${MISSING}', {}, ''],
  ])('%s → %s', (text, env, want) => {
    expect(interpolate(text, vars(env as Record<string, string>)).value).toBe(want);
  });
  it('reports the unset variables it used and a required one that is missing', () => {
    expect(interpolate('${A}${B}', vars({ A: '1' })).used).toEqual([{ name: 'A' }, { name: 'B', unset: true }]);
    expect(interpolate('${A:?set A first}', vars({})).error).toBe('required variable A is missing a value: set A first');
    expect(interpolate('${}', vars({})).error).toMatch(/has no variable name/);
  });
});

describe('parseDotenv (compose-go dotenv/parser.go rules)', () => {
  it('quotes, comments, export, KEY: value, escapes, interpolation, lines', () => {
    const text = [
      '# comment',
      'export A=plain value  # cut here',
      'B="double \\n quoted"',
      "C='single \\n ${A}'",
      'D: yaml style',
      'E=${A}-x',
      'F="multi',
      'line"',
      'G=a#not-a-comment',
      'H',
      'I=  leading',
    ].join('\n');
    const r = parseDotenv(text, vars({ H: 'from env' }));
    expect(r.error).toBeUndefined();
    const m = Object.fromEntries(r.entries.map((e) => [e.name, [e.value, e.line]]));
    expect(m).toEqual({
      A: ['plain value', 2],
      B: ['double \n quoted', 3],
      C: ['single \\n ${A}', 4],
      D: ['yaml style', 5],
      E: ['plain value-x', 6],
      F: ['multi\nline', 7],
      G: ['a#not-a-comment', 9],
      H: ['from env', 10],
      I: ['leading', 11],
    });
  });
  it('errors name the line: a space in a name, an unterminated quote, a bad character', () => {
    expect(parseDotenv('A=1\nBAD NAME=2\n').error).toMatchObject({ line: 2, message: 'key cannot contain a space' });
    expect(parseDotenv('A="open\n').error).toMatchObject({ line: 1, message: expect.stringContaining('unterminated quoted value') });
    expect(parseDotenv('A$=1\n').error).toMatchObject({ line: 1, message: expect.stringContaining('unexpected character "$"') });
  });
});

const env = (o: Record<string, string>): Map<string, EnvVar> =>
  new Map(Object.entries(o).map(([name, value], i) => [name, { name, value, origin: { file: '/c.yml', line: i + 1, column: 9, how: 'environment list item' } }]));

describe('the entrypoint (Docker-DocumentServer run-document-server.sh)', () => {
  const w = (r: ReturnType<typeof evaluateEntrypoint>) => Object.fromEntries(r.writes.map((x) => [x.key, x.value]));
  it('JWT_ENABLED: only the exact string true enables JWT (since 7.1)', () => {
    for (const [v, want] of [['true', true], ['false', false], ['True', false], ['1', false], ['"true"', false], [' true', false]] as const) {
      expect(w(evaluateEntrypoint({ env: env({ JWT_ENABLED: v }) }))['services.CoAuthoring.token.enable.request.inbox'], v).toBe(want);
    }
  });
  it('defaults by image version: secret generated (32/20) or the literal "secret", JWT on since 7.2', () => {
    expect(evaluateEntrypoint({ env: env({}) }).generated.find((g) => g.variable === 'JWT_SECRET')?.length).toBe(32);
    expect(evaluateEntrypoint({ env: env({}), version: V('7.2.2') }).generated.find((g) => g.variable === 'JWT_SECRET')?.length).toBe(20);
    const old = w(evaluateEntrypoint({ env: env({ JWT_ENABLED: 'true' }), version: V('7.1.1') }));
    expect(old['services.CoAuthoring.secret.inbox.string']).toBe('secret');
    expect(w(evaluateEntrypoint({ env: env({}), version: V('7.1.1') }))['services.CoAuthoring.token.enable.browser']).toBe(false);
    // before 7.1 nothing JWT is written unless JWT_ENABLED is exactly true
    expect(w(evaluateEntrypoint({ env: env({ JWT_ENABLED: 'yes' }), version: V('7.0.0') }))).not.toHaveProperty('services.CoAuthoring.token.enable.browser');
  });
  it('a quote in the secret makes the write fail; escapes are interpreted', () => {
    const r = evaluateEntrypoint({ env: env({ JWT_SECRET: "it's" }) });
    expect(r.failed.map((f) => f.key)).toContain('services.CoAuthoring.secret.inbox.string');
    expect(jsSingleQuoted('a\\nb').ok && jsSingleQuoted('a\\nb')).toEqual({ ok: true, value: 'a\nb' });
    expect(jsSingleQuoted('ends\\').ok).toBe(false);
    expect(jsLiteral('"true"')).toEqual({ ok: true, value: 'true' });
    expect(jsLiteral('yes').ok).toBe(false);
  });
  it('USE_UNAUTHORIZED_STORAGE and ALLOW_* are one way; ONLYOFFICE_DATA_CONTAINER_HOST stops every write', () => {
    expect(w(evaluateEntrypoint({ env: env({ USE_UNAUTHORIZED_STORAGE: 'true' }) }))['services.CoAuthoring.requestDefaults.rejectUnauthorized']).toBe(false);
    expect(w(evaluateEntrypoint({ env: env({ USE_UNAUTHORIZED_STORAGE: 'true' }), localValue: () => true }))).not.toHaveProperty('services.CoAuthoring.requestDefaults.rejectUnauthorized');
    expect(w(evaluateEntrypoint({ env: env({ ALLOW_PRIVATE_IP_ADDRESS: 'false' }) }))).not.toHaveProperty('services.CoAuthoring.request-filtering-agent.allowPrivateIPAddress');
    expect(w(evaluateEntrypoint({ env: env({ ALLOW_PRIVATE_IP_ADDRESS: 'true' }) }))['services.CoAuthoring.request-filtering-agent.allowPrivateIPAddress']).toBe(true);
    expect(w(evaluateEntrypoint({ env: env({ ALLOW_PRIVATE_IP_ADDRESS: 'true' }), version: V('7.3.3') }))).not.toHaveProperty('services.CoAuthoring.request-filtering-agent.allowPrivateIPAddress');
    expect(evaluateEntrypoint({ env: env({ ONLYOFFICE_DATA_CONTAINER_HOST: 'data' }) }).active).toBe(false);
  });
});

describe('misspelt variable names', () => {
  it.each([
    ['JWT-SECRET', 'JWT_SECRET'],
    ['jwt_secret', 'JWT_SECRET'],
    ['JWT_KEY', 'JWT_SECRET'],
    ['JWT_SECRET_KEY', 'JWT_SECRET'],
    ['JWT_SECERT', 'JWT_SECRET'],
    ['JWT_ENABLE', 'JWT_ENABLED'],
    ['JWT-HEADER', 'JWT_HEADER'],
    ['ALLOW_PRIVATE_IP_ADRESS', 'ALLOW_PRIVATE_IP_ADDRESS'],
  ])('%s → %s', (name, want) => expect(intendedVariable(name)).toBe(want));
  it.each(['JWT_SECRET', 'DB_HOST', 'JWT_SECRET_FILE', 'AMQP_URI', 'NODE_EXTRA_CA_CERTS'])('%s is not a misspelling', (name) => expect(intendedVariable(name)).toBeUndefined());
});

describe('service definitions under any name', () => {
  it('systemd: User=, ExecStart=, Environment= of a unit that runs DocService; the NixOS wrapper gives NODE_CONFIG_DIR', () => {
    const unit = '[Service]\nUser=docs\nExecStart=/opt/ds/server/DocService/docservice\nEnvironment="NODE_CONFIG_DIR=/opt/ds/config"\n';
    expect(systemdEnvs('/etc/systemd/system/office.service', unit, 'office.service')[0]).toMatchObject({ user: 'docs', userLine: 2, env: { NODE_CONFIG_DIR: '/opt/ds/config' } });
    expect(systemdEnvs('/etc/systemd/system/x.service', '[Service]\nExecStart=/usr/bin/nginx\n', 'x.service')).toEqual([]);
    const nix = '[Service]\nExecStart=/nix/store/abc-onlyoffice-wrapper/bin/onlyoffice-wrapper DocService/docservice /run/onlyoffice/config\nUser=onlyoffice\n';
    expect(systemdEnvs('/etc/systemd/system/onlyoffice-docservice.service', nix, 'onlyoffice-docservice.service')[0]).toMatchObject({ env: { NODE_CONFIG_DIR: '/run/onlyoffice/config', NODE_ENV: 'production-linux' }, user: 'onlyoffice' });
    expect(wrapperEnv('/bin/sh -c exec')).toBeUndefined();
  });
  it('supervisor: a program without user= runs as root; its command decides, not its name', () => {
    const conf = '[program:office]\ncommand=node /snap/x/var/www/onlyoffice/documentserver/server/DocService/sources/server.js\nenvironment=NODE_CONFIG_DIR=/var/snap/x/etc\n';
    const [s] = supervisorEnvs('/x.conf', conf);
    expect(s).toMatchObject({ service: 'office', env: { NODE_CONFIG_DIR: '/var/snap/x/etc' } });
    expect(s!.user).toBeUndefined();
  });
  it('ports: compose short syntax with and without host address', () => {
    expect(parsePortSpec('80:80')).toEqual([{ hostIp: '', hostPort: '80', containerPort: 80 }]);
    expect(parsePortSpec('127.0.0.1:8080:80/tcp')).toEqual([{ hostIp: '127.0.0.1', hostPort: '8080', containerPort: 80 }]);
    expect(parsePortSpec('[::1]:8443:443')).toEqual([{ hostIp: '::1', hostPort: '8443', containerPort: 443 }]);
    expect(parsePortSpec('8000')).toEqual([{ hostIp: '', hostPort: '', containerPort: 8000 }]);
  });
});
