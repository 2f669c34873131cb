/**
 * DSH513: an IPv4 glob also matches host names (ds-facts §3.2, §3.3). On outgoing checks DS tests every rule against
 * the URL's host name OR its resolved IP, so an allow rule "192.168.1.*" matches the name "192.168.1.evil.example",
 * which its owner can point at any address: the request passes a following deny-all.
 *
 * Judged by evaluation (evaluateIpFilter with a host name and an arbitrary public IP): medium when the name passes
 * an allow glob although the same IP under another name is denied; info for a deny glob that, as a side effect,
 * refuses outgoing requests to such names. Only globs ending in "*" are considered: a host name cannot end in a
 * numeric label, so "192.168.*.1" matches no name that resolves through public DNS.
 *
 * Bounded: each judged glob costs one evaluation of the whole list, so at most MAX_GLOBS globs are judged (real lists
 * hold a handful); beyond that one info finding says the analysis stopped, instead of taking quadratic time.
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { analyzeAddress, evaluateIpFilter } from '../../ds/ipfilter.js';
import { at, atKey, isCatchAll, reachable, ruleEntries, ruleName, show } from './common.js';
import { fixes } from '../fixes.js';

const ATTACKER_IP = '203.0.113.7';

/** Globs judged per rules list (each one is an evaluation of the whole list). */
export const MAX_GLOBS = 64;

/** A host name that the glob matches, e.g. "10.*" → "10.evil.example". */
function nameFor(glob: string): string {
  return `${glob.slice(0, -1).replace(/\*/g, 'a')}evil.example`;
}

export const globMatchesHostnames: Rule = {
  id: 'DSH513',
  area: 'ipfilter',
  severity: 'medium',
  title: 'An IP glob also matches host names',
  why:
    'DS tests each rule against the host name of an outgoing URL as well as its IP address. A glob written for IPs, ' +
    'like "192.168.1.*", also matches the name "192.168.1.evil.example"; whoever owns that domain can point it at any ' +
    'address, and DS fetches it although a final deny was meant to stop everything outside 192.168.1.x.',
  remediation:
    'Prefer exact addresses in allow rules ("192.168.1.10"), or put the deny rules for what must never be reached ' +
    '(e.g. "127.*", "169.254.*", "0:0:0:0:0:0:0:1") before the allow globs. Keep JWT on for incoming requests so ' +
    'that only the integrator can hand DS a URL.',
  fix: fixes.exactAddresses,
  reads: [K.ipRules],
  check(ctx) {
    const rules = ctx.get(K.ipRules);
    const live = reachable(rules);
    const hits: RuleHit[] = [];
    // the same for every glob: how the attacker's IP fares under a name no glob matches
    let other: ReturnType<typeof evaluateIpFilter> | undefined;
    let judged = 0;
    let skipped = 0;
    for (const e of ruleEntries(rules)) {
      const a = e.address;
      if (!e.isObject || typeof a !== 'string' || !live.has(e.index)) continue;
      if (!/^[0-9.*]+$/.test(a) || !/[0-9]/.test(a) || !a.endsWith('*') || isCatchAll(a)) continue;
      if (analyzeAddress(a).length > 0) continue;
      if (judged >= MAX_GLOBS) {
        skipped++;
        continue;
      }
      judged++;
      const host = nameFor(a);
      const byName = evaluateIpFilter(rules, { hostname: host, ip: ATTACKER_IP });
      other ??= evaluateIpFilter(rules, { hostname: 'attacker.example', ip: ATTACKER_IP });
      if (byName.matchedIndex !== e.index) continue;
      if (e.allowed && byName.decision === 'allowed' && other.decision === 'denied') {
        hits.push({
          message:
            `${ruleName(e.index)} allows ${show(a)}, which also matches host names: an outgoing URL on ` +
            `http://${host}/ passes this rule, whatever address the name resolves to (${ATTACKER_IP} is denied ` +
            `under any other name). Whoever can hand DS a URL can so reach addresses the later deny was meant to block.`,
          severity: 'medium',
          ...at(ctx, e.index, 'address'),
        });
      } else if (!e.allowed && byName.decision === 'denied' && other.decision === 'allowed') {
        hits.push({
          message:
            `${ruleName(e.index)} denies ${show(a)}, which also matches host names: outgoing requests to names such as ` +
            `${host} are refused too, whatever address they resolve to.`,
          severity: 'info',
          ...at(ctx, e.index, 'address'),
        });
      }
    }
    if (skipped > 0) {
      hits.push({
        message:
          `ipfilter.rules holds more than ${MAX_GLOBS} IP globs ending in "*"; ds-harden judged the first ${MAX_GLOBS} and did not analyse ` +
          `the other ${skipped} for host-name matches. Check them by hand, or replace the globs by exact addresses.`,
        severity: 'info',
        ...atKey(ctx, K.ipRules),
      });
    }
    return hits;
  },
};
