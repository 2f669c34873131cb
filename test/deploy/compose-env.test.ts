/**
 * The Docker environment cases, each on the official compose example (fixtures/installs/compose-9.2) with one line
 * changed: every case yields its finding at the compose file's line, and not a second one saying the same thing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf, runCli } from '../helpers/cli.js';
import { installTree } from '../helpers/installs.js';

const STRONG = 'Q7vD2mLx9PrT4sWz8KcB1nYh6GfJ3aQeU5tR';
const SECRET_LINE = '      - JWT_SECRET=${JWT_SECRET}';

/** The compose tree with the JWT_SECRET line (line 17) replaced; returns the findings of check. */
function withLine(replacement: string | undefined, extra: (root: string) => void = () => {}) {
  const root = installTree('compose-9.2');
  const file = path.join(root, 'docker-compose.yml');
  const text = fs.readFileSync(file, 'utf8');
  expect(text.split('\n')[16]).toBe(SECRET_LINE);
  fs.writeFileSync(file, text.replace(SECRET_LINE + '\n', replacement === undefined ? '' : replacement + '\n'));
  extra(root);
  lastRoot = root;
  const r = runCli(['check', '--root', root, '--format', 'json']);
  expect(r.stderr).toBe('');
  return findingsOf(r);
}

/** The 1-based line of the first line of the compose file (in the root of the last check) holding `needle`. */
let lastRoot = '';
function lineOf(_findings: unknown, needle: string): number {
  return fs.readFileSync(path.join(lastRoot, 'docker-compose.yml'), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
}

const at = (f: { location?: { file: string; line: number } }) => `${f.location?.file}:${f.location?.line}`;

describe('Docker environment cases (compose file line of each finding)', () => {
  it('JWT_SECRET unset: DSH900 at the environment: key, high', () => {
    const f = withLine(undefined).filter((x) => x.ruleId === 'DSH900');
    expect(f).toHaveLength(1);
    expect(at(f[0]!)).toBe('/docker-compose.yml:8');
    expect(f[0]!.severity).toBe('high');
    expect(f[0]!.message).toContain('new random 32-character secret at every container start');
  });

  it('JWT_SECRET=${JWT_SECRET} with no value in .env: DSH900 at its line, naming the unset variable', () => {
    const f = withLine(SECRET_LINE, (root) => fs.writeFileSync(path.join(root, '.env'), '# nothing here\n')).filter((x) => x.ruleId === 'DSH900');
    expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
    expect(f[0]!.message).toContain('${JWT_SECRET} has no value in the project\'s .env');
  });

  for (const [name, line] of [
    ['JWT-SECRET', `      - JWT-SECRET=${STRONG}`],
    ['JWT_KEY', `      - JWT_KEY=${STRONG}`],
    ['jwt_secret', `      - jwt_secret=${STRONG}`],
  ] as const) {
    it(`${name}: DSH901 at its line (the entrypoint reads only JWT_SECRET), not also DSH900`, () => {
      const all = withLine(line);
      const f = all.filter((x) => x.ruleId === 'DSH901');
      expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
      expect(f[0]!.severity).toBe('high');
      expect(f[0]!.message).toContain(`"${name}" (/docker-compose.yml:17) is not a variable the entrypoint reads — it reads JWT_SECRET, which is not set`);
      expect(all.map((x) => x.ruleId)).not.toContain('DSH900');
    });
  }

  it('a quoted list-syntax value keeps its quotes: DSH902 at the line', () => {
    const f = withLine(`      - JWT_SECRET="${STRONG}"`).filter((x) => x.ruleId === 'DSH902');
    expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
    expect(f[0]!.message).toContain('compose keeps quotes in list syntax');
    expect(f[0]!.message).not.toContain(STRONG);
  });

  it('the same value in map syntax is fine (YAML removes the quotes)', () => {
    const root = installTree('compose-9.2');
    const file = path.join(root, 'docker-compose.yml');
    const text = fs.readFileSync(file, 'utf8');
    const env = /    environment:\n((?: {6}[-#].*\n)+)/.exec(text)![0];
    const map = env.replace(/ {6}- ([A-Z_]+)=(.*)/g, (_m, k: string, v: string) => `      ${k}: "${k === 'JWT_SECRET' ? STRONG : v}"`).replace(/ {6}#- .*\n/g, '');
    fs.writeFileSync(file, text.replace(env, map));
    const f = findingsOf(runCli(['check', '--root', root, '--format', 'json']));
    expect(f.filter((x) => /^DSH90[0-4]$/.test(x.ruleId))).toEqual([]);
  });

  it('a trailing space inside a quoted item: DSH902 at the line', () => {
    const f = withLine(`      - "JWT_SECRET=${STRONG} "`).filter((x) => x.ruleId === 'DSH902');
    expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
    expect(f[0]!.message).toContain('has white space at its end');
  });

  it('JWT_ENABLED=false: DSH903 critical at its line, and no DSH200/201/202 repeating it there', () => {
    const root = installTree('compose-9.2');
    const file = path.join(root, 'docker-compose.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('- JWT_ENABLED=true', '- JWT_ENABLED=false'));
    const all = findingsOf(runCli(['check', '--root', root, '--format', 'json']));
    const f = all.filter((x) => x.ruleId === 'DSH903');
    expect(f.map(at)).toEqual(['/docker-compose.yml:16']);
    expect(f[0]!.severity).toBe('critical');
    expect(all.filter((x) => ['DSH200', 'DSH201', 'DSH202'].includes(x.ruleId))).toEqual([]);
  });

  it('JWT_ENABLED="true" in list syntax turns JWT off too (the quotes are kept)', () => {
    const root = installTree('compose-9.2');
    const file = path.join(root, 'docker-compose.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('- JWT_ENABLED=true', '- JWT_ENABLED="true"'));
    const f = findingsOf(runCli(['check', '--root', root, '--format', 'json'])).filter((x) => x.ruleId === 'DSH903');
    expect(f[0]!.message).toContain('"\\"true\\"", quotes included (compose list syntax keeps them)');
  });

  it('the secret "secret": DSH904 critical at its line, instead of three DSH300', () => {
    const all = withLine('      - JWT_SECRET=secret');
    const f = all.filter((x) => x.ruleId === 'DSH904');
    expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.message).toContain('the public default "secret"');
    expect(all.filter((x) => x.ruleId === 'DSH300')).toEqual([]);
  });

  it('a weak secret from .env is located at the compose line that uses it', () => {
    const f = withLine(SECRET_LINE, (root) => fs.writeFileSync(path.join(root, '.env'), 'JWT_SECRET=short1\n')).filter((x) => x.ruleId === 'DSH904');
    expect(f.map(at)).toEqual(['/docker-compose.yml:17']);
    expect(f[0]!.severity).toBe('high');
  });

  it('a secret in an env_file: located at the env_file line', () => {
    const all = withLine(undefined, (root) => {
      const file = path.join(root, 'docker-compose.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    environment:\n', '    env_file: ds.env\n    environment:\n'));
      fs.writeFileSync(path.join(root, 'ds.env'), '# DS\nJWT_SECRET=changeme\n');
    });
    expect(all.filter((x) => x.ruleId === 'DSH904').map(at)).toEqual(['/ds.env:2']);
  });

  it('an env_file saved with a UTF-8 byte order mark is read as compose reads it (the mark dropped; columns as an editor shows them)', () => {
    const all = withLine(undefined, (root) => {
      const file = path.join(root, 'docker-compose.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    environment:\n', '    env_file: ds.env\n    environment:\n'));
      fs.writeFileSync(path.join(root, 'ds.env'), '\uFEFFJWT_SECRET=changeme\n');
    });
    const f = all.filter((x) => x.ruleId === 'DSH904');
    expect(f.map((x) => x.location)).toEqual([{ file: '/ds.env', line: 1, column: 1 }]);
  });

  it('local.json bind-mounted as a file: DSH905, and the environment is not judged (it is ignored)', () => {
    const all = withLine('      - JWT_SECRET=secret', (root) => {
      const file = path.join(root, 'docker-compose.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('       - /usr/share/fonts\n', '       - /usr/share/fonts\n       - ./local.json:/etc/onlyoffice/documentserver/local.json\n'));
      fs.writeFileSync(path.join(root, 'local.json'), '{}\n');
    });
    const f = all.filter((x) => x.ruleId === 'DSH905');
    expect(f.map(at)).toEqual([`/docker-compose.yml:${lineOf(all, 'local.json')}`]);
    expect(f[0]!.message).toContain('"Resource busy"');
    expect(all.filter((x) => x.ruleId === 'DSH904')).toEqual([]);
    // the mounted file decides: JWT is off there, at the mounted file
    expect(all.some((x) => x.ruleId === 'DSH200')).toBe(true);
  });

  it('default.json mounted: DSH905; the directory mounted: critical', () => {
    const mount = (target: string) =>
      withLine(SECRET_LINE, (root) => {
        const file = path.join(root, 'docker-compose.yml');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('       - /usr/share/fonts\n', `       - ./conf${target}:${target}\n       - /usr/share/fonts\n`));
      }).filter((x) => x.ruleId === 'DSH905');
    expect(mount('/etc/onlyoffice/documentserver/default.json').map((x) => x.severity)).toEqual(['high']);
    expect(mount('/etc/onlyoffice/documentserver').map((x) => x.severity)).toEqual(['critical']);
  });

  it('a DS port on every interface with a proxy in the project: DSH906 at the ports line; on loopback: nothing', () => {
    const proxy = (root: string) => {
      const file = path.join(root, 'docker-compose.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  onlyoffice-rabbitmq:\n', '  proxy:\n    image: traefik:v3.1\n\n  onlyoffice-rabbitmq:\n'));
    };
    const f = withLine(SECRET_LINE, proxy).filter((x) => x.ruleId === 'DSH906');
    expect(f.map(at)).toEqual(['/docker-compose.yml:21', '/docker-compose.yml:22']);
    expect(f[0]!.message).toContain('service proxy (traefik:v3.1)');
    const loop = withLine(SECRET_LINE, (root) => {
      proxy(root);
      const file = path.join(root, 'docker-compose.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("- '80:80'", "- '127.0.0.1:8080:80'").replace("      - '443:443'\n", ''));
    }).filter((x) => x.ruleId === 'DSH906');
    expect(loop).toEqual([]);
  });

  it('a compose file that does not parse: exit 2 with file:line:column, no stack', () => {
    const root = installTree('compose-9.2');
    const file = path.join(root, 'docker-compose.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    stdin_open: true\n', '    stdin_open: [true\n'));
    const r = runCli(['check', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/docker-compose\.yml:\d+:\d+: .*fix the YAML/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a compose list item with a trailing space in the name: exit 2 naming the line (compose refuses the file)', () => {
    const root = installTree('compose-9.2');
    const file = path.join(root, 'docker-compose.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('- JWT_ENABLED=true', '- "JWT_ENABLED =true"'));
    const r = runCli(['check', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/docker-compose.yml:16:9: environment variable JWT_ENABLED  is declared with a trailing space');
  });
});
