/**
 * DSH501: the rules allow specific addresses but have no final deny. DS allows an address that no rule matches
 * (`status` stays 0, ds-facts §3.2), so such an allow-list restricts nothing.
 *
 * Decided by behaviour, not by the look of the last rule: arbitrary addresses from the documentation ranges
 * (RFC 5737, RFC 3849) are evaluated, and the rule fires when one of them matches no rule at all. That also catches a
 * final deny that covers only one family (`"*.*"` matches IPv4 but never the IPv6 form DS tests).
 * A leading `*` allow shadows the specific rules (they are unreachable), so then DSH500 reports alone.
 */
import type { Rule } from '../rule.js';
import { K } from '../../ds/keys.js';
import { simulate } from '../../ds/ipfilter.js';
import { COVERAGE, atKey, isCatchAll, reachable, ruleEntries, show } from './common.js';
import { fixes } from '../fixes.js';

const ARBITRARY = [
  { label: 'IPv4', ip: '198.51.100.23' },
  { label: 'IPv4', ip: '203.0.113.99' },
  { label: 'IPv6', ip: '2001:db8:dead:beef::7' },
];

/** The reachable allow rules for specific addresses and the arbitrary addresses no rule matches, or undefined. */
export function allowListWithoutDeny(rules: unknown): { allows: number[]; unmatched: string[] } | undefined {
  if (!Array.isArray(rules)) return undefined;
  const live = reachable(rules);
  const allows = ruleEntries(rules)
    .filter((e) => e.isObject && e.allowed && typeof e.address === 'string' && !isCatchAll(e.address) && live.has(e.index))
    .map((e) => e.index);
  if (allows.length === 0) return undefined;
  const unmatched = simulate(rules, ARBITRARY)
    .filter((r) => r.verdict.decision === 'allowed' && r.verdict.matchedIndex === undefined)
    .map((r) => r.target);
  return unmatched.length > 0 ? { allows, unmatched } : undefined;
}

export const noFinalDeny: Rule = {
  id: 'DSH501',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'high',
  title: 'The allow-list has no final deny',
  why:
    'DS evaluates the rules top to bottom and allows an address that no rule matches. An allow-list without a final ' +
    '{"address":"*","allowed":false} therefore lets every other address through as well: it looks restrictive and is not.',
  remediation:
    'Add {"address":"*","allowed":false} as the last rule. Before that, keep an allow rule for every address DS must ' +
    'reach or be reached from, including loopback (127.0.0.1 and 0:0:0:0:0:0:0:1) when useforrequest is on.',
  fix: fixes.finalDeny,
  reads: [K.ipRules],
  check(ctx) {
    const rules = ctx.get(K.ipRules);
    const found = allowListWithoutDeny(rules);
    if (!found || !Array.isArray(rules)) return [];
    const listed = found.allows.map((i) => show((rules[i] as Record<string, unknown>)['address'])).join(', ');
    return [
      {
        message:
          `ipfilter.rules allows ${listed} but has no final deny that DS reaches: ${found.unmatched.join(', ')} ` +
          `match${found.unmatched.length === 1 ? 'es' : ''} no rule and ${found.unmatched.length === 1 ? 'is' : 'are'} allowed, ` +
          `like every other address not listed. ${COVERAGE}.`,
        ...atKey(ctx, K.ipRules),
      },
    ];
  },
};
