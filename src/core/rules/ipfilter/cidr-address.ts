/**
 * DSH502: a rule address in CIDR notation. DS has no CIDR: `/` is matched literally, so `"10.0.0.0/8"` never matches
 * an IP (ds-facts §3.2; ds-observed §3e: rules [127.0.0.0/8 deny, * allow] → everything allowed).
 * The suggested glob comes from cidrToGlob (via analyzeAddress); without one, the addresses have to be listed.
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { addressIssues, at, neverMatchEffect, ruleName } from './common.js';
import { fixes } from '../fixes.js';

const CIDR = new Set(['cidr'] as const);

export const cidrAddress: Rule = {
  id: 'DSH502',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'high',
  title: 'A CIDR address never matches',
  why:
    'DS turns a rule address into a pattern where only "*" is special; everything else, "/" included, is compared ' +
    'literally. "10.0.0.0/8" therefore matches the text "10.0.0.0/8" and never an IP address: an allow rule admits ' +
    'nobody, a deny rule blocks nobody (observed on DS 9.3: a 127.0.0.0/8 deny let 127.0.0.1 through).',
  remediation:
    'Write the block as a "*" glob on octet (IPv4) or group (IPv6) boundaries — "10.*" for 10.0.0.0/8, "192.168.1.*" ' +
    'for 192.168.1.0/24, "2001:db8:*" for 2001:db8::/32 — or list the addresses one rule each. A glob such as "10.*" ' +
    'also matches host names beginning "10." on outgoing requests.',
  fix: fixes.exactAddresses,
  reads: [K.ipRules],
  check(ctx) {
    return addressIssues(ctx.get(K.ipRules), CIDR).map(({ entry: e, issue }): RuleHit => {
      const fix =
        issue.suggestion !== undefined
          ? `Write "${issue.suggestion}" instead.`
          : 'No single glob covers this block: list the addresses (or the "*" globs of the aligned sub-blocks) as separate rules.';
      return { message: `${ruleName(e.index)}: ${issue.message} As written, ${neverMatchEffect(e.allowed)}. ${fix}`, ...at(ctx, e.index, 'address') };
    });
  },
};
