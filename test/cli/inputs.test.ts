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
    // forms DS cannot match are bad input too (exit 2, not a refusal), with what to write instead
    ['10.0.0.256', /ipfilter address "10\.0\.0\.256" is not a valid IPv4 address: write four numbers from 0 to 255/],
    ['10.0.0.0/12', /"10\.0\.0\.0\/12": DS has no CIDR support and no single glob expresses \/12: write the 16 \/16 blocks it covers as separate rules \(10\.0\.\*, 10\.1\.\*, .*10\.15\.\*\)/],
    ['192.168.1.5/24', /its host bits are set \(the block is 192\.168\.1\.0\/24, glob "192\.168\.1\.\*"\)/],
    ['127.1', /write "127\.0\.0\.1" if that is what you mean/],
    ['10.0.0.1-10.0.0.9', /DS has no address ranges/],
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
  it('the same check for a policy file\'s "allow" items (the item named) and a host name with --useforrequest', () => {
    const root = tree();
    const file = path.join(root, 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ allow: ['10.0.0.5', '10.0.0.0/12'] }));
    const r = runCli(['apply', '--root', root, '--policy', file, ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`--policy ${file}: "allow" item 2: ipfilter address "10.0.0.0/12": DS has no CIDR support`);
    const host = runCli(['apply', '--root', root, '--allow', 'nc.example.org', '--useforrequest', ...base]);
    expect(host.code, host.stdout + host.stderr).toBe(2);
    expect(host.stderr).toContain('--allow "nc.example.org": a host name cannot match incoming requests (--useforrequest');
    expect(localOf(root)).toBe('{}\n');
  });

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
  it('a JSON syntax error is named by file:line:column, with the line, a caret and what to do (apply and proxy)', () => {
    const root = tree();
    const file = path.join(root, 'policy.json');
    fs.writeFileSync(file, '{\n  "allow": ["10.0.0.5"]\n  "generateSecret": true\n}\n');
    for (const args of [['apply', '--root', root, '--policy', file, ...base], ['proxy', '--type', 'nginx', '--policy', file]]) {
      const r = runCli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--policy ${file}:2:24: not valid JSON: missing comma between two members. Add a comma at the end of the previous member, then run the command again`);
      expect(r.stderr).toContain('2 |   "allow": ["10.0.0.5"]\n  |                        ^');
      expect(r.stderr).not.toMatch(/position \d+/);
      expect(expectNoStack(r.stderr)).toBe(true);
    }
    fs.writeFileSync(file, '{"allow": ["10.0.0.5"],}');
    const trailing = runCli(['apply', '--root', root, '--policy', file, ...base]);
    expect(trailing.stderr).toContain(`--policy ${file}:1:23: not valid JSON: trailing comma before }. Remove the comma after the last member (JSON has no trailing commas)`);
    expect(localOf(root)).toBe('{}\n');
  });

  it('a policy file saved with a UTF-8 byte order mark (Notepad) is read like one without (apply and proxy)', () => {
    const root = tree();
    const file = path.join(root, 'policy.json');
    fs.writeFileSync(file, '\uFEFF' + JSON.stringify({ allow: ['10.0.0.5'] }) + '\r\n');
    const r = runCli(['apply', '--root', root, '--policy', file, '--dry-run', ...base]);
    expect(r.code, r.stderr).toBe(10);
    expect(r.stdout).toContain('"address": "10.0.0.5"');
    const proxy = runCli(['proxy', '--type', 'nginx', '--policy', file]);
    expect(proxy.code, proxy.stderr).toBe(0);
    expect(proxy.stdout).toContain('10.0.0.5');
  });

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

  it('a secret file saved with a UTF-8 byte order mark and CRLF (Notepad) gives the secret without them', () => {
    const root = tree();
    const file = path.join(root, 'secret.txt');
    fs.writeFileSync(file, `\uFEFF${SECRET}\r\n`);
    const r = runCli(['apply', '--root', root, '--secret-file', file, ...base]);
    expect(r.code, r.stdout + r.stderr).toBe(10);
    expect(JSON.parse(localOf(root)).services.CoAuthoring.secret.inbox.string).toBe(SECRET);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a URL flag takes only an http(s) URL: --health-url, check --url, the probe URL (exit 2, the flag named, nothing read)', () => {
    const root = tree();
    const cases: [string[], RegExp][] = [];
    for (const bad of ['file:///etc/passwd', 'ftp://127.0.0.1/healthcheck', 'garbage']) {
      const why = bad === 'garbage' ? /not a URL \(e\.g\. / : /over http:\/\/ or https:\/\/, not (file|ftp):/;
      cases.push(
        [['apply', '--root', root, '--allow', '10.0.0.5', '--health-url', bad, ...base.filter((a) => a !== '--no-health')], why],
        [['rotate-secret', '--root', root, '--health-url', bad, '--dry-run'], why],
        [['rollback', '--root', root, '--health-url', bad], why],
        [['wizard', '--root', root, '--health-url', bad], why],
        [['check', '--root', root, '--url', bad], why],
        [['probe', bad, '--no-config'], why],
      );
    }
    for (const [args, why] of cases) {
      const r = runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(args[0] === 'probe' ? /argument 'url'/ : /option '--(health-url|url) <url>' argument/);
      expect(r.stderr, args.join(' ')).toMatch(why);
      expect(expectNoStack(r.stderr)).toBe(true);
    }
    expect(fs.existsSync(path.join(root, 'var/lib/ds-harden'))).toBe(false);
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

  it('-o of proxy and probe: a missing folder or a directory of that name is exit 2 naming it (probe: before any request)', () => {
    const root = tree();
    const dir = path.join(root, 'a-dir');
    fs.mkdirSync(dir);
    for (const args of [
      ['proxy', '--type', 'nginx', '--allow', '10.0.0.5', '-o', '/nonexistent-dir/ds.conf'],
      ['probe', 'http://127.0.0.1:1/', '--no-config', '--timeout', '1', '-o', '/nonexistent-dir/probe.json'],
    ]) {
      const r = runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/-o \/nonexistent-dir\/(ds\.conf|probe\.json): the folder \/nonexistent-dir does not exist/);
      expect(r.stderr).not.toContain('did not answer');
    }
    for (const args of [['proxy', '--type', 'nginx', '--allow', '10.0.0.5', '-o', dir], ['check', '--root', root, '-o', dir]]) {
      const r = runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`-o ${dir}: cannot write (EISDIR`);
      expect(expectNoStack(r.stderr)).toBe(true);
    }
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

  it('a lock path that is a directory, a journal that is a file: exit 2 naming the path and what to do', () => {
    const root = tree();
    const state = path.join(root, 'var/lib/ds-harden');
    fs.mkdirSync(path.join(state, 'apply.lock'), { recursive: true });
    for (const args of [
      ['apply', '--root', root, '--allow', '10.0.0.5', ...base],
      ['rotate-secret', '--root', root, ...base],
    ]) {
      const r = runCli(args);
      expect(r.code, `${args[0]}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`--state-dir /var/lib/ds-harden: cannot use the lock file ${state}/apply.lock: it is a directory, not a file. If no ds-harden run is active, remove it (rmdir ${state}/apply.lock), or pass --state-dir DIR`);
      expect(expectNoStack(r.stderr)).toBe(true);
    }
    fs.rmdirSync(path.join(state, 'apply.lock'));
    fs.writeFileSync(path.join(state, 'journal'), 'not a directory');
    for (const args of [['apply', '--root', root, '--allow', '10.0.0.5', ...base], ['history', '--root', root], ['rollback', '--root', root, ...base]]) {
      const r = runCli(args);
      expect(r.code, `${args[0]}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`--state-dir /var/lib/ds-harden: ${state}/journal is not a directory (ds-harden keeps its journal there). Move it away, or pass --state-dir DIR`);
    }
    expect(localOf(root)).toBe('{}\n');
  });

  it('local.json is a symbolic link to nothing: check reports the link and its target (DS ignores the file), apply refuses (exit 4) and creates nothing', () => {
    const root = makeRoot('v9.3.0');
    const local = path.join(root, ETC_REL, 'local.json');
    fs.symlinkSync('/etc/onlyoffice/documentserver/local.real.json', local);
    const check = runCli(['check', '--root', root, '--format', 'json']);
    expect(check.code).toBe(1);
    const dsh104 = (JSON.parse(check.stdout) as { findings: { ruleId: string; message: string; location?: { file: string } }[] }).findings.filter((f) => f.ruleId === 'DSH104');
    expect(dsh104).toHaveLength(1);
    expect(dsh104[0]!.message).toBe(
      '/etc/onlyoffice/documentserver/local.json is a symbolic link to /etc/onlyoffice/documentserver/local.real.json, which does not exist: ' +
        'DS skips it as a missing file, so the settings meant for /etc/onlyoffice/documentserver/local.json are not used.',
    );
    expect(dsh104[0]!.location?.file).toBe('/etc/onlyoffice/documentserver/local.json');
    // check offers no apply command that apply would refuse
    const text = runCli(['check', '--root', root]);
    expect(text.stdout).toContain('but /etc/onlyoffice/documentserver/local.json is a symbolic link to /etc/onlyoffice/documentserver/local.real.json, which does not exist: apply would refuse');
    expect(text.stdout).not.toContain('--dry-run');
    for (const target of ['/etc/onlyoffice/documentserver/local.real.json', '/etc/nowhere/local.json']) {
      fs.rmSync(local);
      fs.symlinkSync(target, local);
      const r = runCli(['apply', '--root', root, '--allow', '10.0.0.5', '--generate-secret', ...base]);
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stdout).toContain(`/etc/onlyoffice/documentserver/local.json is a symbolic link to ${target}, which does not exist: DS skips it`);
      expect(r.stdout).toContain(`a write would create ${target}. Nothing was written.`);
      expect(expectNoStack(r.stdout + r.stderr)).toBe(true);
      expect(fs.existsSync(path.join(root, target))).toBe(false);
      expect(fs.readlinkSync(local)).toBe(target);
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
