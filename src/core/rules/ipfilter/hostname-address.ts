/**
 * DSH508: a rule address that cannot match a client address (ds-facts §3.2, §3.4).
 *
 * Incoming checks (useforrequest) pass only the client IP; host names are tested only against the host name of
 * outgoing URLs. So:
 * - useforrequest on: a host name (and anything else that is no IP or IP glob) never matches a client → medium;
 * - useforrequest off: a real host name is a legitimate rule for outgoing checks → silent; but text that matches
 *   nothing at all — an address range, whitespace, an empty address, a host:port, a non-canonical IPv4 such as
 *   "127.1" — is still reported, at low.
 * CIDR and compressed IPv6 have their own rules (DSH502, DSH503); non-string addresses are DSH505's.
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import type { AddressIssue } from '../../ds/ipfilter.js';
import { addressIssues, at, neverMatchEffect, ruleName, useForRequest } from './common.js';
import { fixes } from '../fixes.js';

const KINDS = new Set<AddressIssue['kind']>(['hostname', 'range', 'whitespace', 'empty']);

/** A name DNS could resolve: letters/digits/hyphens/underscores in dot-separated labels, "*" allowed, not all-numeric. */
function looksLikeHostName(address: string): boolean {
  if (!/^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*\.?$/i.test(address)) return false;
  // all-numeric (or hex-numeric) dotted forms are IPv4 spellings, not names
  return !/^(0x[0-9a-f]*|[0-9*]+)(\.(0x[0-9a-f]*|[0-9*]+))*$/i.test(address);
}

export const hostnameAddress: Rule = {
  id: 'DSH508',
  area: 'ipfilter',
  severity: 'medium',
  title: 'A host name in ipfilter cannot match client addresses',
  why:
    'With useforrequest, DS checks incoming requests against the client\'s IP address only; a host name in a rule is ' +
    'tested only against the host of URLs DS fetches. An allow rule for "nextcloud.example.com" therefore never ' +
    'admits Nextcloud\'s API calls. Address ranges, spaces and empty addresses never match anything.',
  remediation:
    'For incoming requests (useforrequest) list the client\'s IP address ("10.0.0.5", "0:0:0:0:0:0:0:1", or a glob ' +
    'like "10.0.0.*"); keep host names only for outgoing requests. Write single addresses or "*" globs instead of ' +
    'ranges, without spaces.',
  fix: fixes.exactAddresses,
  reads: [K.ipRules, K.ipUseForRequest],
  check(ctx) {
    const uf = useForRequest(ctx);
    const hits: RuleHit[] = [];
    for (const { entry: e, issue } of addressIssues(ctx.get(K.ipRules), KINDS)) {
      const realName = issue.kind === 'hostname' && issue.suggestion === undefined && looksLikeHostName(e.address);
      if (!uf && realName) continue;
      const fix = issue.suggestion !== undefined ? ` Write "${issue.suggestion}" if that is what you mean.` : '';
      const context = realName ? ' useforrequest is on, so for incoming requests this rule never matches: ' : ' As written, ';
      hits.push({
        message: `${ruleName(e.index)}: ${issue.message}${context}${neverMatchEffect(e.allowed)}.${fix}`,
        severity: uf ? 'medium' : 'low',
        ...at(ctx, e.index, 'address'),
      });
    }
    return hits;
  },
};
