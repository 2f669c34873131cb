/**
 * apply on a Docker Compose deployment (fixtures/installs/compose-9.2, the official example): a format-preserving edit of
 * the compose file, the secret kept out of it on request, the ipfilter file and its mount, validation, the journal and
 * rollback; docker compose itself is a stand-in (test/support/fake-docker.mjs) since no Docker engine runs here. And the
 * installs whose mechanism ds-harden does not write: refused with the exact change printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, findingsOf, makeRoot, runCli, runCliAsync } from '../helpers/cli.js';
import { installTree } from '../helpers/installs.js';
import { REPO } from '../helpers/context.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

const validResult = new Ajv2020({ strict: false }).compile(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/apply-result.schema.json'), 'utf8')) as Record<string, unknown>);

const SECRET = 'Zr4Tq8Wm2Xn6Bv1Kc9Lp3Jd7Fs5Hg0YeUa';
const COMPOSE = (root: string) => path.join(root, 'docker-compose.yml');
const read = (p: string) => fs.readFileSync(p, 'utf8');
const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

/** A PATH with the docker stand-in first. */
function fakeDockerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = makeRoot(undefined);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, 'test/support/fake-docker.mjs')}" "$@"\n`, { mode: 0o755 });
  return { PATH: `${bin}:${process.env.PATH}`, FAKE_DOCKER_LOG: path.join(dir, 'docker.log'), ...extra };
}
const dockerCalls = (env: Record<string, string>) =>
  fs.existsSync(env.FAKE_DOCKER_LOG!) ? read(env.FAKE_DOCKER_LOG!).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; secretInEnv: boolean }) : [];

/** The secret file lives outside the tree (nothing of the test in the tree apply works on). */
const SECRET_FILE = path.join(makeRoot(undefined), 'jwt.secret');
fs.writeFileSync(SECRET_FILE, SECRET + '\n', { mode: 0o600 });
const applyArgs = (root: string, args: string[]) => ['apply', '--root', root, '--allow', '10.0.0.5', '--secret-file', SECRET_FILE, '--header', 'AuthorizationJwt', ...args];

function apply(root: string, args: string[], env: Record<string, string> = {}) {
  return runCli(applyArgs(root, args), { env });
}

/** The original lines in order are all still there, except the ones named; returns the lines that are new. */
function addedLines(before: string, after: string, removed: readonly string[]): string[] {
  const a = before.split('\n').filter((l) => !removed.includes(l));
  const b = after.split('\n');
  let j = 0;
  const added: string[] = [];
  for (const line of b) {
    if (j < a.length && line === a[j]) j++;
    else added.push(line);
  }
  expect(j, 'every original line kept, in order').toBe(a.length);
  return added;
}

