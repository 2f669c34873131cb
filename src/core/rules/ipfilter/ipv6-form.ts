/**
 * DSH503: an IPv6 rule address in compressed (`::1`) or otherwise non-normalized form (leading zeros, embedded IPv4, the
 * dotted notation of ONLYOFFICE's docs `2001.0db8.0000.…`, brackets).
 * DS tests the client's IPv6 address in ipaddr.js `toNormalizedString()` form — eight groups, no `::`, no leading
 * zeros — so such a rule never matches (ds-facts §3.2; ds-observed §3e: rules [::1 deny, * allow] → everything allowed).
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { addressIssues, at, neverMatchEffect, ruleName } from './common.js';
import { fixes } from '../fixes.js';

const IPV6_FORMS = new Set(['ipv6-compressed', 'ipv6-not-normalized'] as const);

export const ipv6Form: Rule = {
  id: 'DSH503',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'high',
  title: 'A compressed or non-normalized IPv6 address never matches',
  why:
    'DS compares IPv6 addresses in the full normalized form: eight groups, no "::" and no leading zeros (::1 is tested ' +
    'as 0:0:0:0:0:0:0:1). A rule written "::1" or "2001:0db8::1" is compared literally and never matches (observed on ' +
    'DS 9.3); so is the dotted form ONLYOFFICE\'s ip-filter documentation prints ("xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx") ' +
    'and an address in brackets.',
  remediation:
    'Write IPv6 addresses in full normalized form: "0:0:0:0:0:0:0:1" for ::1, "2001:db8:0:0:0:0:0:1" for 2001:db8::1 or ' +
    '"2001.0db8.0000.0000.0000.0000.0000.0001", and globs with full leading groups, e.g. "2001:db8:*".',
  fix: fixes.exactAddresses,
  reads: [K.ipRules],
  check(ctx) {
    return addressIssues(ctx.get(K.ipRules), IPV6_FORMS).map(({ entry: e, issue }): RuleHit => {
      const fix = issue.suggestion !== undefined ? ` Write "${issue.suggestion}" instead.` : '';
      return { message: `${ruleName(e.index)}: ${issue.message} As written, ${neverMatchEffect(e.allowed)}.${fix}`, ...at(ctx, e.index, 'address') };
    });
  },
};
