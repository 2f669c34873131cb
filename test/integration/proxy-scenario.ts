/**
 * One scenario for every proxy type: the snippet `ds-harden proxy` emits, run by the real server in front of a
 * recording upstream, with real requests from two loopback source addresses: 127.0.0.2 (the integrator) and
 * 127.0.0.3 (an outsider).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { proxySnippet } from '../../src/core/proxy/index.js';
import { proxyInput } from '../../src/core/proxy/input.js';
import type { ProxyType } from '../../src/core/proxy/common.js';
import { checkProxyConfig, request, startUpstream, upgrade, type RunningProxy, type Upstream } from '../support/proxies.js';

export const INTEGRATOR = '127.0.0.2';
export const OUTSIDER = '127.0.0.3';

/** Server-to-server routes (and the public pages that should not be public), in the spellings that reach DS. */
export const BLOCKED: readonly { method: string; path: string }[] = [
  { method: 'POST', path: '/coauthoring/CommandService.ashx' },
  { method: 'GET', path: '/coauthoring/CommandService.ashx?c=version' },
  { method: 'POST', path: '/command' },
  { method: 'POST', path: '/ConvertService.ashx' },
  { method: 'POST', path: '/converter' },
  { method: 'POST', path: '/docbuilder' },
  { method: 'GET', path: '/healthcheck' },
  { method: 'GET', path: '/healthcheck/' },
  { method: 'GET', path: '/HealthCheck' },
  { method: 'GET', path: '/info/info.json' },
  { method: 'GET', path: '/welcome/' },
  { method: 'GET', path: '/example/' },
  { method: 'GET', path: '/hosting/discovery' },
  { method: 'POST', path: '/cool/convert-to/pdf' },
  // DS's nginx strips a version prefix and passes the rest to DocService
  { method: 'POST', path: '/9.3.1-abcdef/command' },
  { method: 'GET', path: '/9.3.1-abcdef/healthcheck' },
];

/** What the editors need from every browser. */
export const EDITOR: readonly { method: string; path: string }[] = [
  { method: 'GET', path: '/web-apps/apps/api/documents/api.js' },
  { method: 'GET', path: '/9.3.1-abcdef/web-apps/apps/documenteditor/main/app.js' },
  { method: 'GET', path: '/sdkjs/word/sdk-all.js' },
  { method: 'GET', path: '/fonts/000' },
  { method: 'GET', path: '/cache/files/data/key_1/output.docx/output.docx?md5=x&expires=1&filename=output.docx' },
  { method: 'POST', path: '/downloadas/key1?cmd=x' },
  { method: 'GET', path: '/doc/key1/c/?EIO=4&transport=polling' },
  { method: 'GET', path: '/index.html' },
];

