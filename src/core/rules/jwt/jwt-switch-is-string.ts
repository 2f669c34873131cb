/**
 * DSH203: a token.enable.* switch holds a string. DS tests it with JavaScript truthiness and no schema check
 * (ds-observed §3f): "false" (any non-empty string) enforces JWT, "" turns it off.
 */
import type { Rule, RuleHit } from '../rule.js';
import { ENABLE_BROWSER, ENABLE_INBOX, ENABLE_OUTBOX, short, where } from './common.js';
import { fixes } from '../fixes.js';

const SWITCHES = [ENABLE_BROWSER, ENABLE_INBOX, ENABLE_OUTBOX] as const;

export const jwtSwitchIsString: Rule = {
  id: 'DSH203',
  area: 'jwt',
  fixedByApply: true,
  severity: 'high',
  title: 'A token switch is a string, not a boolean',
  why:
    'DS does not validate types: it tests token.enable.* with JavaScript truthiness. Any non-empty string, including ' +
    '"false" and "0", switches JWT on; the empty string "" switches it off. The file says one thing and DS does another, ' +
    'and the next person who edits it will be misled (observed on DS 9.3: inbox "false" → unsigned requests get error 6).',
  remediation: 'Write true or false without quotes in {file}, e.g. "inbox": true, then {restart}.',
  fix: fixes.switches,
  reads: [...SWITCHES],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const key of SWITCHES) {
      const v = ctx.get(key);
      if (typeof v !== 'string') continue;
      const loc = ctx.origin(key);
      const effect =
        v.length === 0
          ? 'the empty string is falsy, so DS treats this switch as OFF and does not check tokens here'
          : `a non-empty string is truthy, so DS treats this switch as ON and enforces JWT` +
            (/^\s*(false|0|no|off|disabled?)\s*$/i.test(v) ? `, although the text reads like "off"` : '');
      hits.push({
        message: `${short(key)} is the string ${JSON.stringify(v)} (${where(loc)}), not a boolean: ${effect}.`,
        location: loc,
        key,
      });
    }
    return hits;
  },
};
