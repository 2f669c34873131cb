/**
 * ipfilter rules (DSH500–DSH509, DSH512, DSH513) on the real upstream default.json of each release.
 * local.json texts are multi-line so that line/column assertions point at the exact array element.
 */
import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import { ipfilterRules } from '../../src/core/rules/ipfilter/index.js';
import type { Finding } from '../../src/core/types.js';

const byId = (id: string) => {
  const r = ipfilterRules.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};
const RULES = 'services.CoAuthoring.ipfilter.rules';
const UFR = 'services.CoAuthoring.ipfilter.useforrequest';
const ERRC = 'services.CoAuthoring.ipfilter.errorcode';
const RUNTIME = '/var/www/onlyoffice/Data/runtime.json';

/**
 * local.json with an ipfilter block whose body starts on line 5:
 *   1 {
 *   2   "services": {
 *   3     "CoAuthoring": {
 *   4       "ipfilter": {
 *   5 <body line 1>
 */
const ipf = (...body: string[]) => `{\n  "services": {\n    "CoAuthoring": {\n      "ipfilter": {\n${body.join('\n')}\n      }\n    }\n  }\n}\n`;

/** The same with JWT inbox on (token block on line 4): the ipfilter body starts on line 6. */
const ipfJwt = (inbox: unknown, ...body: string[]) =>
  `{\n  "services": {\n    "CoAuthoring": {\n      "token": {"enable": {"request": {"inbox": ${JSON.stringify(inbox)}}}},\n      "ipfilter": {\n${body.join('\n')}\n      }\n    }\n  }\n}\n`;

/** A rule line inside "rules": [ … ]: `{` in column 11, `"address"` in column 12. */
const rule = (address: unknown, allowed: unknown, last = false) =>
  `          {"address": ${JSON.stringify(address)}, "allowed": ${JSON.stringify(allowed)}}${last ? '' : ','}`;

const only = (f: Finding[], id: string) => f.filter((x) => x.ruleId === id);

