import { describe, expect, it } from 'vitest';
import { context, run, stockFiles, LOCAL, ETC } from '../helpers/context.js';
import { evaluate } from '../../src/core/evaluate.js';
import type { DsVersionInfo } from '../../src/core/types.js';
import { V } from '../../src/core/ds/versions.js';
import { ssrfRules } from '../../src/core/rules/ssrf/index.js';
import { privateAddresses } from '../../src/core/rules/ssrf/private-addresses.js';
import { directAllowList } from '../../src/core/rules/ssrf/direct-allow-list.js';
import { tlsVerification } from '../../src/core/rules/ssrf/tls-verification.js';

const DEFAULT = `${ETC}/default.json`;
const RFA = 'services.CoAuthoring.request-filtering-agent';

/** 1-based line of the first line containing `needle` (after line `after`, when given). */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`${needle} not found`);
}

/** Pretty-printed local.json under services.CoAuthoring (and top-level extras). */
function local(co: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...top, services: { CoAuthoring: co } }, null, 2) + '\n';
}
const JWT_ON = { token: { enable: { request: { inbox: true, outbox: true }, browser: true } } };

describe('DSH510 requests to private or cloud-metadata addresses are allowed', () => {
  it('7.3.3 stock (request-filtering-agent true/true, JWT off): both high, at default.json', async () => {
    const def = stockFiles('v7.3.3')[DEFAULT]!;
    const rfaLine = lineOf(def, '"request-filtering-agent"');
    const f = await run(privateAddresses, {}, { release: 'v7.3.3' });
    expect(f.map((x) => [x.ruleId, x.severity, x.key, x.location?.file, x.location?.line])).toEqual([
      ['DSH510', 'high', `${RFA}.allowPrivateIPAddress`, DEFAULT, lineOf(def, '"allowPrivateIPAddress"', rfaLine)],
      ['DSH510', 'high', `${RFA}.allowMetaIPAddress`, DEFAULT, lineOf(def, '"allowMetaIPAddress"', rfaLine)],
    ]);
    expect(f[0]!.message).toContain('169.254.169.254');
    expect(f[0]!.message).toContain('anyone who can reach DS');
    expect(f[1]!.message).toContain('0.0.0.0');
  });

  it('with JWT on: private addresses stay high (cloud metadata), the meta addresses drop to medium', async () => {
    const f = await run(privateAddresses, { [LOCAL]: local(JWT_ON) }, { release: 'v7.3.3' });
    expect(f.map((x) => [x.severity, x.key])).toEqual([
      ['high', `${RFA}.allowPrivateIPAddress`],
      ['medium', `${RFA}.allowMetaIPAddress`],
    ]);
  });

  it('7.4.1 stock is safe; local.json re-allowing private addresses is reported at its line', async () => {
    expect(await run(privateAddresses, {}, { release: 'v7.4.1' })).toEqual([]);
    const text = local({ 'request-filtering-agent': { allowPrivateIPAddress: true } });
    const f = await run(privateAddresses, { [LOCAL]: text }, { release: 'v7.4.1' });
    expect(f).toMatchObject([{ ruleId: 'DSH510', severity: 'high', key: `${RFA}.allowPrivateIPAddress` }]);
    expect(f[0]!.location).toMatchObject({ file: LOCAL, line: lineOf(text, 'allowPrivateIPAddress') });
  });

  it('is silent before request-filtering-agent existed (5.6.5: DSH700 covers it)', async () => {
    expect(await run(privateAddresses, {}, { release: 'v5.6.5' })).toEqual([]);
  });

  it('9.3.0 stock is safe', async () => {
    expect(await run(privateAddresses, {}, { release: 'v9.3.0' })).toEqual([]);
  });

  it('9.3.0 with externalRequest.action.blockPrivateIP false: high at local.json, even with JWT on', async () => {
    const text = JSON.stringify({ externalRequest: { action: { blockPrivateIP: false } }, services: { CoAuthoring: JWT_ON } }, null, 2);
    const f = await run(privateAddresses, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toMatchObject([{ ruleId: 'DSH510', severity: 'high', key: 'externalRequest.action.blockPrivateIP' }]);
    expect(f[0]!.location).toMatchObject({ file: LOCAL, line: lineOf(text, 'blockPrivateIP') });
    expect(f[0]!.message).toContain('no address filter at all');
  });

  it('9.3.0 with action.allow false refuses non-direct URLs, so blockPrivateIP false does not matter', async () => {
    const text = JSON.stringify({ externalRequest: { action: { allow: false, blockPrivateIP: false } } });
    expect(await run(privateAddresses, { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('9.3.0 with blockPrivateIP on but request-filtering-agent allowing: graded per key', async () => {
    const off = await run(privateAddresses, { [LOCAL]: local({ 'request-filtering-agent': { allowMetaIPAddress: true } }) }, { release: 'v9.3.0' });
    expect(off).toMatchObject([{ severity: 'high', key: `${RFA}.allowMetaIPAddress` }]);
    const on = await run(
      privateAddresses,
      { [LOCAL]: local({ ...JWT_ON, 'request-filtering-agent': { allowMetaIPAddress: true, allowPrivateIPAddress: true } }) },
      { release: 'v9.3.0' },
    );
    expect(on.map((x) => [x.severity, x.key])).toEqual([
      ['high', `${RFA}.allowPrivateIPAddress`],
      ['medium', `${RFA}.allowMetaIPAddress`],
    ]);
  });

  it('a version range straddling 8.1 is decided by whether default.json has externalRequest', async () => {
    const text = JSON.stringify({ externalRequest: { action: { blockPrivateIP: false } } });
    const ctx = await context({ [LOCAL]: text }, { release: 'v8.1.1' });
    const version: DsVersionInfo = { min: V('8.0.0'), max: V('8.1.999'), exact: false, source: 'fingerprint', label: '8.0–8.1', parser: 'config2' };
    expect(evaluate([privateAddresses], { ...ctx, version })).toMatchObject([{ key: 'externalRequest.action.blockPrivateIP' }]);
  });
});

describe('DSH511 externalRequest.directIfIn.allowList lets URLs skip the private-IP filter', () => {
  it('stock 9.3.0 (empty list): nothing', async () => {
    expect(await run(directAllowList, {}, { release: 'v9.3.0' })).toEqual([]);
  });

  it('lists the entries (medium), at the allowList line', async () => {
    const text = JSON.stringify({ externalRequest: { directIfIn: { allowList: ['https://nc.example.com/', 'http://10.0.0.5/'] } } }, null, 2);
    const f = await run(directAllowList, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toMatchObject([{ ruleId: 'DSH511', severity: 'medium', key: 'externalRequest.directIfIn.allowList' }]);
    expect(f[0]!.location).toMatchObject({ file: LOCAL, line: lineOf(text, 'allowList') });
    expect(f[0]!.message).toContain('"https://nc.example.com/", "http://10.0.0.5/"');
    expect(f[0]!.message).toContain('without the private-IP filter');
    expect(f[0]!.message).toContain('directIfIn.jwtToken is set but has no effect');
    expect(f[0]!.message).not.toContain('attacker.example');
  });

  it('explains the plain prefix match for an entry without "/" after the host', async () => {
    const text = JSON.stringify({ externalRequest: { directIfIn: { allowList: ['http://nc.example.com'] } } });
    const f = await run(directAllowList, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]!.severity).toBe('medium');
    expect(f[0]!.message).toContain('"http://nc.example.com.attacker.example/"');
  });

  it('an entry that prefixes every URL ("" or "https://") is high', async () => {
    for (const entry of ['', 'https://']) {
      const text = JSON.stringify({ externalRequest: { directIfIn: { allowList: [entry] } } });
      const f = await run(directAllowList, { [LOCAL]: text }, { release: 'v9.3.0' });
      expect(f).toMatchObject([{ ruleId: 'DSH511', severity: 'high' }]);
      expect(f[0]!.message).toContain('every URL is direct');
    }
  });
});

describe('DSH600 TLS certificate verification is disabled for outgoing requests', () => {
  const KEY = 'services.CoAuthoring.requestDefaults.rejectUnauthorized';

  it('the key exists in the stock default.json with true: nothing', async () => {
    const def = stockFiles('v9.3.0')[DEFAULT]!;
    expect(def).toContain('"rejectUnauthorized": true');
    expect(await run(tlsVerification, {}, { release: 'v9.3.0' })).toEqual([]);
  });

  it('false: high at the local.json line', async () => {
    const text = local({ requestDefaults: { rejectUnauthorized: false } });
    const f = await run(tlsVerification, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toMatchObject([{ ruleId: 'DSH600', severity: 'high', key: KEY }]);
    expect(f[0]!.location).toMatchObject({ file: LOCAL, line: lineOf(text, 'rejectUnauthorized') });
  });

  it('the string "false": low, verification stays on', async () => {
    const text = local({ requestDefaults: { rejectUnauthorized: 'false' } });
    const f = await run(tlsVerification, { [LOCAL]: text }, { release: 'v8.3.3' });
    expect(f).toMatchObject([{ ruleId: 'DSH600', severity: 'low', key: KEY }]);
    expect(f[0]!.message).toContain('verification stays ON');
    expect(f[0]!.message).toContain('the string "false" does not mean false');
  });

  it('keeps the other requestDefaults when only headers are overridden', async () => {
    const text = local({ requestDefaults: { headers: { 'User-Agent': 'x' } } });
    expect(await run(tlsVerification, { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('ssrfRules', () => {
  it('exports DSH510, DSH511, DSH600', () => {
    expect(ssrfRules.map((r) => r.id)).toEqual(['DSH510', 'DSH511', 'DSH600']);
  });
});
