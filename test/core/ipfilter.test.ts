import { describe, expect, it } from 'vitest';
import {
  analyzeAddress,
  cidrToGlob,
  evaluateIpFilter,
  globToRegExp,
  normalizeClientAddress,
  normalizeRuleAddress,
  shadowedRules,
  simulate,
  type IpRule,
} from '../../src/core/ds/ipfilter.js';

const deny = (address: unknown): IpRule => ({ address, allowed: false });
const allow = (address: unknown): IpRule => ({ address, allowed: true });
const decide = (rules: unknown, ip: string, errorcode?: unknown) =>
  evaluateIpFilter(rules, { ip }, errorcode).decision;

describe('normalizeClientAddress (what DS tests for a client address)', () => {
  it.each([
    ['10.1.2.3', { ip4: '10.1.2.3', ip6: '0:0:0:0:0:ffff:a01:203' }],
    ['127.0.0.1', { ip4: '127.0.0.1', ip6: '0:0:0:0:0:ffff:7f00:1' }],
    ['::ffff:127.0.0.1', { ip4: '127.0.0.1', ip6: '0:0:0:0:0:ffff:7f00:1' }],
    ['::1', { ip6: '0:0:0:0:0:0:0:1' }],
    ['2001:DB8::1', { ip6: '2001:db8:0:0:0:0:0:1' }],
    ['2001:0db8:0000::0001', { ip6: '2001:db8:0:0:0:0:0:1' }],
    // ipaddr.js 2.x accepts non-standard IPv4 spellings (ds-facts §3.2)
    ['127.1', { ip4: '127.0.0.1', ip6: '0:0:0:0:0:ffff:7f00:1' }],
    ['0x7f.1', { ip4: '127.0.0.1', ip6: '0:0:0:0:0:ffff:7f00:1' }],
  ])('%s', (input, expected) => {
    expect(normalizeClientAddress(input)).toStrictEqual(expected);
  });

  it.each(['x', '', ' 10.0.0.1', 'example.com', '1.2.3.4.5', '10.0.0.1, 10.0.0.2'])(
    'non-IP %j gives {} (nothing to match)',
    (input) => {
      expect(normalizeClientAddress(input)).toStrictEqual({});
    },
  );
});

describe('globToRegExp (DS rule compilation)', () => {
  it('"*" is any run of characters, anchored at both ends', () => {
    const re = globToRegExp('10.*');
    expect(re.test('10.1.2.3')).toBe(true);
    expect(re.test('10.')).toBe(true);
    expect(re.test('110.1.2.3')).toBe(false);
    expect(re.test('x10.1.2.3')).toBe(false);
    expect(globToRegExp('*').test('')).toBe(true);
    expect(globToRegExp('*').test('anything at all')).toBe(true);
  });

  it('dots, slashes, dashes and regex metacharacters are literal', () => {
    expect(globToRegExp('10.0.0.1').test('10a0b0c1')).toBe(false);
    expect(globToRegExp('10.0.0.1').test('10.0.0.1')).toBe(true);
    expect(globToRegExp('10.0.0.1').test('10.0.0.10')).toBe(false);
    expect(globToRegExp('10.0.0.0/8').test('10.1.2.3')).toBe(false);
    expect(globToRegExp('10.0.0.0/8').test('10.0.0.0/8')).toBe(true);
    expect(globToRegExp('a+b(c)[d]{1}$^|?\\').test('a+b(c)[d]{1}$^|?\\')).toBe(true);
    expect(globToRegExp('a+b').test('aab')).toBe(false);
  });

  it('is case-insensitive', () => {
    const re = globToRegExp('2001:DB8:*');
    expect(re.flags).toContain('i');
    expect(re.test('2001:db8:0:0:0:0:0:1')).toBe(true);
    expect(globToRegExp('Nextcloud.Example.COM').test('nextcloud.example.com')).toBe(true);
  });

  it('the empty pattern matches only the empty string', () => {
    expect(globToRegExp('').test('')).toBe(true);
    expect(globToRegExp('').test('1.2.3.4')).toBe(false);
  });

  it('several stars', () => {
    const re = globToRegExp('192.*.1.*');
    expect(re.test('192.168.1.5')).toBe(true);
    expect(re.test('192.168.2.5')).toBe(false);
  });
});

