/** DSH801: the running server accepts a token signed with the stock secret "secret" (CVE-2021-43445). ds-facts §2.2, §7. */
import type { Rule } from '../rule.js';
import { obs, said, unsignedAccepted } from './support.js';
import { INTEGRATOR } from '../fixes.js';

export const stockSecretAcceptedLive: Rule = {
  id: 'DSH801',
  area: 'live',
  severity: 'critical',
  title: 'The running server accepts tokens signed with the stock secret "secret"',
  why:
    'Every default.json ships the JWT secret "secret" (CVE-2021-43445). The probe signed a CommandService request with it ' +
    'and DS accepted it: anyone can sign requests and editor configurations as the integrator.',
  remediation:
    `Set a strong secret for inbox, outbox and session (ds-harden apply --generate-secret), restart DS. ${INTEGRATOR}`,
  reads: [],
  check(ctx) {
    const o = obs(ctx, 'cmd-default');
    if (o?.verdict !== 'accepted' || unsignedAccepted(ctx)) return [];
    return [{ message: `${said(o)} — signed with "secret", and DS accepted it.`, url: o.url }];
  },
};
