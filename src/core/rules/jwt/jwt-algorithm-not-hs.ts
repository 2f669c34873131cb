/**
 * DSH206: DS signs outbox and session tokens with token.outbox.algorithm / token.session.algorithm and a shared string
 * secret. Only HMAC (HS256/HS384/HS512) works with a string secret; Nextcloud verifies DS's tokens with HS256 (ds-facts §4.2, §6.2).
 */
import type { Rule, RuleHit } from '../rule.js';
import { TOKEN, short, show, where } from './common.js';
import { fixes } from '../fixes.js';

const KEYS = [`${TOKEN}.outbox.algorithm`, `${TOKEN}.session.algorithm`] as const;
const HMAC = new Set(['HS256', 'HS384', 'HS512']);

export const jwtAlgorithmNotHs: Rule = {
  id: 'DSH206',
  area: 'jwt',
  severity: 'medium',
  title: 'Outbox tokens use an algorithm other than HS256/384/512',
  why:
    'DS signs callback (outbox) and editor session tokens with a shared string secret. An asymmetric algorithm (RS*, ES*, PS*) ' +
    'cannot sign with a string secret, "none" yields unsigned tokens or an error, and a misspelt name is rejected by the JWT library, ' +
    'so callbacks or editor sessions fail or lose their protection.',
  remediation: 'Remove the override ({file}) or set token.outbox.algorithm and token.session.algorithm to "HS256" (what the integrators\' ONLYOFFICE apps verify), then {restart}.',
  fix: fixes.algorithm,
  reads: [...KEYS],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const key of KEYS) {
      const v = ctx.get(key);
      if (typeof v === 'string' && HMAC.has(v)) continue;
      const loc = ctx.origin(key);
      hits.push({
        message: `${short(key)} is ${show(v)} (${where(loc)}); only "HS256", "HS384" or "HS512" (exact spelling) work with DS's shared secret.`,
        location: loc,
        key,
      });
    }
    return hits;
  },
};