describe('evaluateIpFilter: observed DS 9.3.1 checkIpFilter results (ds-observed §3e)', () => {
  it('[127.0.0.1 deny, * allow]: 127.0.0.1 and ::ffff:127.0.0.1 denied, ::1 and 10.0.0.1 allowed', () => {
    const rules = [deny('127.0.0.1'), allow('*')];
    expect(decide(rules, '127.0.0.1')).toBe('denied');
    expect(decide(rules, '::ffff:127.0.0.1')).toBe('denied');
    expect(decide(rules, '::1')).toBe('allowed');
    expect(decide(rules, '10.0.0.1')).toBe('allowed');
    expect(evaluateIpFilter(rules, { ip: '::1' }).matchedIndex).toBe(1);
    expect(evaluateIpFilter(rules, { ip: '127.0.0.1' }).matchedIndex).toBe(0);
  });

  it('[127.0.0.0/8 deny, * allow]: everything allowed (CIDR is literal text)', () => {
    const rules = [deny('127.0.0.0/8'), allow('*')];
    for (const ip of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.0.0.1', '127.0.0.0']) {
      const v = evaluateIpFilter(rules, { ip });
      expect(v.decision, ip).toBe('allowed');
      expect(v.matchedIndex, ip).toBe(1);
    }
  });

  it('[::1 deny, * allow]: everything allowed ("::1" is compared as 0:0:0:0:0:0:0:1)', () => {
    const rules = [deny('::1'), allow('*')];
    for (const ip of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.0.0.1', '0:0:0:0:0:0:0:1']) {
      const v = evaluateIpFilter(rules, { ip });
      expect(v.decision, ip).toBe('allowed');
      expect(v.matchedIndex, ip).toBe(1);
    }
  });

  it('[0:0:0:0:0:0:0:1 deny, * allow]: ::1 denied, the rest allowed', () => {
    const rules = [deny('0:0:0:0:0:0:0:1'), allow('*')];
    expect(decide(rules, '::1')).toBe('denied');
    expect(decide(rules, '127.0.0.1')).toBe('allowed');
    expect(decide(rules, '::ffff:127.0.0.1')).toBe('allowed');
    expect(decide(rules, '10.0.0.1')).toBe('allowed');
  });

  it('[10.0.0.1 allow, * deny]: loopback denied, 10.0.0.1 and ::ffff:10.0.0.1 allowed', () => {
    const rules = [allow('10.0.0.1'), deny('*')];
    expect(decide(rules, '127.0.0.1')).toBe('denied');
    expect(decide(rules, '::ffff:127.0.0.1')).toBe('denied');
    expect(decide(rules, '::1')).toBe('denied');
    expect(decide(rules, '10.0.0.1')).toBe('allowed');
    expect(decide(rules, '::ffff:10.0.0.1')).toBe('allowed');
  });

  it('[127.0.0.* deny] (V6) blocks 127.0.0.1; [* deny] (V4) blocks everything', () => {
    expect(decide([deny('127.0.0.*'), allow('*')], '127.0.0.1')).toBe('denied');
    expect(decide([deny('*')], '127.0.0.1')).toBe('denied');
    expect(decide([deny('*')], '::1')).toBe('denied');
  });

  it('default rules [* allow] allow everything', () => {
    const v = evaluateIpFilter([allow('*')], { ip: '203.0.113.9' });
    expect(v).toStrictEqual({
      decision: 'allowed',
      matchedIndex: 0,
      reason: 'rule #1 {"address":"*","allowed":true} matches 203.0.113.9: allowed.',
    });
  });

  it('rules as an object (not an array) → no rule runs → allowed', () => {
    const v = evaluateIpFilter({ address: '*', allowed: false }, { ip: '127.0.0.1' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBeUndefined();
    expect(v.reason).toMatch(/not an array/);
    expect(v.reason).toMatch(/no rules/);
  });

  it('rules as a number or empty string → no rule runs → allowed', () => {
    expect(decide(42, '127.0.0.1')).toBe('allowed');
    expect(decide('', '127.0.0.1')).toBe('allowed');
    expect(decide([], '127.0.0.1')).toBe('allowed');
  });

  it('rules as a non-empty string ("nope") → error (observed HTTP 500)', () => {
    const v = evaluateIpFilter('nope', { ip: '127.0.0.1' });
    expect(v.decision).toBe('error');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toMatch(/rules is a string/);
  });

  it('rules null → error (DS reads .length of null)', () => {
    expect(decide(null, '127.0.0.1')).toBe('error');
    expect(decide(undefined, '127.0.0.1')).toBe('error');
  });

  it('an array-like object with a length is iterated like DS does', () => {
    expect(decide({ length: 1, 0: deny('*') }, '10.0.0.1')).toBe('denied');
  });

  it('allowed:"false" (string) counts as allowed', () => {
    const v = evaluateIpFilter([{ address: '127.0.0.1', allowed: 'false' }, deny('*')], { ip: '127.0.0.1' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toContain('"false"');
    expect(v.reason).toMatch(/reads as true/);
  });

  it.each([[0], [''], [null], [undefined], ['']])('allowed:%j counts as denied', (allowed) => {
    expect(decide([{ address: '*', allowed }], '10.0.0.1')).toBe('denied');
  });

  it('a missing "allowed" denies', () => {
    expect(decide([{ address: '10.*' }], '10.0.0.1')).toBe('denied');
  });

  it('numeric address → error with the failing rule index (observed HTTP 500)', () => {
    const v = evaluateIpFilter([deny(127)], { ip: '127.0.0.1' });
    expect(v.decision).toBe('error');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toMatch(/address is a number/);
    expect(v.reason).toMatch(/500/);
    expect(v.reason).toMatch(/7\.4/);
  });

  it.each([[null], [['10.*']], [{}], [undefined], [true]])('address %j → error', (address) => {
    expect(decide([{ address, allowed: false }], '10.0.0.1')).toBe('error');
  });

  it('a null or non-object rule → error when reached', () => {
    expect(decide([null], '10.0.0.1')).toBe('error');
    expect(decide(['10.*'], '10.0.0.1')).toBe('error');
    expect(decide([allow('10.0.0.2'), 5], '10.0.0.1')).toBe('error');
  });

  it('a broken rule after the match is never reached on 8.x/9.x (but noted for ≤ 7.4)', () => {
    const v = evaluateIpFilter([allow('*'), deny(127)], { ip: '10.0.0.1' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toMatch(/rule #2 .*7\.4/);
  });

  it('first match wins', () => {
    expect(decide([allow('10.0.0.1'), deny('10.*')], '10.0.0.1')).toBe('allowed');
    expect(decide([deny('10.*'), allow('10.0.0.1')], '10.0.0.1')).toBe('denied');
  });

  it('no match → allowed', () => {
    const v = evaluateIpFilter([deny('10.*')], { ip: '192.168.0.1' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBeUndefined();
    expect(v.reason).toMatch(/no rule matches "192\.168\.0\.1"/);
  });

  it('a non-IP client address (bogus X-Forwarded-For) matches nothing, not even "*"', () => {
    const v = evaluateIpFilter([deny('*')], { ip: 'x' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBeUndefined();
    expect(v.reason).toMatch(/not an IP address/);
    expect(decide([deny('*')], '')).toBe('allowed');
    expect(evaluateIpFilter([deny('*')], {}).decision).toBe('allowed');
  });

  it('IPv4 rules match IPv4-mapped clients and the mapped IPv6 form matches IPv4 clients', () => {
    expect(decide([deny('0:0:0:0:0:ffff:a00:1')], '10.0.0.1')).toBe('denied');
    expect(decide([deny('0:0:0:0:0:ffff:*')], '192.0.2.1')).toBe('denied');
    expect(decide([deny('0:0:0:0:0:ffff:*')], '2001:db8::1')).toBe('allowed');
  });

  it('uppercase IPv6 rules match (case-insensitive), leading zeros never do', () => {
    expect(decide([deny('2001:DB8:0:0:0:0:0:1')], '2001:db8::1')).toBe('denied');
    expect(decide([deny('2001:0db8:0:0:0:0:0:1')], '2001:db8::1')).toBe('allowed');
    expect(decide([deny('0000:0000:0000:0000:0000:0000:0000:0001')], '::1')).toBe('allowed');
  });

  it('the reason describes the deciding rule and the tested form', () => {
    const v = evaluateIpFilter([deny('127.0.0.1'), deny('10.*')], { ip: '10.1.2.3' });
    expect(v.reason).toBe('rule #2 {"address":"10.*","allowed":false} matches 10.1.2.3: denied with HTTP 403.');
    const m = evaluateIpFilter([deny('127.0.0.1')], { ip: '::ffff:127.0.0.1' });
    expect(m.reason).toContain('::ffff:127.0.0.1 (tested as 127.0.0.1)');
  });
});

describe('evaluateIpFilter: errorcode', () => {
  const rules = [deny('127.0.0.1'), allow('*')];

  it('errorcode 401 (V3) is reported', () => {
    const v = evaluateIpFilter(rules, { ip: '127.0.0.1' }, 401);
    expect(v.decision).toBe('denied');
    expect(v.reason).toMatch(/HTTP 401/);
  });

  it('errorcode "403" (string) still blocks (observed)', () => {
    const v = evaluateIpFilter(rules, { ip: '127.0.0.1' }, '403');
    expect(v.decision).toBe('denied');
    expect(v.reason).toMatch(/HTTP 403/);
  });

  it('errorcode 200 "blocks" with HTTP 200 OK (observed), and the reason says so', () => {
    const v = evaluateIpFilter(rules, { ip: '127.0.0.1' }, 200);
    expect(v.decision).toBe('denied');
    expect(v.reason).toMatch(/HTTP 200/);
    expect(v.reason).toMatch(/success/);
  });

  it('an errorcode express cannot send → 500 noted', () => {
    const v = evaluateIpFilter(rules, { ip: '127.0.0.1' }, 5000);
    expect(v.decision).toBe('denied');
    expect(v.reason).toMatch(/HTTP 500/);
  });

  it.each([[0], [-1], ['abc'], [null], [false], ['0']])('incoming: errorcode %j never blocks', (code) => {
    const v = evaluateIpFilter(rules, { ip: '127.0.0.1' }, code);
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toMatch(/not > 0/);
  });

  it('undefined errorcode falls back to the DS default 403', () => {
    expect(evaluateIpFilter(rules, { ip: '127.0.0.1' }, undefined).reason).toMatch(/HTTP 403/);
  });

  it('outgoing: errorcode 0 never blocks; -1 blocks at most call sites but not CommandService callbacks', () => {
    const target = { hostname: 'localhost', ip: '127.0.0.1' };
    expect(evaluateIpFilter(rules, target, 0).decision).toBe('allowed');
    const neg = evaluateIpFilter(rules, target, -1);
    expect(neg.decision).toBe('denied');
    expect(neg.reason).toMatch(/CommandService callback/);
    expect(neg.reason).not.toMatch(/converter/);
    const str0 = evaluateIpFilter(rules, target, '0');
    expect(str0.decision).toBe('denied');
    expect(str0.reason).toMatch(/converter still downloads/);
  });
});

describe('evaluateIpFilter: outgoing checks (hostname OR ip, per rule, in order)', () => {
  it('"192.168.1.*" matches the hostname 192.168.1.evil.example whatever it resolves to', () => {
    const rules = [allow('192.168.1.*'), deny('*')];
    const v = evaluateIpFilter(rules, { hostname: '192.168.1.evil.example', ip: '169.254.169.254' });
    expect(v.decision).toBe('allowed');
    expect(v.matchedIndex).toBe(0);
    expect(v.reason).toContain('hostname "192.168.1.evil.example"');
  });

  it('an earlier rule matching the IP beats a later rule matching the name', () => {
    const rules = [deny('10.0.0.5'), allow('nextcloud.example.com'), deny('*')];
    const v = evaluateIpFilter(rules, { hostname: 'nextcloud.example.com', ip: '10.0.0.5' });
    expect(v.decision).toBe('denied');
    expect(v.matchedIndex).toBe(0);
    expect(evaluateIpFilter(rules, { hostname: 'nextcloud.example.com', ip: '10.0.0.6' }).decision).toBe('allowed');
  });

  it('hostname rules are case-insensitive and never match an incoming client address', () => {
    const rules = [allow('NextCloud.example.com'), deny('*')];
    expect(evaluateIpFilter(rules, { hostname: 'nextcloud.example.com', ip: '10.0.0.6' }).decision).toBe('allowed');
    expect(evaluateIpFilter(rules, { ip: '10.0.0.6' }).decision).toBe('denied');
  });

  it('hostname-only targets test the name only', () => {
    expect(evaluateIpFilter([deny('*.internal')], { hostname: 'db.internal' }).decision).toBe('denied');
    expect(evaluateIpFilter([deny('*.internal')], { hostname: 'db.example' }).decision).toBe('allowed');
  });

  it('an empty hostname is skipped like DS does (falsy)', () => {
    expect(evaluateIpFilter([deny('')], { hostname: '', ip: '10.0.0.1' }).decision).toBe('allowed');
  });
});

describe('cidrToGlob', () => {
  it.each([
    ['0.0.0.0/0', '*'],
    ['10.0.0.0/8', '10.*'],
    ['172.16.0.0/16', '172.16.*'],
    ['192.168.1.0/24', '192.168.1.*'],
    ['192.168.1.7/32', '192.168.1.7'],
    ['127.0.0.0/8', '127.*'],
    ['::/0', '*'],
    ['::1/128', '0:0:0:0:0:0:0:1'],
    ['2001:db8::/32', '2001:db8:*'],
    ['2001:DB8::/32', '2001:db8:*'],
    ['fe80::/16', 'fe80:*'],
    ['2001:db8:abcd:12::/64', '2001:db8:abcd:12:*'],
    ['::ffff:0:0/96', '0:0:0:0:0:ffff:*'],
    ['fd00::/112', 'fd00:0:0:0:0:0:0:*'],
  ])('%s → %s', (cidr, glob) => {
    expect(cidrToGlob(cidr)).toBe(glob);
  });

  it.each([
    '10.0.0.0/12',
    '172.16.0.0/12',
    '192.168.1.0/25',
    '10.0.0.1/8',
    '10.1.0.0/8',
    '10.0.0.0/33',
    '10/8',
    '127.1/8',
    'fc00::/7',
    'fe80::/10',
    '2001:db8::1/32',
    '2001:db8::/129',
    'nonsense/8',
    '10.0.0.0',
    '10.0.0.0/',
  ])('%s → null', (cidr) => {
    expect(cidrToGlob(cidr)).toBeNull();
  });

  it('the glob matches what the CIDR contains (and nothing outside it) for IPs', () => {
    const cases: [string, string[], string[]][] = [
      ['10.0.0.0/8', ['10.0.0.1', '10.255.255.255', '::ffff:10.1.1.1'], ['11.0.0.1', '110.0.0.1', '::1']],
      ['2001:db8::/32', ['2001:db8::1', '2001:db8:ffff::'], ['2001:db9::1', '2001:0:db8::1', '10.0.0.1']],
      ['::ffff:0:0/96', ['1.2.3.4', '::ffff:1.2.3.4'], ['::1', '2001:db8::1']],
    ];
    for (const [cidr, inside, outside] of cases) {
      const rules = [deny(cidrToGlob(cidr))];
      for (const ip of inside) expect(decide(rules, ip), `${cidr} ∋ ${ip}`).toBe('denied');
      for (const ip of outside) expect(decide(rules, ip), `${cidr} ∌ ${ip}`).toBe('allowed');
    }
  });

  it('caveat: an IPv4 glob also matches hostnames starting with the same text on outgoing checks', () => {
    const glob = cidrToGlob('10.0.0.0/8');
    expect(evaluateIpFilter([deny(glob)], { hostname: '10.attacker.example', ip: '203.0.113.1' }).decision).toBe('denied');
  });
});

describe('analyzeAddress', () => {
  const kinds = (a: unknown) => analyzeAddress(a).map((i) => i.kind);

  it.each(['10.0.0.1', '192.168.1.*', '10.*', '0:0:0:0:0:0:0:1', '2001:db8:*', '2001:DB8:0:0:0:0:0:1', '0:0:0:0:0:ffff:a00:1'])(
    '%s has no issues',
    (a) => {
      expect(analyzeAddress(a)).toStrictEqual([]);
    },
  );

  it.each([[127], [null], [undefined], [{}], [['10.*']], [true]])('%j → not-string', (a) => {
    const issues = analyzeAddress(a);
    expect(issues.map((i) => i.kind)).toStrictEqual(['not-string']);
    expect(issues[0]?.message).toMatch(/500/);
  });

  it('empty', () => {
    expect(kinds('')).toStrictEqual(['empty']);
  });

  it('whitespace (suggests the stripped address and analyses it)', () => {
    const issues = analyzeAddress(' 10.0.0.1 ');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'whitespace', suggestion: '10.0.0.1' });
    expect(kinds(' ::1')).toStrictEqual(['whitespace', 'ipv6-compressed']);
    expect(kinds('   ')).toStrictEqual(['whitespace', 'empty']);
    expect(analyzeAddress('   ')[0]?.suggestion).toBeUndefined();
  });

  it('catch-all', () => {
    expect(kinds('*')).toStrictEqual(['catch-all']);
    expect(kinds('**')).toStrictEqual(['catch-all']);
  });

  it('cidr with an exact glob suggests it', () => {
    const issues = analyzeAddress('10.0.0.0/8');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'cidr', suggestion: '10.*' });
    expect(issues[0]?.message).toMatch(/never matches/);
    expect(analyzeAddress('2001:db8::/32')[0]).toMatchObject({ kind: 'cidr', suggestion: '2001:db8:*' });
  });

  it('cidr without an exact glob: no suggestion, explains why', () => {
    const twelve = analyzeAddress('172.16.0.0/12');
    expect(twelve[0]?.kind).toBe('cidr');
    expect(twelve[0]?.suggestion).toBeUndefined();
    expect(twelve[0]?.message).toMatch(/16 \/16 blocks/);
    const hostBits = analyzeAddress('10.0.0.1/8');
    expect(hostBits[0]?.suggestion).toBeUndefined();
    expect(hostBits[0]?.message).toContain('10.0.0.0/8');
    expect(hostBits[0]?.message).toContain('"10.*"');
  });

  it('compressed IPv6 never matches: suggests the full form', () => {
    expect(analyzeAddress('::1')).toStrictEqual([
      expect.objectContaining({ kind: 'ipv6-compressed', suggestion: '0:0:0:0:0:0:0:1' }),
    ]);
    expect(analyzeAddress('2001:DB8::1')[0]).toMatchObject({ kind: 'ipv6-compressed', suggestion: '2001:db8:0:0:0:0:0:1' });
    const mapped = analyzeAddress('::ffff:10.0.0.1')[0];
    expect(mapped).toMatchObject({ kind: 'ipv6-compressed', suggestion: '0:0:0:0:0:ffff:a00:1' });
    expect(mapped?.message).toContain('"10.0.0.1"');
  });

  it('leading zeros / dotted tail in IPv6 never match: ipv6-not-normalized', () => {
    expect(analyzeAddress('2001:0db8:0:0:0:0:0:1')[0]).toMatchObject({
      kind: 'ipv6-not-normalized',
      suggestion: '2001:db8:0:0:0:0:0:1',
    });
    expect(analyzeAddress('0000:0000:0000:0000:0000:0000:0000:0001')[0]).toMatchObject({
      kind: 'ipv6-not-normalized',
      suggestion: '0:0:0:0:0:0:0:1',
    });
    expect(analyzeAddress('0:0:0:0:0:ffff:10.0.0.1')[0]).toMatchObject({
      kind: 'ipv6-not-normalized',
      suggestion: '0:0:0:0:0:ffff:a00:1',
    });
  });

  it('IPv6 globs: "::" never matches, leading zeros fixed', () => {
    expect(analyzeAddress('fe80::*')[0]?.kind).toBe('ipv6-compressed');
    expect(analyzeAddress('fe80::*')[0]?.suggestion).toBeUndefined();
    expect(analyzeAddress('2001:0DB8:*')[0]).toMatchObject({ kind: 'ipv6-not-normalized', suggestion: '2001:db8:*' });
  });

  // The notation the official ip-filter docs print ("xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx") and other spellings of
  // IPv6: each never matches the client it names; the suggestion is the form DS compares, and it does match.
  it.each([
    ['docs dotted, zero-padded', '2001.0db8.0000.0000.0000.0000.0000.0001', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['docs dotted, loopback', '0000.0000.0000.0000.0000.0000.0000.0001', '::1', '0:0:0:0:0:0:0:1'],
    ['docs dotted, not padded', '2001.db8.0.0.0.0.0.1', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['docs dotted, upper case', 'FE80.0000.0000.0000.0202.B3FF.FE1E.8329', 'fe80::202:b3ff:fe1e:8329', 'fe80:0:0:0:202:b3ff:fe1e:8329'],
    ['docs dotted glob', '2001.0DB8.*', '2001:db8::7', '2001:db8:*'],
    ['docs dotted glob, link-local', 'fe80.0000.*', 'fe80::1', 'fe80:0:*'],
    ['brackets', '[2001:db8::1]', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['brackets with port', '[::1]:8000', '::1', '0:0:0:0:0:0:0:1'],
    ['brackets around the full form', '[0:0:0:0:0:0:0:1]', '::1', '0:0:0:0:0:0:0:1'],
    ['compressed', '2001:db8::1', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['full form, zero-padded', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['embedded IPv4', '0:0:0:0:0:ffff:10.0.0.1', '10.0.0.1', '0:0:0:0:0:ffff:a00:1'],
  ])('%s: %s never matches %s; DS would match %s', (_what, address, client, corrected) => {
    const issues = analyzeAddress(address);
    expect(issues.map((i) => i.kind)).toEqual([expect.stringMatching(/^ipv6-(not-normalized|compressed)$/)]);
    expect(issues[0]!.suggestion).toBe(corrected);
    expect(decide([deny(address)], client), `${address} as written`).toBe('allowed');
    expect(decide([deny(corrected)], client), `${corrected} as DS compares it`).toBe('denied');
    expect(normalizeRuleAddress(address)).toBe(corrected);
  });

  it('the dotted notation is told apart from IPv4, IPv4 globs and host names', () => {
    expect(analyzeAddress('10.1.*')).toEqual([]);
    expect(analyzeAddress('192.168.1.20')).toEqual([]);
    for (const name of ['cafe.*', 'dead.beef.example', 'a.b.c.d.e.f']) expect(analyzeAddress(name).map((i) => i.kind), name).toEqual(['hostname']);
    expect(analyzeAddress('2001.0db8.0000.0000.0000.0000.0000.0001')[0]!.message).toContain("dotted notation of ONLYOFFICE's ip-filter documentation");
  });

  it('every flagged never-matching address really never matches, and every suggestion does', () => {
    const cases: [string, string][] = [
      ['::1', '::1'],
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:0db8:0:0:0:0:0:1', '2001:db8::1'],
      ['0:0:0:0:0:ffff:10.0.0.1', '10.0.0.1'],
      ['10.0.0.0/8', '10.2.3.4'],
      ['2001:db8::/32', '2001:db8::5'],
      ['192.168.1.0-192.168.1.255', '192.168.1.9'],
      [' 10.0.0.1', '10.0.0.1'],
      ['2001:0db8:*', '2001:db8::7'],
      ['127.1', '127.0.0.1'],
    ];
    for (const [address, ip] of cases) {
      expect(decide([deny(address)], ip), address).toBe('allowed');
      const suggestion = analyzeAddress(address)
        .map((i) => i.suggestion)
        .find((x) => x !== undefined);
      expect(suggestion, address).toBeDefined();
      expect(decide([deny(suggestion)], ip), `${address} → ${suggestion}`).toBe('denied');
    }
  });

  it('ranges do not exist', () => {
    const r = analyzeAddress('10.0.0.1-10.0.0.9');
    expect(r.map((i) => i.kind)).toStrictEqual(['range']);
    expect(r[0]?.suggestion).toBeUndefined();
    expect(kinds('10.0.0.1-9')).toStrictEqual(['range']);
    expect(analyzeAddress('192.168.1.0-192.168.1.255')[0]).toMatchObject({ kind: 'range', suggestion: '192.168.1.*' });
  });

  it('hostnames are flagged (outgoing only), including hostname globs and dashed names', () => {
    for (const h of ['nextcloud.example.com', '*.example.com', 'my-host', 'localhost']) {
      const issues = analyzeAddress(h);
      expect(issues.map((i) => i.kind), h).toStrictEqual(['hostname']);
      expect(issues[0]?.message, h).toMatch(/useforrequest/);
    }
  });

  it('non-canonical and invalid IPv4 spellings are flagged as hostname-like', () => {
    expect(analyzeAddress('127.1')[0]).toMatchObject({ kind: 'hostname', suggestion: '127.0.0.1' });
    expect(analyzeAddress('010.0.0.1')[0]).toMatchObject({ kind: 'hostname', suggestion: '10.0.0.1' });
    expect(analyzeAddress('010.0.0.1')[0]?.message).toMatch(/octal/);
    expect(analyzeAddress('300.1.1.1').map((i) => i.kind)).toStrictEqual(['hostname']);
    expect(analyzeAddress('example.com:8080')[0]?.message).toMatch(/never matches/);
    expect(analyzeAddress('example.com/path')[0]?.kind).toBe('hostname');
  });
});

describe('normalizeRuleAddress', () => {
  it.each([
    ['::1', '0:0:0:0:0:0:0:1'],
    ['2001:DB8::1', '2001:db8:0:0:0:0:0:1'],
    ['2001:0db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:1'],
    ['::ffff:10.0.0.1', '0:0:0:0:0:ffff:a00:1'],
    ['0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1'],
    ['10.0.0.1', '10.0.0.1'],
    ['192.168.1.*', '192.168.1.*'],
    ['*', '*'],
    ['nextcloud.example.com', 'nextcloud.example.com'],
    ['10.0.0.0/8', '10.*'],
    ['192.168.1.0/24', '192.168.1.*'],
    ['2001:db8::/32', '2001:db8:*'],
    ['2001:0DB8:*', '2001:db8:*'],
    [' 10.0.0.1\n', '10.0.0.1'],
  ])('%j → %j', (input, output) => {
    expect(normalizeRuleAddress(input)).toBe(output);
  });

  it.each([
    ['10.0.0.0/12', /CIDR.*\/16 blocks/],
    ['10.0.0.1/8', /host bits/],
    ['', /empty/],
    ['10.0.0.1-10.0.0.9', /range/],
    ['fe80::*', /::/],
    ['127.1', /"127\.0\.0\.1"/],
    ['300.1.1.1', /not a valid IPv4/],
    ['example.com:8080', /never matches/],
  ])('%j throws %s', (input, message) => {
    expect(() => normalizeRuleAddress(input)).toThrow(message);
  });

  it('a CIDR without an exact glob names the globs of the blocks it covers (what to write instead)', () => {
    const msg = (a: string) => {
      try {
        normalizeRuleAddress(a);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(msg('10.0.0.0/12')).toContain(`write the 16 /16 blocks it covers as separate rules (${Array.from({ length: 16 }, (_, i) => `10.${i}.*`).join(', ')})`);
    expect(msg('10.1.2.3/20')).toContain('write the 16 /24 blocks it covers as separate rules (10.1.0.*, 10.1.1.*, 10.1.2.*');
    expect(msg('192.168.0.0/23')).toContain('(192.168.0.*, 192.168.1.*)');
    expect(msg('10.0.0.0/31')).toContain('(10.0.0.0, 10.0.0.1)');
    expect(msg('fe80::/10')).toContain('write the 64 /16 blocks it covers as separate rules (fe80:*, fe81:* … febf:*)');
    expect(msg('10.0.0.256')).toContain('write four numbers from 0 to 255 separated by dots');
  });

  it('what it writes is accepted by analyzeAddress without IP-matching issues', () => {
    for (const a of ['::1', '2001:DB8::1', '10.0.0.0/8', '2001:db8::/32', ' 10.0.0.1']) {
      expect(analyzeAddress(normalizeRuleAddress(a)), a).toStrictEqual([]);
    }
  });
});

describe('shadowedRules', () => {
  it('an earlier * shadows everything after it', () => {
    expect(shadowedRules([allow('10.0.0.1'), deny('*'), allow('127.0.0.1'), allow('*')])).toStrictEqual([
      { index: 2, by: 1 },
      { index: 3, by: 1 },
    ]);
  });

  it('exact duplicates (case-insensitive) are shadowed by the first', () => {
    expect(shadowedRules([allow('Host.Example'), deny('host.example')])).toStrictEqual([{ index: 1, by: 0 }]);
    expect(shadowedRules([allow('10.0.0.1'), allow('10.0.0.2'), deny('10.0.0.1')])).toStrictEqual([{ index: 2, by: 0 }]);
  });

  it('a prefix glob shadows more specific addresses and globs', () => {
    expect(shadowedRules([deny('10.*'), allow('10.1.2.3'), allow('10.1.*'), allow('100.1.2.3')])).toStrictEqual([
      { index: 1, by: 0 },
      { index: 2, by: 0 },
    ]);
  });

  it('does not report what it cannot prove', () => {
    expect(shadowedRules([deny('10.1.*'), allow('10.*')])).toStrictEqual([]);
    expect(shadowedRules([deny('*.example.com'), allow('a.example.com')])).toStrictEqual([]);
    expect(shadowedRules([deny('10.0.0.1'), allow('10.0.0.10')])).toStrictEqual([]);
    expect(shadowedRules([deny('10.*.1'), allow('10.0.0.1')])).toStrictEqual([]);
  });

  it('reports the first shadowing rule and skips non-string addresses', () => {
    expect(shadowedRules([deny(127), deny('10.*'), allow('*'), allow('10.9.9.9')])).toStrictEqual([
      { index: 3, by: 1 },
    ]);
  });

  it('non-arrays give []', () => {
    expect(shadowedRules({ address: '*', allowed: true })).toStrictEqual([]);
    expect(shadowedRules(null)).toStrictEqual([]);
  });

  it('every reported rule really is unreachable for sample targets', () => {
    const rules = [allow('127.0.0.1'), deny('10.*'), allow('10.0.0.7'), allow('*'), deny('192.168.0.1')];
    const dead = shadowedRules(rules).map((s) => s.index);
    expect(dead).toStrictEqual([2, 4]);
    for (const ip of ['127.0.0.1', '10.0.0.7', '192.168.0.1', '::1', '10.9.9.9']) {
      const v = evaluateIpFilter(rules, { ip });
      expect(dead, ip).not.toContain(v.matchedIndex);
    }
  });
});

describe('simulate', () => {
  it('evaluates each target and describes it', () => {
    const rules = [allow('127.0.0.1'), allow('0:0:0:0:0:0:0:1'), allow('nextcloud.example.com'), deny('*')];
    const out = simulate(
      rules,
      [
        { label: 'loopback v4', ip: '127.0.0.1' },
        { label: 'loopback v6', ip: '::1' },
        { label: 'nextcloud', hostname: 'nextcloud.example.com', ip: '10.0.0.5' },
        { label: 'metadata', hostname: 'metadata.internal', ip: '169.254.169.254' },
        { label: 'spoofed XFF', ip: 'x' },
        { label: 'nothing' },
      ],
      403,
    );
    expect(out.map((r) => [r.label, r.target, r.verdict.decision])).toStrictEqual([
      ['loopback v4', '127.0.0.1', 'allowed'],
      ['loopback v6', '::1', 'allowed'],
      ['nextcloud', 'nextcloud.example.com (10.0.0.5)', 'allowed'],
      ['metadata', 'metadata.internal (169.254.169.254)', 'denied'],
      ['spoofed XFF', 'x', 'allowed'],
      ['nothing', '(no address)', 'allowed'],
    ]);
    expect(out[2]?.verdict.matchedIndex).toBe(2);
  });

  it('passes errorcode through', () => {
    const [r] = simulate([deny('*')], [{ label: 'a', ip: '10.0.0.1' }], 0);
    expect(r?.verdict.decision).toBe('allowed');
    const [d] = simulate([deny('*')], [{ label: 'a', ip: '10.0.0.1' }]);
    expect(d?.verdict.reason).toMatch(/HTTP 403/);
  });
});
