/**
 * Issue #6 items 6 and 7: every input is validated (exit 2, the field named, nothing written), and environment
 * mistakes (missing folders, a file where a directory belongs, a garbage lock, a closed pipe) get a clear message,
 * never "internal error" (exit 3) or a stack trace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ETC_REL, expectNoStack, makeRoot, runCli } from '../helpers/cli.js';
import { POLICY_SCHEMA } from '../../src/apply/request.js';
import { REPO } from '../helpers/context.js';

const base = ['--service-manager', 'none', '--no-health'];
const SECRET = 'Pz6Wq1Lr8Tn3Vb5Xc7Yd9Fg2Hj4Km0As';
const tree = () => makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: '{}\n' });
const localOf = (root: string) => fs.readFileSync(path.join(root, ETC_REL, 'local.json'), 'utf8');

describe('--allow takes one address DS can match, never an allow-all', () => {
  const cases: [string, RegExp][] = [
    ['*', /matches every client/],
    ['*.*.*.*', /matches every client/],
    ['0.0.0.0/0', /matches every client/],
    ['::/0', /matches every client/],
    ['*:*', /matches every client/],
    ['a,b', /one address per --allow/],
    ['(5|6)', /one address per --allow|no regular-expression syntax/],
    ['10.0.0.(5)', /no regular-expression syntax/],
    ['-1', /not an address or host name/],
    ['10.0.0.5\n10.*', /space or control character/],
    ['10.0.0.5 ', /space or control character/],
    ['nextcloud.example.org;rm', /one address per --allow/],
  ];
  for (const [value, msg] of cases) {
    it(`refuses ${JSON.stringify(value)} with exit 2`, () => {
      const root = tree();
      const r = runCli(['apply', '--root', root, '--allow', value, ...base]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--allow/);
      expect(r.stderr).toMatch(msg);
      expect(expectNoStack(r.stderr)).toBe(true);
      expect(localOf(root)).toBe('{}\n');
    });
  }
  it('accepts an IP, an IP glob, an exact CIDR and a host name', () => {
    const r = runCli(['apply', '--root', tree(), '--allow', '10.0.0.5', '--allow', '10.1.*', '--allow', '192.168.7.0/24', '--allow', 'nc.example.org', '--dry-run', ...base]);
    expect(r.code, r.stderr).toBe(10);
    expect(r.stdout).toMatch(/"address": ?"192\.168\.7\.\*"/);
  });
});

describe('--header is an HTTP field name', () => {
  for (const value of ['Author\r\nX-Evil: 1', 'Auth orization', 'Auth:orization', 'Authörization', 'A'.repeat(10_000), '']) {
    it(`refuses ${JSON.stringify(value.slice(0, 20))}${value.length > 20 ? '…' : ''}`, () => {
      const root = tree();
      const r = runCli(['apply', '--root', root, '--header', value, '--secret-env', 'S', ...base], { env: { S: SECRET } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--header/);
      expect(localOf(root)).toBe('{}\n');
    });
  }
});

describe('--policy is type-checked against schemas/policy.schema.json', () => {
  const cases: [object, RegExp][] = [
    [{ useforrequest: 'false' }, /"useforrequest": the string "false" must be a boolean \(true or false, without quotes — DS reads the string "false" as true\)/],
    [{ header: 5 }, /"header": the number 5 must be a string/],
    [{ errorcode: '403' }, /"errorcode": the string "403" must be a whole number/],
    [{ errorcode: 200 }, /"errorcode": the number 200 must be an HTTP error status between 400 and 599/],
    [{ allow: '10.0.0.5' }, /"allow": the string "10\.0\.0\.5" must be a array/],
    [{ allow: [5] }, /"allow" item 1: the number 5 must be a string/],
    [{ storageUrl: 'ftp://nc.example/' }, /DS calls the storage over http:\/\/ or https:\/\/, not ftp:/],
    [{ secretEnv: 'A B' }, /"secretEnv".*environment variable name/],
    [{ rotate: 1 }, /"rotate": the number 1 must be a boolean/],
    [{ alow: ['10.0.0.5'] }, /"alow" is not a known key/],
  ];
  for (const [policy, msg] of cases) {
    it(`refuses ${JSON.stringify(policy)}`, () => {
      const root = tree();
      const file = path.join(root, 'policy.json');
      fs.writeFileSync(file, JSON.stringify(policy));
      const r = runCli(['apply', '--root', root, '--policy', file, ...base]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--policy ${file}`);
      expect(r.stderr).toMatch(msg);
      expect(localOf(root)).toBe('{}\n');
    });
  }
  it('schemas/policy.schema.json is the schema the tool checks with', () => {
    if (process.env.UPDATE_SCHEMAS) fs.writeFileSync(path.join(REPO, 'schemas/policy.schema.json'), JSON.stringify(POLICY_SCHEMA, null, 2) + '\n');
    const published = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/policy.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(POLICY_SCHEMA)));
  });
});

describe('other flags', () => {
  it('--ds-version abc, --explain "", --storage-url ftp:// → exit 2', () => {
    const root = tree();
    const cases: [string[], RegExp][] = [
      [['check', '--root', root, '--ds-version', 'abc'], /--ds-version "abc": expected a version such as 9\.3\.0/],
      [['apply', '--root', root, '--ds-version', '9.x', '--allow', '10.0.0.5', ...base], /--ds-version "9\.x"/],
      [['check', '--root', root, '--explain', ''], /--explain "": give a dotted key/],
      [['apply', '--root', root, '--allow', '10.0.0.5', '--storage-url', 'ftp://nc/', ...base], /--storage-url "ftp:\/\/nc\/": DS calls the storage over http/],
      [['apply', '--root', root, '--rotate', '--allow', '10.0.0.5', ...base], /--rotate goes with --generate-secret/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(localOf(root)).toBe('{}\n');
  });

  it('a duration outside its range (one a timer cannot hold, or none at all) → exit 2 with the range, nothing written', () => {
    const root = tree();
    const apply = ['apply', '--root', root, '--allow', '10.0.0.5', '--generate-secret', '--service-manager', 'none'];
    const cases: [string[], string][] = [
      [[...apply, '--settle', '601'], "option '--settle <seconds>' argument '601' is invalid. expected a number of seconds from 0 to 600"],
      [[...apply, '--settle', '-1'], "option '--settle <seconds>' argument '-1' is invalid. expected a number of seconds from 0 to 600"],
      [[...apply, '--health-timeout', '1e10'], "option '--health-timeout <seconds>' argument '1e10' is invalid. expected a number of seconds from 0 to 600"],
      [[...apply, '--integrator-check-timeout', '0'], "option '--integrator-check-timeout <seconds>' argument '0' is invalid. expected a number of seconds from 1 to 3600"],
      [['rotate-secret', '--root', root, '--settle', 'Infinity'], "option '--settle <seconds>' argument 'Infinity' is invalid. expected a number of seconds from 0 to 600"],
      [['rollback', '--root', root, '--health-timeout', '3000000'], "option '--health-timeout <seconds>' argument '3000000' is invalid. expected a number of seconds from 0 to 600"],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    expect(localOf(root)).toBe('{}\n');
  });

  it('a secret file with a NUL byte, a FIFO or a device is refused (exit 2), never read without bound', () => {
    const root = tree();
    const nul = path.join(root, 'nul.txt');
    fs.writeFileSync(nul, `${SECRET.slice(0, 20)}\0${SECRET.slice(20)}\n`);
    const fifo = path.join(root, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const cases: [string, RegExp][] = [
      [nul, /contains a NUL byte/],
      [fifo, /a FIFO \(named pipe\), not a regular file/],
      ['/dev/zero', /a character device, not a regular file/],
      [root, /is a directory/],
    ];
    for (const [file, msg] of cases) {
      const r = runCli(['apply', '--root', root, '--secret-file', file, ...base], {});
      expect(r.code, `${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(localOf(root)).toBe('{}\n');
  });
});

describe('environment errors are not internal errors', () => {
  it('-o into a missing folder: exit 2 naming the folder', () => {
    const r = runCli(['check', '--root', tree(), '-o', '/nonexistent-dir/report.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-o /nonexistent-dir/report.json: the folder /nonexistent-dir does not exist');
  });

  it('--state-dir that is a file: exit 2 for apply, history and rollback', () => {
    const root = tree();
    fs.writeFileSync(path.join(root, 'statefile'), 'x');
    for (const args of [
      ['apply', '--root', root, '--allow', '10.0.0.5', '--state-dir', '/statefile', ...base],
      ['history', '--root', root, '--state-dir', '/statefile'],
      ['rollback', '--root', root, '--state-dir', '/statefile', ...base],
    ]) {
      const r = runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('--state-dir /statefile');
      expect(r.stderr).toContain('is not a directory');
    }
    expect(localOf(root)).toBe('{}\n');
  });

  it('a garbage or empty lock file: refused (exit 4) with what to do, never exit 3', () => {
    for (const content of ['', 'garbage{', '{"pid": "x"}']) {
      const root = tree();
      const dir = path.join(root, 'var/lib/ds-harden');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'apply.lock'), content);
      const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', ...base]);
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stdout).toMatch(/lock file .*apply\.lock is unreadable .*remove it/);
      expect(localOf(root)).toBe('{}\n');
      const rb = runCli(['rollback', '--root', root, ...base]);
      expect(rb.code, rb.stderr).toBe(4);
      expect(rb.stderr).toMatch(/lock file .*apply\.lock is unreadable/);
    }
  });

  it('rollback/history with --root that is a file or missing: exit 2 and nothing created', () => {
    const root = tree();
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    const typo = path.join(root, 'typo');
    for (const args of [
      ['rollback', '--root', file, ...base],
      ['rollback', '--root', typo, ...base],
      ['history', '--root', typo],
      ['apply', '--root', typo, '--allow', '10.0.0.5', ...base],
      ['check', '--root', typo],
    ]) {
      const r = runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--root .*: (no such directory|not a directory)/);
    }
    expect(fs.existsSync(typo)).toBe(false);
  });

  it('rollback on a root without a journal creates no state dir', () => {
    const root = tree();
    const r = runCli(['rollback', '--root', root, ...base]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing to roll back');
    expect(fs.existsSync(path.join(root, 'var/lib/ds-harden'))).toBe(false);
    expect(runCli(['history', '--root', root]).stdout).toBe('no applies recorded yet.\n');
    expect(fs.existsSync(path.join(root, 'var/lib/ds-harden'))).toBe(false);
  });

  it('`history | head -1` ends quietly (no EPIPE stack trace)', () => {
    const root = tree();
    for (let i = 0; i < 3; i++) {
      expect(runCli(['apply', '--root', root, '--allow', `10.0.0.${i + 1}`, ...base]).code).toBe(10);
    }
    const r = spawnSync('sh', ['-c', `'${process.execPath}' '${BIN}' history --root '${root}' | head -c 10`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout.length).toBe(10);
    expect(r.stderr).toBe('');
  });
});
