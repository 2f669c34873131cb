/**
 * What ipfilter does not reach: DSH520 (said once in check), and the pure verdicts apply's simulation uses
 * (core/ds/reach.ts): "denied unless X-Forwarded-For is forged" when no overwriting proxy is known.
 */
import { describe, expect, it } from 'vitest';
import { run, LOCAL } from '../helpers/context.js';
import { ipfilterReach } from '../../src/core/rules/ipfilter/reach.js';
import { reach, useforrequestWarning, REACH_LABEL } from '../../src/core/ds/reach.js';

const local = (ipfilter: unknown) => JSON.stringify({ services: { CoAuthoring: { ipfilter } } }, null, 2);
const RULES = [
  { address: '192.168.10.20', allowed: true },
  { address: '127.0.0.1', allowed: true },
  { address: '*', allowed: false },
];

describe('DSH520 ipfilter does not restrict the welcome page, the editors or the websocket', () => {
  it('says so once, at useforrequest, when the filter is on for requests', async () => {
    const f = await run(ipfilterReach, { [LOCAL]: local({ rules: RULES, useforrequest: true }) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH520', severity: 'info', key: 'services.CoAuthoring.ipfilter.useforrequest', location: { file: LOCAL } });
    expect(f[0]!.message).toMatch(/welcome page, the example, \/index\.html, the editors .* websocket \(\/doc\/\) stay reachable/);
    expect(f[0]!.message).toMatch(/ds-harden proxy.*JWT/);
  });

  it('with rules but useforrequest off: they check no incoming request at all', async () => {
    const f = await run(ipfilterReach, { [LOCAL]: local({ rules: RULES }) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^useforrequest is off, so these rules check no incoming request at all/);
  });

  it('stays silent on the stock configuration (nobody configured ipfilter)', async () => {
    expect(await run(ipfilterReach, {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('reach(): who really gets through', () => {
  const s = { rules: RULES, useforrequest: true, errorcode: 403 };
  it('an address the rules deny is "denied unless X-Forwarded-For is forged" when no proxy overwrites the header', () => {
    const r = reach({ ...s, xffOverwritingProxy: false }, { ip: '203.0.113.50' });
    expect(r.verdict).toBe('denied-unless-xff-forged');
    expect(REACH_LABEL[r.verdict]).toBe('denied unless X-Forwarded-For is forged');
    expect(r.detail).toMatch(/rule #3 .* denied with HTTP 403 — unless the client sends X-Forwarded-For/);
  });

  it('plainly denied behind an overwriting proxy; allowed stays allowed', () => {
    expect(reach({ ...s, xffOverwritingProxy: true }, { ip: '203.0.113.50' }).verdict).toBe('denied');
    expect(reach({ ...s, xffOverwritingProxy: false }, { ip: '192.168.10.20' }).verdict).toBe('allowed');
  });

  it('without useforrequest incoming requests are not filtered; outgoing checks never depend on the header', () => {
    expect(reach({ ...s, useforrequest: false, xffOverwritingProxy: false }, { ip: '203.0.113.50' }).verdict).toBe('not-filtered');
    // DS reads useforrequest for truthiness: the string "false" turns it on
    expect(reach({ ...s, useforrequest: 'false', xffOverwritingProxy: false }, { ip: '203.0.113.50' }).verdict).toBe('denied-unless-xff-forged');
    expect(reach({ ...s, xffOverwritingProxy: false }, { hostname: 'nc.example.org', ip: '203.0.113.9' }).verdict).toBe('denied');
  });

  it('the apply --useforrequest warning names X-Forwarded-For and the proxy command, and is empty behind a known proxy', () => {
    const w = useforrequestWarning(false, 'ds-harden proxy --type haproxy --allow 192.168.10.20');
    expect(w).toMatch(/left-most X-Forwarded-For/);
    expect(w).toContain('`ds-harden proxy --type haproxy --allow 192.168.10.20`');
    expect(w).toMatch(/welcome page, the editors, static files or the websocket/);
    expect(useforrequestWarning(true, 'x')).toBe('');
  });
});
