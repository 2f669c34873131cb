/** DSH803: an expired token (exp an hour ago) is accepted. DS refuses it with error 7 (ds-observed §3d; tolerance 60 s, ds-facts §2.3). */
import type { Rule } from '../rule.js';
import { obs, said, unsignedAccepted } from './support.js';

export const expiredTokenAcceptedLive: Rule = {
  id: 'DSH803',
  area: 'live',
  severity: 'medium',
  title: 'The running server accepts expired tokens',
  why:
    'DS refuses a token whose exp lies more than verifyOptions.clockTolerance (60 s) in the past with error 7. One that ' +
    'accepts a token that expired an hour ago lets a captured request be replayed for ever.',
  remediation:
    'Keep services.CoAuthoring.token.verifyOptions.clockTolerance small (default 60 seconds) and the DS host\'s clock in ' +
    'sync (NTP); then probe again.',
  reads: [],
  check(ctx) {
    const o = obs(ctx, 'cmd-expired');
    if (o?.verdict !== 'accepted' || unsignedAccepted(ctx)) return [];
    return [{ message: `${said(o)} — the token expired an hour ago.`, url: o.url }];
  },
};