describe('apply --compose (Docker Compose from the host)', () => {
  it('dry run: the diff of each file, the secret masked, nothing written', () => {
    const root = installTree('compose-9.2');
    const before = read(COMPOSE(root));
    const r = apply(root, ['--dry-run', '--jwt-env-file']);
    expect(r.code).toBe(10);
    expect(r.stdout).toContain('deployment: Docker Compose: service onlyoffice-documentserver in /docker-compose.yml');
    expect(r.stdout).toContain('+++ /onlyoffice-jwt.env');
    expect(r.stdout).toContain('-      - JWT_SECRET=${JWT_SECRET}');
    expect(r.stdout).toContain('+    env_file:');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(read(COMPOSE(root))).toBe(before);
    expect(fs.existsSync(path.join(root, 'onlyoffice-jwt.env'))).toBe(false);
  });

  it('a file it would create or edit is a symbolic link to nothing: refused (exit 4) naming the link and its target, nothing created', () => {
    for (const [name, args] of [
      ['onlyoffice-jwt.env', ['--jwt-env-file']],
      ['local-production-linux.json', []],
    ] as const) {
      const root = installTree('compose-9.2');
      const before = read(COMPOSE(root));
      fs.mkdirSync(path.join(root, 'srv'));
      fs.symlinkSync(`/srv/${name}`, path.join(root, name));
      const r = apply(root, [...args]);
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stdout).toContain(`/${name} is a symbolic link to /srv/${name}, which does not exist: a write would create /srv/${name}. Nothing was written.`);
      expect(fs.existsSync(path.join(root, 'srv', name))).toBe(false);
      expect(read(COMPOSE(root))).toBe(before);
    }
  });

  it('--jwt-env-file: byte-exact outside the edited keys, comments kept, the secret only in a 0600 env_file; idempotent', () => {
    const root = installTree('compose-9.2');
    const before = read(COMPOSE(root));
    const env = fakeDockerEnv({ FAKE_DOCKER_SECRET: SECRET });
    const r = apply(root, ['--jwt-env-file'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(10);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const after = read(COMPOSE(root));
    const added = addedLines(before, after, ['      - JWT_SECRET=${JWT_SECRET}', '      - JWT_HEADER=Authorization']);
    expect(added).toEqual([
      '      - JWT_HEADER=AuthorizationJwt',
      '       - ./local-production-linux.json:/etc/onlyoffice/documentserver/local-production-linux.json:ro',
      '    env_file:',
      '      - ./onlyoffice-jwt.env',
    ]);
    expect(after).toContain('      # Uncomment strings below to enable the JSON Web Token validation.');
    expect(after).toContain("    image: onlyoffice/documentserver:9.2.0 #[-de,-ee]");
    expect(after).not.toContain(SECRET);
    const envFile = path.join(root, 'onlyoffice-jwt.env');
    expect(modeOf(envFile)).toBe(0o600);
    expect(read(envFile)).toMatch(new RegExp(`^JWT_SECRET=${SECRET}$`, 'm'));
    const lpl = path.join(root, 'local-production-linux.json');
    expect(modeOf(lpl)).toBe(0o644);
    expect(JSON.parse(read(lpl)).services.CoAuthoring.ipfilter.rules.map((x: { address: string }) => x.address)).toEqual(['10.0.0.5', '127.0.0.1', '0:0:0:0:0:0:0:1', '*']);
    // docker compose (the stand-in) validated the result; no restart without --compose-up; no secret in its environment
    const calls = dockerCalls(env);
    expect(calls.map((c) => c.argv.slice(-2).join(' '))).toEqual(['compose version', 'config -q']);
    expect(calls.some((c) => c.secretInEnv)).toBe(false);
    expect(r.stdout).toContain('the running container keeps its old settings until it is re-created: docker compose -f docker-compose.yml up -d onlyoffice-documentserver');
    // what check reads now: the env_file line, the mounted file deciding ipfilter, nothing left to fix in JWT or ipfilter
    const c = runCli(['check', '--root', root, '--format', 'json']);
    const report = JSON.parse(c.stdout) as { deployment: { environment: { name: string; origin: { file: string; line: number } }[] } };
    expect(report.deployment.environment.find((v) => v.name === 'JWT_SECRET')!.origin).toMatchObject({ file: '/onlyoffice-jwt.env', line: 2 });
    expect(findingsOf(c).filter((f) => /^DSH(1\d\d|2\d\d|30[0-6]|5\d\d|9\d\d)$/.test(f.ruleId) && f.ruleId !== 'DSH520')).toEqual([]);
    // a second run changes nothing
    const snapshot = [COMPOSE(root), envFile, lpl].map(read);
    const again = apply(root, ['--jwt-env-file', '--json'], env);
    expect(again.code).toBe(0);
    expect(validResult(JSON.parse(again.stdout)), JSON.stringify(validResult.errors)).toBe(true);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'no-change', deployment: { kind: 'compose', mechanism: 'docker' } });
    const againText = apply(root, ['--jwt-env-file'], env);
    expect(againText.stdout).toContain('nothing to change');
    expect([COMPOSE(root), envFile, lpl].map(read)).toEqual(snapshot);
  });

  it('without --jwt-env-file a secret that comes from .env through ${JWT_SECRET} stays in .env (its line rewritten)', () => {
    const root = installTree('compose-9.2');
    const before = read(COMPOSE(root));
    const r = apply(root, []);
    expect(r.code).toBe(10);
    const dotenv = read(path.join(root, '.env'));
    expect(dotenv.split('\n')[0]).toBe('# interpolated into docker-compose.yml (docker compose reads .env of the project directory)');
    expect(dotenv.split('\n')[1]).toBe(`JWT_SECRET=${SECRET}`);
    expect(read(COMPOSE(root))).not.toContain(SECRET);
    expect(addedLines(before, read(COMPOSE(root)), ['      - JWT_HEADER=Authorization'])).toEqual([
      '      - JWT_HEADER=AuthorizationJwt',
      '       - ./local-production-linux.json:/etc/onlyoffice/documentserver/local-production-linux.json:ro',
    ]);
  });

  it('a literal secret in map syntax is replaced in place; --jwt-env-file moves it out even when it stays', () => {
    const root = installTree('compose-9.2');
    const file = COMPOSE(root);
    const text = read(file);
    const env = /    environment:\n((?: {6}[-#].*\n)+)/.exec(text)![0];
    fs.writeFileSync(file, text.replace(env, `    environment:\n      DB_TYPE: postgres   # the database\n      JWT_ENABLED: "true"\n      JWT_SECRET: "${SECRET}"\n      JWT_HEADER: AuthorizationJwt\n`));
    const moved = apply(root, ['--jwt-env-file']);
    expect(moved.code).toBe(10);
    expect(moved.stdout).toContain('JWT_SECRET moves from /docker-compose.yml:11 into the env_file (its value stays)');
    expect(read(file)).not.toContain(SECRET);
    expect(read(file)).toContain('      DB_TYPE: postgres   # the database\n      JWT_ENABLED: "true"\n      JWT_HEADER: AuthorizationJwt\n');
  });

  it('check suggests the apply command for the compose file, and it runs as printed', () => {
    const root = installTree('compose-9.2');
    fs.writeFileSync(COMPOSE(root), read(COMPOSE(root)).replace('- JWT_ENABLED=true', '- JWT_ENABLED=false'));
    const c = JSON.parse(runCli(['check', '--root', root, '--format', 'json']).stdout) as { findings: { ruleId: string }[] };
    expect(c.findings.map((f) => f.ruleId)).toContain('DSH903');
    const text = runCli(['check', '--root', root]).stdout;
    const cmd = /^ {2}(ds-harden apply .*)$/m.exec(text)![1]!;
    expect(cmd).toBe(`ds-harden apply --allow '<integrator IP>' --generate-secret --header Authorization --dry-run --root ${root}`.replace("'<integrator IP>'", '<integrator IP>'));
    const args = cmd.replace('<integrator IP>', '10.0.0.5').split(' ').slice(1);
    const r = runCli(args);
    expect(r.code).toBe(10);
    expect(r.stdout).toContain('-      - JWT_ENABLED=false');
    expect(r.stdout).toContain('+      - JWT_ENABLED=true');
    expect(r.stdout).toContain('resolves: DSH500, DSH903');
  });

  it('a local.json bind-mounted over the container\'s: refused, naming the mount (the variables would change nothing)', () => {
    const root = installTree('compose-9.2');
    fs.writeFileSync(COMPOSE(root), read(COMPOSE(root)).replace('       - /usr/share/fonts\n', '       - /usr/share/fonts\n       - ./local.json:/etc/onlyoffice/documentserver/local.json\n'));
    fs.writeFileSync(path.join(root, 'local.json'), '{}\n');
    const r = apply(root, ['--dry-run']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/\/docker-compose\.yml:38:\d+: \/local\.json is bind-mounted over the container's local\.json/);
  });

  it('rollback restores every file byte for byte and removes the new ones', () => {
    const root = installTree('compose-9.2');
    const before = read(COMPOSE(root));
    expect(apply(root, ['--jwt-env-file']).code).toBe(10);
    const rb = runCli(['rollback', '--root', root]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain('re-create the container so it gets them back');
    expect(read(COMPOSE(root))).toBe(before);
    expect(fs.existsSync(path.join(root, 'onlyoffice-jwt.env'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'local-production-linux.json'))).toBe(false);
  });

  describe('--compose-up (with the docker stand-in)', () => {
    let server: http.Server;
    let url = '';
    beforeAll(async () => {
      server = http.createServer((_q, s) => s.end('true'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthcheck`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('re-creates the service, probes the healthcheck, commits', async () => {
      const root = installTree('compose-9.2');
      const env = fakeDockerEnv();
      const r = await runCliAsync(applyArgs(root, ['--jwt-env-file', '--compose-up', '--health-url', url]), { env });
      expect(r.code).toBe(10);
      expect(r.stdout).toContain('onlyoffice-documentserver restarted and healthy');
      expect(dockerCalls(env).map((c) => c.argv.slice(-3).join(' '))).toContain('up -d onlyoffice-documentserver');
    });

    it('a failed re-creation restores every file and re-creates the container from them (exit 20)', () => {
      const root = installTree('compose-9.2');
      const before = read(COMPOSE(root));
      const env = fakeDockerEnv({ FAKE_DOCKER_UP_FAIL: '1', FAKE_DOCKER_FAIL_WHILE: 'onlyoffice-jwt.env' });
      const r = apply(root, ['--jwt-env-file', '--compose-up', '--health-url', url], env);
      expect(r.code).toBe(20);
      expect(r.stdout).toContain('failed: docker compose up -d onlyoffice-documentserver failed: container onlyoffice-documentserver is unhealthy');
      expect(read(COMPOSE(root))).toBe(before);
      expect(fs.existsSync(path.join(root, 'onlyoffice-jwt.env'))).toBe(false);
      expect(dockerCalls(env).filter((c) => c.argv.includes('up')).length).toBe(2);
    });

    it('Ctrl-C while the healthcheck is awaited: every file restored, the container re-created from them (exit 20)', async () => {
      const hang = http.createServer(() => undefined); // accepts, never answers
      await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
      try {
        const root = installTree('compose-9.2');
        const before = read(COMPOSE(root));
        const env = fakeDockerEnv();
        const args = applyArgs(root, ['--jwt-env-file', '--compose-up', '--health-url', `http://127.0.0.1:${(hang.address() as { port: number }).port}/healthcheck`, '--health-timeout', '60']);
        const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
        for (let i = 0; i < 400 && !out.includes('probing the healthcheck'); i++) await new Promise((r) => setTimeout(r, 50));
        expect(out).toContain('probing the healthcheck');
        child.kill('SIGINT');
        expect(await done, out).toBe(20);
        expect(out).toContain('SIGINT: rolling back, please wait');
        expect(out).toContain('interrupted by SIGINT');
        expect(read(COMPOSE(root))).toBe(before);
        expect(fs.existsSync(path.join(root, 'onlyoffice-jwt.env'))).toBe(false);
        expect(dockerCalls(env).filter((c) => c.argv.includes('up')).length).toBe(2);
      } finally {
        hang.closeAllConnections();
        hang.close();
      }
    });

    it('without docker compose on this machine: written, the restart skipped and said so', () => {
      const root = installTree('compose-9.2');
      const r = apply(root, ['--compose-up'], { PATH: '/nonexistent' });
      expect(r.code).toBe(10);
      expect(r.stdout).toMatch(/docker (compose \(the Compose v2 plugin\) )?is not installed on this machine: onlyoffice-documentserver was not re-created\. On the Docker host run: docker compose -f \/docker-compose\.yml up -d onlyoffice-documentserver/);
    });
  });
});

describe('installs whose mechanism ds-harden does not write: refused, with the exact change', () => {
  const unchanged = (root: string, run: () => ReturnType<typeof runCli>) => {
    const snap = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'var' && dir === root ? [] : snap(path.join(dir, e.name))) : [`${path.join(dir, e.name)}:${read(path.join(dir, e.name))}`]));
    const before = snap(root);
    const r = run();
    expect(snap(root)).toEqual(before);
    return r;
  };

  it('the snap: snap set and the local.json fragment, exit 4', () => {
    const root = installTree('snap-9.4');
    const r = unchanged(root, () => apply(root, ['--ds-version', '9.4.0']));
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('make this change instead:');
    expect(r.stdout).toContain(`snap set onlyoffice-ds onlyoffice.jwt-header=AuthorizationJwt onlyoffice.jwt-secret="$(cat ${SECRET_FILE})"`);
    expect(r.stdout).toContain('snap restart onlyoffice-ds.documentserver');
    expect(r.stdout).not.toContain(SECRET);
  });

  it('NixOS: the jwtSecretFile option and the Nix lines for the rest, exit 4', () => {
    const root = installTree('nixos-9.2');
    const r = unchanged(root, () => apply(root, []));
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('services.onlyoffice.jwtSecretFile = "/run/keys/onlyoffice-jwt";');
    expect(r.stdout).toContain('systemd.services.onlyoffice-docservice.serviceConfig.ExecStartPre = lib.mkAfter [');
    expect(r.stdout).toContain(`.services.CoAuthoring.ipfilter.rules = [{"address":"10.0.0.5","allowed":true},{"address":"127.0.0.1","allowed":true},{"address":"0:0:0:0:0:0:0:1","allowed":true},{"address":"*","allowed":false}]`);
    expect(r.stdout).toContain('# then: nixos-rebuild switch');
    const json = JSON.parse(apply(root, ['--json']).stdout) as { outcome: string; refusals: { code: string }[]; modeChange: { mechanism: string; text: string } };
    expect(validResult(json), JSON.stringify(validResult.errors)).toBe(true);
    expect(json).toMatchObject({ outcome: 'refused', refusals: [{ code: 'mode-mechanism' }], modeChange: { mechanism: 'nixos' } });
  });

  it('inside the official image: the environment lines and the mount, exit 4; Ansible: the variable, exit 4', () => {
    const docker = installTree('docker-9.2');
    const r = unchanged(docker, () => apply(docker, []));
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`JWT_SECRET=<the secret in ${SECRET_FILE}>`);
    expect(r.stdout).toContain('mounted read-only at /etc/onlyoffice/documentserver/local-production-linux.json');
    const ansible = installTree('ansible-webarch-9.3');
    const a = unchanged(ansible, () => apply(ansible, []));
    expect(a.code).toBe(4);
    expect(a.stdout).toContain('onlyoffice_local_json:');
    expect(a.stdout).toContain('            - address: 10.0.0.5');
  });
});

describe('the notes and the integrator part speak the install', () => {
  const jwtOffCompose = () => {
    const root = installTree('compose-9.2');
    fs.writeFileSync(COMPOSE(root), read(COMPOSE(root)).replace('JWT_ENABLED=true', 'JWT_ENABLED=false'));
    return root;
  };
  const stockNixos = () => {
    const root = installTree('nixos-9.2');
    fs.copyFileSync(path.join(REPO, '../shared/ds-configs/v9.2.0/server/default.json'), path.join(root, 'run/onlyoffice/config/default.json'));
    return root;
  };

  it('--allow alone on a Compose service with JWT off: JWT stays off, and what turns it on there (no local.json, no occ)', () => {
    const r = runCli(['apply', '--root', jwtOffCompose(), '--allow', '10.0.0.5', '--dry-run']);
    expect(r.code, r.stderr).toBe(10);
    const note = r.stdout.split('\n').find((l) => l.startsWith('note: JWT stays off'));
    expect(note).toBe(
      'note: JWT stays off: JWT_ENABLED is not exactly true, so DS accepts API requests and editor sessions without a token — ipfilter does not replace that. ' +
        'To turn it on, add --generate-secret (or --secret-file FILE) and say which integrator shares the secret (--integrator nextcloud|owncloud|seafile|other ' +
        'prints its steps); apply then sets JWT_ENABLED=true and JWT_SECRET for service onlyoffice-documentserver in /docker-compose.yml.',
    );
  });

  it('--allow alone on NixOS with JWT off: the note names the module option', () => {
    const r = runCli(['apply', '--root', stockNixos(), '--allow', '10.0.0.5']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('note: JWT stays off: token.enable.browser, token.enable.request.inbox and token.enable.request.outbox are not true');
    expect(r.stdout).toContain('apply then prints services.onlyoffice.jwtSecretFile for configuration.nix (the module turns token.enable.* on with it).');
    expect(r.stdout).not.toMatch(/occ|writes the secret into local\.json/);
  });

  it('rotate-secret on a Compose service with JWT off: says it turns JWT_ENABLED on; --integrator seafile prints Seafile\'s steps once', () => {
    const root = jwtOffCompose();
    const r = runCli(['rotate-secret', '--root', root, '--integrator', 'seafile']);
    expect(r.code, r.stderr).toBe(10);
    expect(r.stdout).toContain(
      'note: JWT is not enforced on this server (JWT_ENABLED is not exactly true): rotate-secret turns it on (JWT_ENABLED=true: token.enable.browser, ' +
        'token.enable.request.inbox and token.enable.request.outbox → true) together with the new secret.',
    );
    expect(r.stdout).toContain('Seafile: do this too, or the pair breaks:\n  In seahub_settings.py set\n');
    expect(r.stdout).toContain(`read it with: sudo ds-harden check --root ${root} --explain services.CoAuthoring.secret.inbox.string --show-secrets)`);
    expect(r.stdout).not.toMatch(/Nextcloud:|must now use the same secret/);
    // no --integrator: the closing lines name each integrator's place
    const plain = runCli(['rotate-secret', '--root', installTree('compose-9.2')]);
    expect(plain.code, plain.stderr).toBe(10);
    expect(plain.stdout).toContain('Every integrator that uses this DS must now use the same secret and header, set in its ONLYOFFICE settings (Nextcloud, ownCloud');
  });

  it('a printed change (NixOS): the integrator\'s steps come with it, without a command that would read the old secret back', () => {
    const r = runCli(['rotate-secret', '--root', stockNixos(), '--integrator', 'seafile']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('services.onlyoffice.jwtSecretFile');
    expect(r.stdout).toContain('Seafile: do this too, or the pair breaks:');
    expect(r.stdout).toContain('(the secret is shown masked: re-run with --show-secrets to see it here and in the change above, or choose it yourself with --secret-file FILE)');
    expect(r.stdout).not.toContain('--explain');
  });
});
