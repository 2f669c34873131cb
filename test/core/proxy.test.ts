/**
 * ds-harden proxy: address conversion (same --allow values as apply), every user value checked before it reaches a
 * snippet (hostile values: exit 2, nothing printed or written), and the "Regenerate with:" line run through a shell.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { allowedBlocks, checkListen, checkOrigin, commentLines, globToCidr, parseServerName, parseUpstream, ProxyValueError, type ProxyType } from '../../src/core/proxy/common.js';
import { proxyInput, type ProxyRequest } from '../../src/core/proxy/input.js';
import { proxySnippet } from '../../src/core/proxy/index.js';
import { hostNameProblem } from '../../src/core/text/host-name.js';
import { INTEGRATOR_ROUTES, routesRegex } from '../../src/core/ds/routes.js';
import { BIN, expectNoStack, runCli } from '../helpers/cli.js';

const TYPES: readonly ProxyType[] = ['haproxy', 'nginx', 'apache'];

describe('allowedBlocks: apply\'s --allow values as proxy address blocks', () => {
  it('turns IPs, DS globs and CIDR blocks into what the proxies match, loopback added once', () => {
    expect(allowedBlocks(['192.168.10.20', '10.1.*', '172.16.0.0/12', '2001:db8:*', '::1', '127.0.0.1']).map((b) => b.cidr)).toEqual([
      '192.168.10.20',
      '10.1.0.0/16',
      '172.16.0.0/12',
      '2001:db8::/32',
      '::1',
      '127.0.0.1',
    ]);
    expect(allowedBlocks(['0:0:0:0:0:0:0:1']).map((b) => b.cidr)).toEqual(['::1', '127.0.0.1']);
    expect(globToCidr('10.*')).toBe('10.0.0.0/8');
    expect(globToCidr('10.1.2.*')).toBe('10.1.2.0/24');
  });

  it('refuses what a proxy cannot match, saying what to write', () => {
    expect(() => allowedBlocks(['nextcloud.example.org'])).toThrow(/not host names.*IP address or CIDR/);
    expect(() => allowedBlocks(['*'])).toThrow(/everybody/);
    expect(() => allowedBlocks(['10.1.2.1*'])).toThrow(/not a whole address block.*10\.1\.2\.0\/24/);
    expect(() => allowedBlocks(['10.0.0.1/8'])).toThrow(/host bits are set; the block is 10\.0\.0\.0\/8/);
    expect(() => allowedBlocks(['10.0.0.0/33'])).toThrow(/not a CIDR block/);
    expect(() => allowedBlocks(['10.0.0.1-10.0.0.9'])).toThrow(/no address ranges/);
  });

  it('checks upstreams and origins', () => {
    expect(parseUpstream('127.0.0.1:8000')).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(parseUpstream('[::1]:80')).toEqual({ host: '[::1]', port: 80 });
    expect(() => parseUpstream('127.0.0.1')).toThrow(/host:port/);
    expect(checkOrigin('https://cloud.example.org/')).toBe('https://cloud.example.org');
    expect(() => checkOrigin('https://cloud.example.org/apps')).toThrow(/only scheme, host and port/);
  });

  it('matches every spelling of a route that reaches DocService, and nothing the editors use', () => {
    const re = new RegExp(routesRegex(INTEGRATOR_ROUTES), 'i');
    for (const p of ['/command', '/Command/', '/9.3.1-abc/healthcheck', '//coauthoring//CommandService.ashx', '/info/info.json', '/welcome/', '/example/editor?x']) {
      expect(re.test(p.split('?')[0]!), p).toBe(true);
    }
    for (const p of ['/commands', '/web-apps/apps/api/documents/api.js', '/doc/key/c/', '/cache/files/x', '/information', '/downloadas/k', '/index.html']) {
      expect(re.test(p), p).toBe(false);
    }
  });
});

describe('ds-harden proxy (CLI)', () => {
  it('prints the snippet, or writes it with -o, and takes the allow list from a policy file', () => {
    const dir = fs.mkdtempSync(path.join(inject('tmpBase'), 'dsh-proxy-'));
    fs.writeFileSync(path.join(dir, 'policy.json'), JSON.stringify({ allow: ['192.168.10.20'], useforrequest: true }));
    const r = runCli(['proxy', '--type', 'nginx', '--policy', path.join(dir, 'policy.json'), '-o', path.join(dir, 'ds.conf')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const text = fs.readFileSync(path.join(dir, 'ds.conf'), 'utf8');
    expect(text).toContain('allow 192.168.10.20;');
    expect(text).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
    expect(text).toContain('/etc/onlyoffice/documentserver/nginx/ds.conf');
  });

  it('exits 2 with a clear message for bad input', () => {
    for (const [args, msg] of [
      [['proxy', '--type', 'haproxy'], /--allow ADDRESS/],
      [['proxy', '--type', 'haproxy', '--allow', 'cloud.example.org'], /not host names/],
      [['proxy', '--type', 'squid', '--allow', '10.0.0.1'], /Allowed choices are haproxy, nginx, apache/],
      [['proxy', '--type', 'apache', '--allow', '10.0.0.1', '--upstream', 'ds'], /host:port/],
      [['proxy', '--allow', '10.0.0.1'], /--type/],
    ] as const) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});

/** Values that would end a directive, open a block, start a comment or end the header comment if pasted as is. */
const HOSTILE: Readonly<Record<'--server-name' | '--listen' | '--upstream' | '--frame-ancestors' | '--allow', readonly string[]>> = {
  '--server-name': ['x;\n    return 200 pwned;', 'a b', 'a;b', 'office.example.org;', 'a{b', 'a}b', 'a#b', '"office.example.org"', "'a'", 'a\nb', '', '$host', 'a\\b', '~^(.+)$', '*', 'a.*.org', 'office.example.org.', '_', 'a_b.example.org', '-a.example.org', '999.1.1.1'],
  '--listen': ['80; listen 81', '80\n', '80 default_server', 'localhost:80', '0', '65536', '[::1', '[::1]:80"', '{80}', '', '#80', '127.0.0.1:80;', '[fe80::1%eth0]:80', '127.1:80'],
  '--upstream': ['127.0.0.1:80;', 'ds host:80', 'a"b:80', '127.0.0.1:80\n    server evil 203.0.113.9:80', '[::1]:99999', 'a{b}:80', '[::g]:80', ':80', '#x:80', '127.0.0.1:80 backup'],
  '--frame-ancestors': ['https://a"b.org', 'https://a$host.org', 'https://cloud.exa\nmple.org', 'https://a;b.org', 'https://{x}.org', "https://x.org'", 'https://cloud.example.org\t', 'https://a%25b.org', 'https://a b.org'],
  '--allow': ['10.0.0.5\n    allow all;', '10.0.0.5 #', '10.0.0.5;', '10.0.0.5"', ' 10.0.0.5', '10.0.0.5,10.0.0.6'],
};

