/** DSH200: integrators' requests (command, conversion, docbuilder) are accepted without a JWT. ds-facts §4.1, ds-observed §3d. */
import type { Rule } from '../rule.js';
import { ENABLE_INBOX, jsTruthy, short, valueAt } from './common.js';
import { fixes, INTEGRATOR } from '../fixes.js';

export const jwtInboxEnabled: Rule = {
  id: 'DSH200',
  area: 'jwt',
  fixedByApply: true,
  severity: 'critical',
  title: 'JWT is not enforced on requests from integrators',
  why:
    'With token.enable.request.inbox off, DS accepts CommandService, ConvertService, /converter and /docbuilder requests ' +
    'without a token: anyone who can reach DS can drop editing sessions, read server info, and make DS fetch and convert ' +
    'arbitrary URLs. default.json ships it off; installers since 7.2 turn it on (CVE-2021-43445 class).',
  remediation:
    'Set services.CoAuthoring.token.enable.request.inbox to true (a boolean, not a string) in local.json, with a strong ' +
    `secret.inbox.string, then {restart}. ${INTEGRATOR}`,
  fix: fixes.inbox,
  reads: [ENABLE_INBOX],
  check(ctx) {
    const v = ctx.get(ENABLE_INBOX);
    if (jsTruthy(v)) return [];
    return [
      {
        message:
          `${short(ENABLE_INBOX)} is ${valueAt(ctx, ENABLE_INBOX)}, which DS treats as off: command, conversion and docbuilder ` +
          `requests are served without checking any token.`,
        location: ctx.origin(ENABLE_INBOX),
        key: ENABLE_INBOX,
      },
    ];
  },
};