export function proxyScenario(type: ProxyType, start: (dir: string, snippetFor: (listen: string) => string) => Promise<RunningProxy>): void {
  describe(`${type} in front of DS (real server, snippet from ds-harden proxy)`, () => {
    let upstream: Upstream;
    let proxy: RunningProxy;
    let snippet = '';

    beforeAll(async () => {
      upstream = await startUpstream();
      const dir = fs.mkdtempSync(path.join(inject('tmpBase'), `dsh-${type}-`));
      const snippetFor = (listen: string) =>
        (snippet = proxySnippet(
          type,
          proxyInput(
            {
              type,
              allow: [INTEGRATOR],
              upstream: `127.0.0.1:${upstream.port}`,
              // haproxy's address is the test frontend's bind line
              ...(type === 'haproxy' ? {} : { listen }),
              serverName: 'office.example.org',
              frameAncestors: ['https://cloud.example.org'],
            },
            'test',
          ),
        ));
      proxy = await start(dir, snippetFor);
    }, 20_000);

    afterAll(async () => {
      await proxy?.stop();
      await upstream?.close();
    });

    it("passes the server's own configuration check", () => {
      expect(proxy.check.output).not.toMatch(/\[(ALERT|WARNING)\]|\[emerg\]|\[warn\]|AH\d+: .*(error|warn)/i);
      expect(proxy.check.status, proxy.check.output).toBe(0);
    });

    it('refuses the server-to-server routes, /info, /welcome and /example to an outsider; DS never sees them', async () => {
      for (const r of BLOCKED) {
        const before = upstream.seen.length;
        const res = await request(proxy.port, OUTSIDER, r.path, { method: r.method, body: r.method === 'POST' ? '{"c":"version"}' : undefined });
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(upstream.seen.length, `${r.method} ${r.path} reached the upstream`).toBe(before);
      }
    });

    it('refuses encoded and dot-segment spellings of them too (DS\'s nginx would normalise them into a route)', async () => {
      for (const p of ['/%63ommand', '/a/../command', '/web-apps/../healthcheck', '/9.3.1-abcdef/%68ealthcheck', '//command', '/9.3.1-abcdef/x/../info/info.json']) {
        const before = upstream.seen.length;
        const res = await request(proxy.port, OUTSIDER, p, { method: 'POST', body: '{"c":"version"}' });
        expect([400, 403], `${p} → ${res.status}`).toContain(res.status);
        expect(upstream.seen.length, `${p} reached the upstream`).toBe(before);
      }
    });

    it('still refuses them when the outsider claims the integrator address in X-Forwarded-For', async () => {
      for (const value of [INTEGRATOR, `${INTEGRATOR}, ${OUTSIDER}`, 'unknown']) {
        const res = await request(proxy.port, OUTSIDER, '/coauthoring/CommandService.ashx', { method: 'POST', headers: { 'x-forwarded-for': value }, body: '{"c":"version"}' });
        expect(res.status, value).toBe(403);
      }
    });

    it('lets the integrator through to every one of them', async () => {
      for (const r of BLOCKED) {
        const before = upstream.seen.length;
        const res = await request(proxy.port, INTEGRATOR, r.path, { method: r.method, body: r.method === 'POST' ? '{"c":"version"}' : undefined });
        expect(res.status, `${r.method} ${r.path}`).toBe(200);
        expect(upstream.seen.length).toBe(before + 1);
      }
    });

    it('leaves the editors, static files, cache files and editor calls working for both', async () => {
      for (const from of [INTEGRATOR, OUTSIDER]) {
        for (const r of EDITOR) {
          const res = await request(proxy.port, from, r.path, { method: r.method, body: r.method === 'POST' ? 'x' : undefined });
          expect(res.status, `${from} ${r.method} ${r.path}`).toBe(200);
          expect(upstream.seen.at(-1)?.url).toBe(r.path);
        }
      }
    });

    it('passes the editor websocket upgrade for both', async () => {
      for (const from of [INTEGRATOR, OUTSIDER]) {
        const before = upstream.seen.length;
        expect(await upgrade(proxy.port, from, '/doc/key1/c/?EIO=4&transport=websocket'), from).toBe(101);
        const last = upstream.seen.at(-1)!;
        expect(upstream.seen.length).toBe(before + 1);
        expect(last.upgrade).toBe(true);
        expect(last.headers['x-forwarded-for']).toBe(from);
      }
    });

    it('hands DS the real client address whatever X-Forwarded-For the client sent', async () => {
      const sent = [undefined, '127.0.0.1', `${INTEGRATOR}, 10.9.8.7`, 'unknown', '0:0:0:0:0:0:0:1'];
      for (const from of [INTEGRATOR, OUTSIDER]) {
        for (const value of sent) {
          await request(proxy.port, from, '/web-apps/apps/api/documents/api.js', value ? { headers: { 'x-forwarded-for': value } } : {});
          const h = upstream.seen.at(-1)!.headers;
          expect(h['x-forwarded-for'], `${from} sent ${value}`).toBe(from);
        }
      }
    });

    it('refuses /internal to everybody, the integrator included', async () => {
      for (const from of [INTEGRATOR, OUTSIDER]) {
        const res = await request(proxy.port, from, '/internal/cluster/inactive', { method: 'GET' });
        expect(res.status, from).toBe(403);
      }
    });

    it('sets frame-ancestors so only the integrator can embed the editor', async () => {
      const res = await request(proxy.port, OUTSIDER, '/web-apps/apps/documenteditor/main/index.html');
      expect(res.headers['content-security-policy']).toBe("frame-ancestors 'self' https://cloud.example.org");
    });

    it('every server-name and listen form ds-harden accepts for it passes the server\'s own check', async () => {
      const names = ['office.example.org', '*.example.org', 'www.example.*', '192.168.10.30', '[2001:db8::30]', ...(type === 'nginx' ? ['.example.org'] : [])];
      const listens = (l: string) => (type === 'haproxy' ? [undefined] : [l, `*:${l.split(':')[1]}`, `[::1]:${l.split(':')[1]}`, l.split(':')[1]!]);
      for (let i = 0; i < names.length; i++) {
        let shown = '';
        const dir = fs.mkdtempSync(path.join(inject('tmpBase'), `dsh-${type}-forms-`));
        const check = await checkProxyConfig(type, dir, (l) => {
          const all = listens(l);
          const listen = all[i % all.length];
          shown = `--server-name ${names[i]} --listen ${listen}`;
          return proxySnippet(
            type,
            proxyInput(
              {
                type,
                allow: [INTEGRATOR, '10.1.*', '2001:db8::/32'],
                upstream: i % 2 ? `[::1]:${upstream.port}` : `localhost:${upstream.port}`,
                ...(listen !== undefined ? { listen } : {}),
                serverName: names[i]!,
                frameAncestors: ['https://cloud.example.org', 'https://*.example.org', 'http://[::1]:8080'],
              },
              'test',
            ),
          );
        });
        expect(check.status, `${shown}: ${check.output}`).toBe(0);
        expect(check.output, shown).not.toMatch(/\[(ALERT|WARNING)\]|\[emerg\]|AH\d+: .*error/i);
      }
    });

    it('explains each block in comments', () => {
      expect(snippet).toMatch(/X-Forwarded-For is .*(replaced|dropped|never what the client sent)/);
      expect(snippet).toMatch(/integrator only/);
      expect(snippet).toMatch(/websocket/i);
    });
  });
}
