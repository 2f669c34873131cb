/**
 * DSH506: a rule DS never reaches because an earlier rule matches everything it could match (first match wins,
 * ds-facts §3.2). Typical: specific rules appended after the stock {"address":"*","allowed":true}.
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { shadowedRules } from '../../ds/ipfilter.js';
import { at, atKey, isCatchAll, ruleName, show } from './common.js';
import { fixes } from '../fixes.js';

/** Shadowed rules reported one by one; the rest are counted in one finding (a list of thousands helps nobody). */
export const MAX_LISTED = 100;

export const shadowedRule: Rule = {
  id: 'DSH506',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'medium',
  title: 'A rule can never match because an earlier rule catches it first',
  why:
    'DS stops at the first rule that matches. A rule after "*", after an identical address, or after a broader ' +
    '"prefix*" glob is never reached: whatever it says — allow or deny — has no effect.',
  remediation:
    'Order the rules from specific to general: specific allows and denies first, the "*" rule last. Remove rules ' +
    'that repeat an earlier one.',
  fix: fixes.reorder,
  reads: [K.ipRules],
  check(ctx) {
    const rules = ctx.get(K.ipRules);
    if (!Array.isArray(rules)) return [];
    const hits: RuleHit[] = [];
    const shadowed = shadowedRules(rules);
    for (const { index, by } of shadowed.slice(0, MAX_LISTED)) {
      const later = rules[index] as Record<string, unknown>;
      const earlier = rules[by] as Record<string, unknown>;
      const same = Boolean(later['allowed']) === Boolean(earlier['allowed']);
      const verb = (v: unknown) => (v ? 'allows' : 'denies');
      const consequence = same
        ? `it ${verb(later['allowed'])} like ${ruleName(by)}, so it is redundant`
        : `${ruleName(by)} ${verb(earlier['allowed'])} those addresses, so the ${later['allowed'] ? 'allow' : 'deny'} ` +
          `written here never happens`;
      const how = isCatchAll(earlier['address'])
        ? `${show(earlier['address'])} matches every address`
        : `${show(earlier['address'])} matches everything ${show(later['address'])} can match`;
      hits.push({
        message: `${ruleName(index)} ${show(later)} is never reached: ${ruleName(by)} ${how}, and the first match wins; ${consequence}.`,
        ...at(ctx, index, 'address'),
      });
    }
    if (shadowed.length > MAX_LISTED) {
      const rest = shadowed.slice(MAX_LISTED);
      hits.push({
        message:
          `${rest.length} more rules are never reached (${ruleName(rest[0]!.index)} to ${ruleName(rest[rest.length - 1]!.index)}); ` +
          `the first ${MAX_LISTED} are listed one by one above. Reorder or shorten the list (a final {"address":"*","allowed":false} after ` +
          'the specific rules).',
        ...atKey(ctx, K.ipRules),
      });
    }
    return hits;
  },
};
