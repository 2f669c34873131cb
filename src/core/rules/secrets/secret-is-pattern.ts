/**
 * DSH302: a JWT secret of 32+ characters that is still guessable: words, a repeated block, a character sequence or
 * very few distinct characters. The checks and their thresholds are documented in weakness.ts.
 * Shorter values are DSH301's, placeholders DSH300's; secrets read from files are not judged here.
 */
import type { Rule, RuleHit } from '../rule.js';
import { secretsInUse, short, where, SECRET, SECRET_FROM_INBOX } from './common.js';
import { judgeSecret } from '../../ds/secret-strength.js';
import { fixes, INTEGRATOR } from '../fixes.js';

export const secretIsPattern: Rule = {
  id: 'DSH302',
  area: 'secrets',
  fixedByApply: true,
  severity: 'high',
  title: 'A JWT secret looks like a word or pattern',
  why:
    'Length alone does not make an HMAC key strong: passphrases built from common words, repeated blocks, keyboard or ' +
    'alphabet runs are the first things an offline guesser tries against a captured token.',
  remediation:
    `Replace the secret with generator output (e.g. openssl rand -hex 32) in secret.inbox, outbox and session, then {restart}. ${INTEGRATOR}`,
  fix: fixes.secrets,
  reads: [`${SECRET}.inbox.string`, `${SECRET}.outbox.string`, `${SECRET}.session.string`, `${SECRET}.browser.string`, SECRET_FROM_INBOX],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const use of secretsInUse(ctx)) {
      if (use.source !== 'string' || use.value === undefined) continue;
      const verdict = judgeSecret(use.value);
      if (verdict.ok || verdict.ruleId !== 'DSH302') continue;
      const reason = verdict.reason.replace(/^it is guessable: /, '');
      const loc = ctx.origin(use.stringKey);
      hits.push({
        message: `${short(use.stringKey)} (${use.value.length} characters, ${where(loc)}) is guessable: ${reason}. It ${use.role}.`,
        location: loc,
        key: use.stringKey,
      });
    }
    return hits;
  },
};
