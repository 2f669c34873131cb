/** ds-harden proxy: address conversion (same --allow values as apply) and the command's usage errors. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { allowedBlocks, checkOrigin, globToCidr, parseUpstream } from '../../src/core/proxy/common.js';
import { INTEGRATOR_ROUTES, routesRegex } from '../../src/core/ds/routes.js';
import { runCli } from '../helpers/cli.js';

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
