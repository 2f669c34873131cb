/**
 * DSH205: token.inbox.prefix / token.outbox.prefix is not "Bearer " (with the trailing space). DS requires the inbox
 * header to start with the prefix and writes it before the outbox token (ds-facts §4.1, §4.4); Nextcloud always
 * sends "Bearer <jwt>" and strips "Bearer " from callbacks (§6.2).
 */
import type { Rule, RuleHit } from '../rule.js';
import { TOKEN, short, show, where } from './common.js';
import { fixes } from '../fixes.js';

const KEYS = [`${TOKEN}.inbox.prefix`, `${TOKEN}.outbox.prefix`] as const;
const BEARER = 'Bearer ';

export const jwtPrefixNotBearer: Rule = {
  id: 'DSH205',
  area: 'jwt',
  severity: 'medium',
  title: 'JWT prefix is not "Bearer "',
  why:
    'DS only accepts an inbox header that starts with token.inbox.prefix (a header without it counts as "no token") and ' +
    'puts token.outbox.prefix in front of callback tokens. Integrators send and strip exactly "Bearer " (with one space); ' +
    'any other prefix, including "Bearer" without the space, breaks header tokens in that direction.',
  remediation: 'Remove the prefix override ({file}) or set it to "Bearer " (capital B, one trailing space), then {restart}.',
  fix: fixes.prefix,
  reads: [...KEYS],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const key of KEYS) {
      const v = ctx.get(key);
      if (v === BEARER) continue;
      const loc = ctx.origin(key);
      const hint =
        typeof v === 'string' && v.trim().toLowerCase() === 'bearer'
          ? v.trim() === 'Bearer'
            ? ' (the spacing differs: exactly one trailing space is needed)'
            : ' (the letter case differs)'
          : '';
      hits.push({
        message: `${short(key)} is ${show(v)} (${where(loc)}), not "Bearer "${hint}; integrators such as Nextcloud send and expect "Bearer <token>".`,
        location: loc,
        key,
      });
    }
    return hits;
  },
};