describe('DSH500 ipfilter lets every address through', () => {
  it('fires high on the stock configuration (JWT inbox off), pointing at the "*" rule in default.json', async () => {
    const f = await run(byId('DSH500'), {}, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH500',
      severity: 'high',
      key: `${RULES}.0.address`,
      location: { file: `${ETC}/default.json`, line: 458, column: 20 },
    });
    expect(f[0]!.message).toContain('outgoing');
    expect(f[0]!.message).toContain('useforrequest is off');
  });
  it('fires on the oldest release too (5.2.9 stock)', async () => {
    const f = await run(byId('DSH500'), {}, { release: 'v5.2.9' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH500', severity: 'high', location: { file: `${ETC}/default.json` } });
  });
  it('is medium when JWT inbox is on, and points at the local.json element that allows everything', async () => {
    const text = ipfJwt(true, '        "rules": [', rule('*', true, true), '        ]');
    const f = await run(byId('DSH500'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH500', severity: 'medium', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
  });
  it('treats inbox "false" (a string) as on: medium', async () => {
    const text = ipfJwt('false', '        "rules": [', rule('*', true, true), '        ]');
    const f = await run(byId('DSH500'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH500', severity: 'medium' });
  });
  it('fires for rules that deny only with a CIDR that never matches', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.0/8', false), rule('*', true, true), '        ]');
    const f = await run(byId('DSH500'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH500', key: `${RULES}.1.address`, location: { file: LOCAL, line: 7, column: 12 } });
  });
  it('is silent for an allow-list with a final deny', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH500'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
  it('leaves an allow-list without a final deny to DSH501', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true, true), '        ]');
    const f = await run(ipfilterRules, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(only(f, 'DSH500')).toEqual([]);
    expect(only(f, 'DSH501')).toHaveLength(1);
  });
  it('leaves rules that are not an array to DSH505', async () => {
    const text = ipf('        "rules": {"address": "*", "allowed": true}');
    expect(await run(byId('DSH500'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH501 the allow-list has no final deny', () => {
  it('fires for allow rules only, pointing at the rules array in local.json', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('10.0.0.5', true), rule('127.0.0.1', true, true), '        ]');
    const f = await run(byId('DSH501'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH501', severity: 'high', key: RULES, location: { file: LOCAL, line: 6, column: 9 } });
    expect(f[0]!.message).toContain('"10.0.0.5", "127.0.0.1"');
    expect(f[0]!.message).toContain('198.51.100.23');
  });
  it('fires when the final deny covers only IPv4 ("*.*" never matches the IPv6 form DS tests)', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('*.*', false, true), '        ]');
    const f = await run(byId('DSH501'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH501', location: { line: 5, column: 9 } });
    expect(f[0]!.message).toContain('2001:db8:dead:beef::7 matches no rule and is allowed');
    expect(f[0]!.message).not.toContain('198.51.100.23');
  });
  it('does not double-report with DSH500 when the first rule is "*" allow', async () => {
    const text = ipf('        "rules": [', rule('*', true), rule('10.0.0.5', true), rule('*', false, true), '        ]');
    const f = await run(ipfilterRules, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(only(f, 'DSH501')).toEqual([]);
    expect(only(f, 'DSH500')).toHaveLength(1);
  });
  it('is silent with a reachable final deny', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH501'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH502 a CIDR address never matches', () => {
  it('fires for 127.0.0.0/8 (observed: matches nothing) and suggests "127.*"', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('127.0.0.0/8', false), rule('*', true, true), '        ]');
    const f = await run(byId('DSH502'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH502', severity: 'high', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
    expect(f[0]!.message).toContain('Write "127.*" instead');
    expect(f[0]!.message).toContain('not denied');
  });
  it('tells to list the addresses when no glob expresses the block', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('172.16.0.0/12', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH502'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ key: `${RULES}.1.address`, location: { line: 7, column: 12 } });
    expect(f[0]!.message).toContain('list the addresses');
  });
  it('is silent for the glob form', async () => {
    const text = ipf('        "rules": [', rule('127.*', false), rule('*', true, true), '        ]');
    expect(await run(byId('DSH502'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH503 compressed or non-normalized IPv6', () => {
  it('fires for "::1" (observed: never matches) and suggests 0:0:0:0:0:0:0:1', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('::1', false), rule('*', true, true), '        ]');
    const f = await run(byId('DSH503'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH503', severity: 'high', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
    expect(f[0]!.message).toContain('Write "0:0:0:0:0:0:0:1" instead');
  });
  it('fires for leading zeros', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('2001:0db8:0:0:0:0:0:1', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH503'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ key: `${RULES}.1.address`, location: { line: 7, column: 12 } });
    expect(f[0]!.message).toContain('"2001:db8:0:0:0:0:0:1"');
  });
  it('fires high for the dotted notation of the official docs, with the corrected address (not DSH508\'s host name)', async () => {
    const docs = '2001.0db8.0000.0000.0000.0000.0000.0001';
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule(docs, true), rule('127.0.0.1', true), rule('*', false, true), '        ]');
    const f = await run(ipfilterRules, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(only(f, 'DSH508')).toEqual([]);
    expect(only(f, 'DSH503')).toHaveLength(1);
    expect(only(f, 'DSH503')[0]).toMatchObject({ severity: 'high', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
    expect(only(f, 'DSH503')[0]!.message).toContain('Write "2001:db8:0:0:0:0:0:1" instead');
    expect(only(f, 'DSH503')[0]!.message).toContain('the addresses it was meant to allow fall through');
  });
  it('fires for a dotted glob and for brackets', async () => {
    const text = ipf('        "rules": [', rule('2001.0db8.*', true), rule('[fe80::1]', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH503'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f.map((x) => [x.key, /Write "([^"]+)" instead/.exec(x.message)?.[1]])).toEqual([
      [`${RULES}.0.address`, '2001:db8:*'],
      [`${RULES}.1.address`, 'fe80:0:0:0:0:0:0:1'],
    ]);
  });
  it('is silent for the full form, in either case (DS matches case-insensitively)', async () => {
    const text = ipf('        "rules": [', rule('0:0:0:0:0:0:0:1', true), rule('2001:DB8:0:0:0:0:0:1', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH503'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH504 string where DS expects a boolean', () => {
  it('fires for "allowed": "false" (observed: allows), pointing at "allowed"', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('*', 'false', true), '        ]');
    const f = await run(byId('DSH504'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH504', severity: 'high', key: `${RULES}.1.allowed`, location: { file: LOCAL, line: 7, column: 28 } });
    expect(f[0]!.message).toContain('DS ALLOWS');
  });
  it('fires for "useforrequest": "false" (observed: filtering on)', async () => {
    const text = ipf('        "useforrequest": "false",', '        "rules": [', rule('*', false, true), '        ]');
    const f = await run(byId('DSH504'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH504', severity: 'high', key: UFR, location: { file: LOCAL, line: 5, column: 9 } });
    expect(f[0]!.message).toContain('DS filters incoming API requests');
    expect(f[0]!.message).toContain('deny some clients');
  });
  it('is low when the string agrees with its effect ("true" allows)', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', 'true'), rule('*', false, true), '        ]');
    const f = await run(byId('DSH504'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'low', key: `${RULES}.0.allowed`, location: { line: 6, column: 35 } });
  });
  it('is silent for booleans', async () => {
    const text = ipf('        "useforrequest": false,', '        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH504'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH505 malformed rules', () => {
  it('fires for rules as an object (observed: everything allowed)', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": {"address": "*", "allowed": false}');
    const f = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH505', severity: 'critical', key: RULES, location: { file: LOCAL, line: 6, column: 9 } });
    expect(f[0]!.message).toContain('every address is allowed');
  });
  it('fires for rules as a string: HTTP 500 on 9.x (observed), no start on 7.4', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": "nope"');
    const f9 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f9[0]).toMatchObject({ severity: 'critical', key: RULES, location: { line: 6, column: 9 } });
    expect(f9[0]!.message).toContain('HTTP 500');
    const f7 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v7.4.1' });
    expect(f7[0]!.message).toContain('do not start');
  });
  it('fires for a numeric address (observed: HTTP 500), with the version-specific effect', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule(127, false), rule('*', true, true), '        ]');
    const f9 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f9).toHaveLength(1);
    expect(f9[0]).toMatchObject({ ruleId: 'DSH505', severity: 'critical', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
    expect(f9[0]!.message).toContain('a check that reaches this rule throws');
    const f8 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v8.0.0' });
    expect(f8[0]!.message).toContain('7.5 – 8.2');
    const f7 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v7.0.0' });
    expect(f7[0]!.message).toContain('do not start');
  });
  it('fires for an entry that is not an object, pointing at the element', async () => {
    const text = ipf('        "rules": [', '          "10.0.0.5",', rule('*', false, true), '        ]');
    const f = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ key: `${RULES}.0`, location: { line: 6, column: 11 } });
    expect(f[0]!.message).toContain('not an object');
  });
  it('is medium on 9.x for a bad rule behind "*" (never reached), critical on 8.2 (all rules compiled)', async () => {
    const text = ipf('        "rules": [', rule('*', true), '          {"allowed": false}', '        ]');
    const f9 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f9[0]).toMatchObject({ severity: 'medium', key: `${RULES}.1`, location: { line: 7, column: 11 } });
    expect(f9[0]!.message).toContain('has no "address"');
    const f8 = await run(byId('DSH505'), { [LOCAL]: text }, { release: 'v8.2.2' });
    expect(f8[0]).toMatchObject({ severity: 'critical' });
  });
  it('is silent for well-formed rules', async () => {
    expect(await run(byId('DSH505'), {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH506 shadowed rule', () => {
  it('fires for a deny appended after the stock "*" allow', async () => {
    const text = ipf('        "rules": [', rule('*', true), rule('10.0.0.5', false, true), '        ]');
    const f = await run(byId('DSH506'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH506', severity: 'medium', key: `${RULES}.1.address`, location: { file: LOCAL, line: 7, column: 12 } });
    expect(f[0]!.message).toContain('never happens');
  });
  it('fires for a specific rule after a broader prefix glob', async () => {
    const text = ipf('        "rules": [', rule('10.*', true), rule('10.1.2.3', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH506'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ key: `${RULES}.1.address`, location: { line: 7, column: 12 } });
    expect(f[0]!.message).toContain('redundant');
  });
  it('is silent when specific rules come first', async () => {
    const text = ipf('        "rules": [', rule('10.1.2.3', false), rule('10.*', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH506'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH507 errorcode does not block', () => {
  it('fires high for 200 with useforrequest (observed: "200 OK")', async () => {
    const text = ipf('        "useforrequest": true,', '        "errorcode": 200,', '        "rules": [', rule('*', false, true), '        ]');
    const f = await run(byId('DSH507'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH507', severity: 'high', key: ERRC, location: { file: LOCAL, line: 6, column: 9 } });
    expect(f[0]!.message).toContain('HTTP 200 "OK"');
  });
  it('is low for 200 without useforrequest (only outgoing checks, which block on any non-zero value)', async () => {
    const text = ipf('        "errorcode": 200');
    const f = await run(byId('DSH507'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'low', location: { line: 5, column: 9 } });
  });
  it('fires high for 0 even without useforrequest: outgoing checks pass too', async () => {
    const text = ipf('        "errorcode": 0');
    const f = await run(byId('DSH507'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'high', key: ERRC, location: { line: 5, column: 9 } });
    expect(f[0]!.message).toContain('not blocked either');
  });
  it('is medium for a negative value without useforrequest (CommandService callbacks pass)', async () => {
    const f = await run(byId('DSH507'), { [LOCAL]: ipf('        "errorcode": -1') }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'medium' });
    expect(f[0]!.message).toContain('CommandService');
  });
  it('is medium for 5000 with useforrequest (HTTP 500 instead)', async () => {
    const text = ipf('        "useforrequest": true,', '        "errorcode": 5000');
    const f = await run(byId('DSH507'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'medium', location: { line: 6, column: 9 } });
    expect(f[0]!.message).toContain('HTTP 500');
  });
  it('is silent for the stock 403, for "403" (observed to work) and for 5.2\'s 401', async () => {
    expect(await run(byId('DSH507'), {}, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(byId('DSH507'), { [LOCAL]: ipf('        "errorcode": "403"') }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(byId('DSH507'), {}, { release: 'v5.2.9' })).toEqual([]);
  });
});

describe('DSH508 host name or never-matching text', () => {
  it('fires medium for a host name with useforrequest', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('nextcloud.example.com', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH508'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH508', severity: 'medium', key: `${RULES}.0.address`, location: { file: LOCAL, line: 7, column: 12 } });
  });
  it('is silent for a host name without useforrequest (legitimate for outgoing checks)', async () => {
    const text = ipf('        "rules": [', rule('nextcloud.example.com', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH508'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
  it('fires low for a range without useforrequest (it matches nothing at all)', async () => {
    const text = ipf('        "rules": [', rule('10.0.0.5', true), rule('10.0.0.1-10.0.0.9', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH508'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'low', key: `${RULES}.1.address`, location: { line: 7, column: 12 } });
  });
  it('fires medium for an address with spaces under useforrequest', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule(' 10.0.0.5', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH508'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'medium', location: { line: 7, column: 12 } });
    expect(f[0]!.message).toContain('whitespace');
  });
  it('is silent for IPs with useforrequest', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH508'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH509 useforrequest trusts X-Forwarded-For', () => {
  it('fires medium when useforrequest is on and the rules refuse clients', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('127.0.0.1', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH509'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH509', severity: 'medium', key: UFR, location: { file: LOCAL, line: 5, column: 9 } });
    expect(f[0]!.message).toContain('left-most X-Forwarded-For');
    expect(f[0]!.message).toContain('no IP address');
  });
  it('is info when the rules deny nothing', async () => {
    const text = ipf('        "useforrequest": true');
    const f = await run(byId('DSH509'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'info', location: { line: 5, column: 9 } });
  });
  it('is silent with useforrequest off (stock)', async () => {
    expect(await run(byId('DSH509'), {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH512 loopback denied with useforrequest', () => {
  it('fires for an allow-list without loopback, pointing at the deny that catches it', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH512'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH512', severity: 'high', key: `${RULES}.1.address`, location: { file: LOCAL, line: 8, column: 12 } });
    expect(f[0]!.message).toContain('127.0.0.1');
    expect(f[0]!.message).toContain('{"address":"0:0:0:0:0:0:0:1","allowed":true}');
  });
  it('fires for the observed lab rule (127.0.0.1 denied → healthcheck 403), IPv4 only', async () => {
    const text = ipf('        "useforrequest": true,', '        "rules": [', rule('127.0.0.1', false), rule('*', true, true), '        ]');
    const f = await run(byId('DSH512'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ key: `${RULES}.0.address`, location: { line: 7, column: 12 } });
    expect(f[0]!.message).not.toContain('::1 (');
  });
  it('is silent when loopback is allowed, or without useforrequest', async () => {
    const good = ipf(
      '        "useforrequest": true,',
      '        "rules": [',
      rule('127.0.0.1', true),
      rule('0:0:0:0:0:0:0:1', true),
      rule('*', false, true),
      '        ]',
    );
    expect(await run(byId('DSH512'), { [LOCAL]: good }, { release: 'v9.3.0' })).toEqual([]);
    const off = ipf('        "rules": [', rule('10.0.0.5', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH512'), { [LOCAL]: off }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH513 an IP glob also matches host names', () => {
  it('fires medium for an allow glob followed by a deny-all', async () => {
    const text = ipf('        "rules": [', rule('192.168.1.*', true), rule('*', false, true), '        ]');
    const f = await run(byId('DSH513'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH513', severity: 'medium', key: `${RULES}.0.address`, location: { file: LOCAL, line: 6, column: 12 } });
    expect(f[0]!.message).toContain('192.168.1.evil.example');
  });
  it('is an info note for a deny glob before an allow-all', async () => {
    const text = ipf('        "rules": [', rule('10.*', false), rule('*', true, true), '        ]');
    const f = await run(byId('DSH513'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'info', location: { line: 6, column: 12 } });
  });
  it('is silent for exact addresses and for globs not ending in "*"', async () => {
    const text = ipf('        "rules": [', rule('192.168.1.10', true), rule('192.168.*.1', true), rule('*', false, true), '        ]');
    expect(await run(byId('DSH513'), { [LOCAL]: text }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('locations follow the layer that decided the rules array', () => {
  it('points into runtime.json when it replaces the local.json rules', async () => {
    const local = ipf('        "rules": [', rule('10.0.0.0/8', true), rule('*', false, true), '        ]');
    const runtime = '{"services": {"CoAuthoring": {"ipfilter": {\n  "rules": [\n    {"address": "::1", "allowed": true},\n    {"address": "*", "allowed": false}\n  ]\n}}}}\n';
    const f = await run(ipfilterRules, { [LOCAL]: local, [RUNTIME]: runtime }, { release: 'v9.3.0' });
    expect(only(f, 'DSH502')).toEqual([]);
    expect(only(f, 'DSH503')[0]).toMatchObject({ key: `${RULES}.0.address`, location: { file: RUNTIME, line: 3, column: 6 } });
  });
  it('reports nothing but DSH509 and the DSH520 note for the configuration ds-harden would write (allow-list, loopback, final deny, JWT on)', async () => {
    const text = ipfJwt(
      true,
      '        "useforrequest": true,',
      '        "rules": [',
      rule('10.0.0.5', true),
      rule('127.0.0.1', true),
      rule('0:0:0:0:0:0:0:1', true),
      rule('*', false, true),
      '        ]',
    );
    const f = await run(ipfilterRules, { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f.map((x) => x.ruleId)).toEqual(['DSH509', 'DSH520']);
  });
});
