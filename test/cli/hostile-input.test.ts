/**
 * Hostile and broken input through the built CLI, with the inputs of issue #6: nothing read can steer ds-harden,
 * nothing is read or written outside --root, no secret reaches any output, no input makes it hang or crash (exit 3).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETC_REL, expectNoStack, findingsOf, makeRoot, runCli } from '../helpers/cli.js';

const LOCAL = '/etc/onlyoffice/documentserver/local.json';
const base = ['--service-manager', 'none', '--no-health', '--state-dir', '/state'];
const JWT_OFF = { services: { CoAuthoring: { token: { enable: { browser: false, request: { inbox: false, outbox: false } } } } } };
const withProto = (proto: string, rest: object) => JSON.stringify(rest).replace(/^\{/, `{"__proto__": ${proto},`);
const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe('prototype keys in local.json', () => {
  it('{"__proto__": {"severity": "info"}} with JWT off: check still exits 1 with the JWT findings', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: withProto('{"severity": "info"}', JWT_OFF) });
    const r = runCli(['check', '--root', root, '--format', 'json']);
    expect(r.code, all(r)).toBe(1);
    const findings = findingsOf(r);
    const jwt = findings.filter((f) => ['DSH200', 'DSH201', 'DSH202'].includes(f.ruleId));
    expect(jwt.map((f) => [f.ruleId, f.severity]).sort()).toEqual([['DSH200', 'critical'], ['DSH201', 'high'], ['DSH202', 'critical']]);
    expect(findings.find((f) => f.ruleId === 'DSH116')).toMatchObject({ severity: 'high', location: { file: LOCAL, line: 1, column: 2 } });
    const text = runCli(['check', '--root', root]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAIL \(findings at or above --fail-on high\)/);
  });

  it('{"__proto__": {"mode": 438, "uid": 4242}}: apply writes local.json with its original owner and mode', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: withProto('{"mode": 438, "uid": 4242, "gid": 4242}', JWT_OFF) });
    const file = path.join(root, ETC_REL, 'local.json');
    fs.chmodSync(file, 0o640);
    fs.chownSync(file, 0, 0);
    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]);
    expect(r.code, all(r)).toBe(10);
    const st = fs.statSync(file);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) }).toEqual({ uid: 0, gid: 0, mode: '640' });
    // the key is the user's data: kept in the file, as every key outside the edited ones
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.getOwnPropertyDescriptor(written, '__proto__')?.value).toEqual({ mode: 438, uid: 4242, gid: 4242 });
    expect(written.services.CoAuthoring.ipfilter.rules[0]).toEqual({ address: '10.0.0.5', allowed: true });
  });
});

describe('--root: nothing outside it is read or written', () => {
  it('local.json → absolute symlink to a file outside the root: check reads inside, apply writes inside (the link stays)', () => {
    const outsideDir = path.join(makeRoot(undefined), 'outside');
    fs.mkdirSync(outsideDir, { recursive: true });
    const outside = path.join(outsideDir, 'local.json');
    const outsideText = JSON.stringify({ services: { CoAuthoring: { token: { enable: { browser: true } } } } });
    fs.writeFileSync(outside, outsideText);
    const root = makeRoot('v9.3.0', { [path.join(outside)]: JSON.stringify(JWT_OFF) }); // the same host path, inside the root
    fs.symlinkSync(outside, path.join(root, ETC_REL, 'local.json'));

    const explain = runCli(['check', '--root', root, '--explain', 'services.CoAuthoring.token.enable.browser']);
    expect(explain.code, all(explain)).toBe(0);
    expect(explain.stdout).toMatch(/local\.json:\d+:\d+ +false +← effective/);

    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]);
    expect(r.code, all(r)).toBe(10);
    expect(fs.readFileSync(outside, 'utf8')).toBe(outsideText);
    expect(fs.readdirSync(outsideDir)).toEqual(['local.json']);
    const inside = JSON.parse(fs.readFileSync(path.join(root, outside), 'utf8'));
    expect(inside.services.CoAuthoring.ipfilter.rules[0]).toEqual({ address: '10.0.0.5', allowed: true });
    expect(fs.readlinkSync(path.join(root, ETC_REL, 'local.json'))).toBe(outside);
  });
});

describe('files that are not small regular files are never read', () => {
  it('a FIFO as local.json: check answers at once (DSH401 names it), apply refuses (exit 4)', () => {
    const root = makeRoot('v9.3.0');
    execFileSync('mkfifo', [path.join(root, ETC_REL, 'local.json')]);
    const r = runCli(['check', '--root', root, '--format', 'json']);
    expect(r.code, all(r)).toBe(1);
    const f = findingsOf(r).find((x) => x.ruleId === 'DSH401');
    expect(f?.message).toContain(`${LOCAL} is a FIFO (named pipe), not a regular file: ds-harden reads only regular files`);
    const a = runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]);
    expect(a.code, all(a)).toBe(4);
    expect(a.stdout).toContain('nothing was written');
  });

  it('local.json → /dev/zero and a secret file that is a FIFO: refused, named, no hang', () => {
    const dir = makeRoot(undefined);
    const etc = path.join(dir, ETC_REL);
    for (const name of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(makeRoot('v9.3.0'), ETC_REL, name), path.join(etc, name));
    fs.symlinkSync('/dev/zero', path.join(etc, 'local.json'));
    // --root / with an explicit config dir: the link's target is the machine's real /dev/zero
    const r = runCli(['check', '--root', '/', '--config-dir', etc, '--ds-version', '9.3.0', '--format', 'json']);
    expect(r.code, all(r)).toBe(1);
    expect(findingsOf(r).find((x) => x.ruleId === 'DSH401')?.message).toContain('is a character device, not a regular file');

    const root = makeRoot('v9.3.0', {
      [`${ETC_REL}/local.json`]: JSON.stringify({ services: { CoAuthoring: { secret: { inbox: { string: '', file: '/etc/ds/jwt' } } } } }),
    });
    fs.mkdirSync(path.join(root, 'etc/ds'));
    execFileSync('mkfifo', [path.join(root, 'etc/ds/jwt')]);
    const s = runCli(['check', '--root', root, '--format', 'json']);
    expect(s.code, all(s)).toBe(1);
    expect(findingsOf(s).find((x) => x.ruleId === 'DSH305')?.message).toContain('/etc/ds/jwt is a FIFO (named pipe)');
  });

  it('a 5 MiB local.json is not read (DSH111 says so), a directory is unreadable (DSH401); a FIFO service definition is named', () => {
    const big = '{"x": "' + 'a'.repeat(5 * 1024 * 1024) + '"}';
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: big });
    const r = runCli(['check', '--root', root, '--format', 'json']);
    expect(r.code, all(r)).toBe(1);
    expect(findingsOf(r).find((x) => x.ruleId === 'DSH111')?.message).toContain('ds-harden reads at most 4 MiB');
    expect(runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]).code).toBe(4);

    const dirRoot = makeRoot('v9.3.0');
    fs.mkdirSync(path.join(dirRoot, ETC_REL, 'local.json'));
    fs.mkdirSync(path.join(dirRoot, 'etc/supervisor/conf.d'), { recursive: true });
    execFileSync('mkfifo', [path.join(dirRoot, 'etc/supervisor/conf.d/ds.conf')]);
    const d = runCli(['check', '--root', dirRoot, '--format', 'json']);
    expect(d.code, all(d)).toBe(1);
    const findings = findingsOf(d);
    expect(findings.find((x) => x.ruleId === 'DSH401')?.message).toContain(`${LOCAL} is a directory, not a file`);
    expect(findings.find((x) => x.ruleId === 'DSH111' && x.location?.file === '/etc/supervisor/conf.d/ds.conf')?.message).toContain('is a FIFO (named pipe)');
  });
});

describe('deep nesting is a finding, never exit 3', () => {
  it('2,700 and 100,000 levels: DSH100 (DS cannot load it); 100,000 unclosed brackets: DSH100 with the place', () => {
    const deep = (n: number) => `{"deep":${'{"k":'.repeat(n)}1${'}'.repeat(n)}}`;
    for (const [text, cause] of [
      [deep(2_700), /nested 2000 or more levels deep/],
      [deep(100_000), /nested 2000 or more levels deep/],
      ['['.repeat(100_000), /unexpected end of file/],
    ] as const) {
      for (const v of ['8.3.3', '9.3.0']) {
        const root = makeRoot(`v${v}`, { [`${ETC_REL}/local.json`]: text });
        const r = runCli(['check', '--root', root, '--format', 'json']);
        expect(r.code, all(r)).toBe(1);
        expect(expectNoStack(all(r))).toBe(true);
        expect(findingsOf(r).find((x) => x.ruleId === 'DSH100')?.message).toMatch(cause);
      }
    }
  });
});

describe('no secret in any output', () => {
  const S = 'Hq3Zv8Lm2Xp7Rt5Wn9Ks4Jd6';

  it('damaged secret lines, wrong types, a numeric secret in --explain, a secret as a key name', () => {
    const cases: [string, string[]][] = [
      [`{"services": {"CoAuthoring": {"secret": {"inbox": {\n  "strinq": "${S}",,\n}}}}}`, []],
      [`{"services": {"CoAuthoring": {"secret": {"inbox": {"string":\n  "${S}",,\n}}}}}`, []],
      [`{"services": {"CoAuthoring": {"secret": {"inbox": {"string": "${S}\n}}}}}`, []],
      [JSON.stringify({ storage: { fs: { secretString: 98700000000000000000000000000000 } }, services: { CoAuthoring: { sql: { dbPass: S } } } }), ['storage.fs.secretString']],
      [JSON.stringify({ services: { CoAuthoring: { sql: { dbPass: [S] }, secret: { inbox: { [S]: 'string' } } } } }), ['services.CoAuthoring.sql.dbPass']],
    ];
    for (const [text, explain] of cases) {
      const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: text });
      const outputs = ['text', 'json', 'sarif'].map((f) => runCli(['check', '--root', root, '--format', f]));
      for (const k of explain) outputs.push(runCli(['check', '--root', root, '--explain', k]));
      for (const r of outputs) {
        expect(r.code, all(r)).not.toBe(3);
        const out = all(r);
        expect(out).not.toContain(S);
        expect(out).not.toContain('9.87e+31');
        expect(out).not.toContain('987000000000');
      }
    }
  });

  it('the dry-run diff blanks every secret but never an object line ("secret": {)', () => {
    const D = 'Db7Pw3Xy9Qz1Vn5Mk8Lt2Rs4';
    const local = [
      '{',
      '  "services": {',
      '    "CoAuthoring": {',
      `      "sql": { "dbHost": "db", "dbPass": "${D}" },`,
      '      "secret": {',
      `        "browser": { "string": "${S}" }`,
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: local });
    const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--dry-run', ...base]);
    expect(r.code, all(r)).toBe(10);
    expect(r.stdout).not.toContain(S);
    // context lines of the hunk: the database password blanked, the object lines as they are
    expect(r.stdout).toContain(' "sql": { "dbHost": "db", "dbPass": "••••••••••••••••••••••••" },\n       "secret": {\n');
    expect(r.stdout).not.toMatch(/"secret": •/);
  });
});
