/**
 * DSH505: `ipfilter.rules` is malformed. DS validates nothing and reads the value with plain JavaScript
 * (ds-facts §3.2, ds-observed §3f):
 * - not an array without a `length` (object, number, boolean, ""): the loop runs zero times → no rule, everything
 *   allowed (observed on 9.3 for an object);
 * - null or a non-empty string: reading `length` throws, or the loop reaches a character without `.address` → DS
 *   throws (observed on 9.3: HTTP 500 on every filtered route);
 * - an entry that is not an object, or whose address is not a string: DS throws when it compiles that rule; when that
 *   happens depends on the version (see brokenRuleEffect in common.ts).
 */
import type { Rule, RuleContext, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { evaluateIpFilter } from '../../ds/ipfilter.js';
import { certainlyAtLeast, certainlyBelow, V } from '../../ds/versions.js';
import { at, atKey, brokenRuleEffect, isCatchAll, ruleEntries, ruleName, show } from './common.js';
import { fixes } from '../fixes.js';

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** What DS does when reading the whole rules value throws (null, a non-empty string). */
function wholeListEffect(ctx: RuleContext): string {
  const startup = 'DocService and FileConverter do not start (DS < 7.5 compiles the rules at start-up)';
  const checks =
    'every ipfilter check throws: outgoing callbacks, downloads and WOPI calls fail, and with useforrequest every ' +
    'filtered incoming request gets HTTP 500 (observed on DS 9.3)';
  if (certainlyBelow(ctx.version, V('7.5.0'))) return startup;
  if (certainlyAtLeast(ctx.version, V('7.5.0'))) return checks;
  return `on DS < 7.5 ${startup}; from 7.5 on ${checks}`;
}

export const malformedRules: Rule = {
  id: 'DSH505',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'critical',
  title: 'ipfilter rules are malformed',
  why:
    'DS does not validate ipfilter.rules. An object instead of an array makes DS run no rule at all, so everything is ' +
    'allowed; null, a string, or an entry without a string "address" makes DS throw — DS < 7.5 then does not start, ' +
    'later versions fail the outgoing requests and answer filtered API requests with HTTP 500.',
  remediation:
    'Make ipfilter.rules an array of objects, each with a string "address" and a boolean "allowed", e.g. ' +
    '"rules": [{"address":"10.0.0.5","allowed":true},{"address":"*","allowed":false}].',
  fix: fixes.ruleShape,
  reads: [K.ipRules],
  check(ctx) {
    const rules = ctx.get(K.ipRules);
    if (rules === undefined) return [];
    if (!Array.isArray(rules)) {
      const verdict = evaluateIpFilter(rules, { ip: '203.0.113.7' });
      const effect =
        verdict.decision === 'error'
          ? wholeListEffect(ctx)
          : 'DS runs no rule at all, so every address is allowed, outgoing and incoming (observed on DS 9.3 for an object)';
      return [
        {
          message: `ipfilter.rules is ${typeName(rules)}${rules === null ? '' : ` (${show(rules)})`}, not an array: ${effect}.`,
          ...atKey(ctx, K.ipRules),
        },
      ];
    }
    const hits: RuleHit[] = [];
    const entries = ruleEntries(rules);
    // the first catch-all, once (looking back from every broken entry would be quadratic)
    const firstCatchAll = entries.find((x) => x.isObject && isCatchAll(x.address));
    for (const e of entries) {
      if (e.isObject && typeof e.address === 'string') continue;
      const what = !e.isObject
        ? `is ${typeName(e.value)}${e.value === null ? '' : ` (${show(e.value)})`}, not an object {"address": …, "allowed": …}`
        : e.address === undefined
          ? `has no "address"`
          : `has an address that is ${typeName(e.address)}${e.address === null ? '' : ` (${show(e.address)})`}, not a string`;
      const catchAll = firstCatchAll !== undefined && firstCatchAll.index < e.index ? firstCatchAll : undefined;
      const { text, severity, dormant } = brokenRuleEffect(ctx, catchAll === undefined);
      const hasAddressKey = e.isObject && Object.hasOwn(e.value as object, 'address');
      hits.push({
        message:
          `${ruleName(e.index)} ${what}: ${text}` +
          (catchAll !== undefined && dormant ? ` (${ruleName(catchAll.index)} ${show(catchAll.value)} matches everything first)` : '') +
          '.',
        severity,
        ...at(ctx, e.index, hasAddressKey ? 'address' : undefined),
      });
    }
    return hits;
  },
};
