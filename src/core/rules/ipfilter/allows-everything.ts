/**
 * DSH500: the effective ipfilter rules let every address through — the stock state (`[{"address":"*","allowed":true}]`,
 * ds-facts §3.2). Judged on the rules alone (errorcode is DSH507's business) against representative client/resolved
 * addresses: public and private IPv4, loopback, the cloud metadata address and an IPv6 address.
 *
 * Not reported here (another rule says it better):
 * - rules that are not an array (DSH505);
 * - an allow-list for specific addresses without a final deny (DSH501).
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { simulate } from '../../ds/ipfilter.js';
import { COVERAGE, at, atKey, jwtInboxOn, ruleName, short, show, useForRequest } from './common.js';
import { allowListWithoutDeny } from './no-final-deny.js';
import { fixes } from '../fixes.js';

/** Representative addresses: if none of them is denied, the filter does nothing worth the name. */
export const REPRESENTATIVE = [
  { label: 'a public IPv4 address', ip: '203.0.113.7' },
  { label: 'a private IPv4 address', ip: '10.0.0.5' },
  { label: 'a private IPv4 address', ip: '192.168.1.10' },
  { label: 'loopback', ip: '127.0.0.1' },
  { label: 'the cloud metadata address', ip: '169.254.169.254' },
  { label: 'an IPv6 address', ip: '2001:db8::1' },
];

export const allowsEverything: Rule = {
  id: 'DSH500',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'medium',
  title: 'ipfilter lets every address through',
  why:
    'ipfilter is DS\'s only address-based control: it decides which hosts DS may send callbacks to, download documents ' +
    'from and call as WOPI host (always), and — with useforrequest — which clients may call the command and conversion ' +
    'APIs. The stock rule {"address":"*","allowed":true} allows everything, so DS will fetch any URL it is handed.',
  remediation:
    'Replace the rules in local.json with an allow-list that ends in a deny: the addresses (or host names, for outgoing ' +
    'requests) of your document storage / integrator, loopback for local health checks, and then ' +
    '{"address":"*","allowed":false}, e.g. "rules": [{"address":"10.0.0.5","allowed":true},{"address":"127.0.0.1",' +
    '"allowed":true},{"address":"0:0:0:0:0:0:0:1","allowed":true},{"address":"*","allowed":false}]. Also turn on JWT ' +
    'for incoming requests (token.enable.request.inbox), which ipfilter does not replace.',
  fix: fixes.allowList,
  reads: [K.ipRules, K.ipUseForRequest, K.enableInbox],
  check(ctx) {
    const rules = ctx.get(K.ipRules);
    if (!Array.isArray(rules)) return [];
    const results = simulate(rules, REPRESENTATIVE);
    if (!results.every((r) => r.verdict.decision === 'allowed')) return [];
    if (allowListWithoutDeny(rules)) return [];

    const deciding = new Set(results.map((r) => r.verdict.matchedIndex));
    const only = deciding.size === 1 ? [...deciding][0] : undefined;
    const place = only !== undefined ? at(ctx, only, 'address') : atKey(ctx, K.ipRules);
    const how =
      only !== undefined
        ? `${ruleName(only)} ${show(rules[only])} matches every address and allows it`
        : rules.length === 0
          ? 'the list is empty, and DS allows every address no rule matches'
          : 'no rule denies any of 203.0.113.7, 10.0.0.5, 192.168.1.10, 127.0.0.1, 169.254.169.254 or 2001:db8::1';
    const incoming = useForRequest(ctx)
      ? 'useforrequest is on, but with these rules no client is refused either'
      : 'useforrequest is off, so incoming requests are not filtered at all';
    const jwt = jwtInboxOn(ctx)
      ? 'JWT is on for incoming requests, so only holders of the secret can hand DS a URL.'
      : `${short(K.enableInbox)} is off as well, so anyone who can reach DS can make it fetch any URL — internal ` +
        'services, loopback, cloud metadata — or send callbacks there.';
    const hit: RuleHit = {
      message: `ipfilter.rules lets every address through: ${how}. ${COVERAGE}; ${incoming}. ${jwt}`,
      severity: jwtInboxOn(ctx) ? 'medium' : 'high',
      ...place,
    };
    return [hit];
  },
};