/** A request that is fine, with one value replaced. */
function request(type: ProxyType, flag: keyof typeof HOSTILE, value: string): ProxyRequest {
  const base: ProxyRequest = { type, allow: ['192.168.10.20'], upstream: '127.0.0.1:80', serverName: 'office.example.org', frameAncestors: ['https://cloud.example.org'] };
  switch (flag) {
    case '--server-name':
      return { ...base, serverName: value };
    case '--listen':
      return { ...base, listen: value };
    case '--upstream':
      return { ...base, upstream: value };
    case '--frame-ancestors':
      return { ...base, frameAncestors: [value] };
    case '--allow':
      return { ...base, allow: [value] };
  }
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('every value that reaches a snippet is checked (core/proxy/input.ts)', () => {
  it('refuses each hostile value for every proxy type, naming the flag and showing the value', () => {
    for (const type of TYPES) {
      for (const [flag, values] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string[]][]) {
        for (const value of values) {
          const e = thrown(() => proxyInput(request(type, flag, value), 'test'));
          expect(e, `${type} ${flag} ${JSON.stringify(value)} was accepted`).toBeInstanceOf(ProxyValueError);
          expect((e as ProxyValueError).message.startsWith(`${flag} ${JSON.stringify(value)}: `), (e as Error).message).toBe(true);
        }
      }
    }
  });

  it('accepts server names as each server takes them', () => {
    for (const type of TYPES) {
      for (const name of ['office.example.org', 'OFFICE.Example.org', 'localhost', '192.168.10.30', '[2001:db8::30]', '*.example.org', 'www.example.*']) {
        expect(parseServerName(type, name).name).toBe(name);
      }
    }
    expect(parseServerName('nginx', '.example.org').form).toBe('dot');
    expect(() => parseServerName('apache', '.example.org')).toThrow(/nginx's shorthand.*Apache takes one name: example\.org or \*\.example\.org/);
    expect(() => parseServerName('haproxy', '.example.org')).toThrow(/haproxy takes one name/);
    expect(() => parseServerName('nginx', 'bücher.example')).toThrow(/ASCII \(Punycode\) form, xn--bcher-kva\.example/);
    expect(() => parseServerName('nginx', '~^office')).toThrow(/regular-expression names are not offered/);
    expect(hostNameProblem('a'.repeat(64) + '.org')).toMatch(/not a DNS label/);
    expect(hostNameProblem('office.example.org')).toBeUndefined();
  });

  it('accepts listen addresses as [addr:]port and [IPv6]:port only, and no --listen for haproxy', () => {
    for (const l of ['80', '8443', '127.0.0.1:8080', '*:80', '[::1]:8080', '[2001:db8::1]:443', '0.0.0.0:80']) expect(checkListen(l)).toBe(l);
    expect(() => checkListen('localhost:80')).toThrow(/"localhost" is not an IP address/);
    expect(() => checkListen('99999')).toThrow(/from 1 to 65535/);
    expect(() => proxyInput({ ...request('haproxy', '--listen', '80') }, 'test')).toThrow(/--listen "80": haproxy's snippet is a backend/);
  });

  it('accepts upstreams and origins of host names and addresses', () => {
    expect(parseUpstream('ds.internal:8000')).toEqual({ host: 'ds.internal', port: 8000 });
    expect(parseUpstream('[2001:db8::30]:80')).toEqual({ host: '[2001:db8::30]', port: 80 });
    expect(checkOrigin('https://*.example.org')).toBe('https://*.example.org');
    expect(checkOrigin('http://[::1]:8080/')).toBe('http://[::1]:8080');
    expect(checkOrigin('https://Cloud.Example.org:8443')).toBe('https://cloud.example.org:8443');
  });

  it('never writes a line break into a comment', () => {
    expect(() => commentLines(['fine', 'not\nfine'])).toThrow(/line break/);
    expect(commentLines(['a', ''], '    ')).toEqual(['    # a', '    #']);
  });

  it('renders wildcard names the way each server matches them', () => {
    const snippet = (type: ProxyType, serverName: string) => proxySnippet(type, proxyInput({ type, allow: ['192.168.10.20'], upstream: '127.0.0.1:80', serverName, frameAncestors: [] }, 'test'));
    expect(snippet('nginx', '*.example.org')).toContain('    server_name *.example.org;\n');
    expect(snippet('apache', '*.example.org')).toContain('    ServerAlias *.example.org\n');
    expect(snippet('apache', '*.example.org')).not.toMatch(/^\s*ServerName /m);
    expect(snippet('apache', 'office.example.org')).toContain('    ServerName office.example.org\n');
    expect(snippet('haproxy', '*.example.org')).toContain('use_backend onlyoffice if { hdr_end(host) -i .example.org }');
    expect(snippet('haproxy', 'www.example.*')).toContain('use_backend onlyoffice if { hdr_beg(host) -i www.example. }');
  });
});

describe('ds-harden proxy with a hostile value (CLI)', () => {
  it('exits 2 naming the flag and the value, prints nothing and writes no file', () => {
    const dir = fs.mkdtempSync(path.join(inject('tmpBase'), 'dsh-proxy-hostile-'));
    const policy = path.join(dir, 'policy.json');
    fs.writeFileSync(policy, JSON.stringify({ allow: ['192.168.10.20\n    allow all;'] }));
    const cases: [ProxyType, string[], string][] = [
      ['nginx', ['--server-name', 'x;\n    return 200 pwned;'], '--server-name "x;\\n    return 200 pwned;"'],
      ['nginx', ['--listen', '80; listen 81'], '--listen "80; listen 81"'],
      ['apache', ['--server-name', 'office.example.org\n    ProxyPass / http://evil/'], '--server-name "office.example.org\\n    ProxyPass / http://evil/"'],
      ['apache', ['--listen', '*:80>\n<VirtualHost *:81'], '--listen "*:80>\\n<VirtualHost *:81"'],
      ['apache', ['--frame-ancestors', 'https://a"b.org'], '--frame-ancestors "https://a\\"b.org"'],
      ['haproxy', ['--server-name', 'a }\n    server evil 203.0.113.9:80 #'], '--server-name "a }\\n    server evil 203.0.113.9:80 #"'],
      ['haproxy', ['--upstream', '127.0.0.1:80\n    server evil 203.0.113.9:80'], '--upstream "127.0.0.1:80\\n    server evil 203.0.113.9:80"'],
      ['haproxy', ['--frame-ancestors', 'https://cloud.exa\nmple.org'], '--frame-ancestors "https://cloud.exa\\nmple.org"'],
      ['haproxy', ['--listen', '8080'], '--listen "8080": haproxy'],
      ['nginx', ['--allow', '10.0.0.5;'], '--allow "10.0.0.5;"'],
      ['nginx', ['--server-name', ''], '--server-name "": empty'],
    ];
    for (const [type, extra, named] of cases) {
      const out = path.join(dir, `${type}.conf`);
      const r = runCli(['proxy', '--type', type, ...(extra[0] === '--allow' ? [] : ['--allow', '192.168.10.20']), ...extra, '-o', out]);
      expect([r.code, r.stdout], `${type} ${extra.join(' ')}: ${r.stderr}`).toEqual([2, '']);
      expect(r.stderr).toContain(`ds-harden: ${named}`);
      expect(expectNoStack(r.stderr)).toBe(true);
      expect(fs.existsSync(out), `${out} was written`).toBe(false);
      // and nothing on standard output without -o
      const printed = runCli(['proxy', '--type', type, ...(extra[0] === '--allow' ? [] : ['--allow', '192.168.10.20']), ...extra]);
      expect([printed.code, printed.stdout]).toEqual([2, '']);
    }
    const fromPolicy = runCli(['proxy', '--type', 'nginx', '--policy', policy, '-o', path.join(dir, 'p.conf')]);
    expect([fromPolicy.code, fromPolicy.stdout]).toEqual([2, '']);
    expect(fromPolicy.stderr).toContain(`--policy ${policy}: "allow" item 1 "192.168.10.20\\n    allow all;": contains a space or control character`);
    expect(fs.existsSync(path.join(dir, 'p.conf'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['policy.json']);
  });

  it('-o into a folder that does not exist: exit 2 naming the folder', () => {
    const r = runCli(['proxy', '--type', 'nginx', '--allow', '192.168.10.20', '-o', '/definitely/not/here/x.conf']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'ds-harden: -o /definitely/not/here/x.conf: the folder /definitely/not/here does not exist\n']);
  });
});

describe('the "Regenerate with:" line', () => {
  it('run through /bin/sh as printed, it makes the same snippet (every argument quoted, globs and brackets included)', () => {
    const dir = fs.mkdtempSync(path.join(inject('tmpBase'), 'dsh-proxy-regen-'));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'ds-harden'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    // files an unquoted glob or bracket expression would expand to, in the folder the line is run in
    const cwd = path.join(dir, 'work');
    fs.mkdirSync(cwd);
    for (const f of ['10.1.evil', 'x.example.org', '1:8080', '1:8000', 'www.example.x']) fs.writeFileSync(path.join(cwd, f), '');
    for (const type of TYPES) {
      const args = ['proxy', '--type', type, '--allow', '10.1.*', '--allow', '192.168.10.20', '--upstream', '[::1]:8000', '--server-name', type === 'haproxy' ? 'www.example.*' : '*.example.org'];
      if (type !== 'haproxy') args.push('--listen', '[::1]:8080');
      args.push('--frame-ancestors', 'https://cloud.example.org', '--frame-ancestors', 'https://*.example.org');
      const first = runCli(args, { cwd });
      expect(first.code, first.stderr).toBe(0);
      const header = first.stdout.split('\n').filter((l) => l.startsWith('# Regenerate with: '));
      expect(header).toHaveLength(1);
      const line = header[0]!.slice('# Regenerate with: '.length);
      expect(line).toContain("--allow '10.1.*'");
      const again = spawnSync('/bin/sh', ['-c', line], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` } });
      expect(again.stderr, line).toBe('');
      expect(again.status).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      // the header is one comment block: no value ended it early
      const head = first.stdout.split('\n\n')[0]!.split('\n');
      expect(head.filter((l) => !l.startsWith('#'))).toEqual([]);
    }
  });
});
