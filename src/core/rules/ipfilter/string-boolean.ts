/**
 * DSH504: `rules[i].allowed` or `useforrequest` is a string. DS reads both with JavaScript truthiness and validates
 * nothing (ds-facts §3.2, ds-observed §3f): `"allowed": "false"` ALLOWS, `"useforrequest": "false"` turns incoming
 * filtering ON (observed on DS 9.3: healthcheck 403 with deny-all rules). Only the empty string is false.
 *
 * Severity per hit: high when DS does the opposite of what the text reads like (a "false"-like word that is true, or
 * the empty string, which is false); low when the text and the effect agree ("true").
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';
import { at, atKey, deniesSomeClient, ruleEntries, ruleName, where } from './common.js';
import { fixes } from '../fixes.js';

const READS_FALSE = /^\s*(false|0|no|off|deny|denied|disabled?|none|null)\s*$/i;

/** Whether the string's truthiness contradicts what it reads like. */
function misleading(s: string): boolean {
  return s === '' || READS_FALSE.test(s);
}

export const stringBoolean: Rule = {
  id: 'DSH504',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'high',
  title: 'An ipfilter value is a string where DS expects a boolean',
  why:
    'DS does not check types: it tests "allowed" and "useforrequest" with JavaScript truthiness, where every non-empty ' +
    'string — "false" and "0" included — is true and only "" is false. "allowed": "false" therefore allows the address, ' +
    'and "useforrequest": "false" switches incoming filtering on.',
  remediation: 'Write true or false without quotes, e.g. {"address":"*","allowed":false} and "useforrequest": false.',
  fix: fixes.ipBooleans,
  reads: [K.ipRules, K.ipUseForRequest],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const e of ruleEntries(ctx.get(K.ipRules))) {
      if (!e.isObject || typeof e.allowed !== 'string') continue;
      const s = e.allowed;
      const effect =
        s === ''
          ? 'the empty string is false, so DS DENIES the addresses this rule matches'
          : `a non-empty string is true, so DS ALLOWS the addresses this rule matches` +
            (READS_FALSE.test(s) ? ', although the text reads like a deny' : '');
      hits.push({
        message: `${ruleName(e.index)}.allowed is the string ${JSON.stringify(s)}, not a boolean: ${effect}.`,
        severity: misleading(s) ? 'high' : 'low',
        ...at(ctx, e.index, 'allowed'),
      });
    }
    const u = ctx.get(K.ipUseForRequest);
    if (typeof u === 'string') {
      const place = atKey(ctx, K.ipUseForRequest);
      const effect =
        u === ''
          ? 'the empty string is false, so incoming requests are NOT filtered'
          : 'a non-empty string is true, so DS filters incoming API requests (CommandService, ConvertService, ' +
            '/healthcheck, …) with the rules' +
            (READS_FALSE.test(u) ? ', although the text reads like "off"' : '') +
            (deniesSomeClient(ctx) ? '; the rules deny some clients, and those get the errorcode' : '');
      hits.push({
        message: `ipfilter.useforrequest is the string ${JSON.stringify(u)} (${where(place.location)}), not a boolean: ${effect}.`,
        severity: misleading(u) ? 'high' : 'low',
        ...place,
      });
    }
    return hits;
  },
};
