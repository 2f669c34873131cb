/** DSH201: DS sends callbacks (and downloads) to the integrator without a JWT. ds-facts §4.4. */
import type { Rule } from '../rule.js';
import { ENABLE_OUTBOX, jsTruthy, short, valueAt } from './common.js';
import { fixes } from '../fixes.js';

export const jwtOutboxEnabled: Rule = {
  id: 'DSH201',
  area: 'jwt',
  fixedByApply: true,
  severity: 'high',
  title: 'DS sends callbacks without a JWT',
  why:
    'With token.enable.request.outbox off, DS posts save callbacks to the integrator without a token, so the integrator ' +
    'cannot tell DS from a forger: an integrator that accepts unsigned callbacks accepts forged "document saved" ' +
    'callbacks too. Nextcloud with a jwt_secret logs "Track without token" for them.',
  remediation:
    'Set services.CoAuthoring.token.enable.request.outbox to true (a boolean) and secret.outbox.string to the same value as ' +
    'secret.inbox.string and the integrator\'s secret, then {restart}.',
  fix: fixes.outbox,
  reads: [ENABLE_OUTBOX],
  check(ctx) {
    const v = ctx.get(ENABLE_OUTBOX);
    if (jsTruthy(v)) return [];
    return [
      {
        message:
          `${short(ENABLE_OUTBOX)} is ${valueAt(ctx, ENABLE_OUTBOX)}, which DS treats as off: save callbacks to the integrator ` +
          `carry no token.`,
        location: ctx.origin(ENABLE_OUTBOX),
        key: ENABLE_OUTBOX,
      },
    ];
  },
};
