/** DSH802: the running server accepts a token with a wrong secret or `alg: none` although it refuses unsigned ones. ds-facts §4.2. */
import type { Rule } from '../rule.js';
import { obs, said, unsignedAccepted } from './support.js';

export const forgedTokenAcceptedLive: Rule = {
  id: 'DSH802',
  area: 'live',
  severity: 'critical',
  title: 'The running server accepts forged tokens (wrong secret or alg "none")',
  why:
    'DS verifies inbox tokens with HS256/384/512 and refuses alg "none" (jsonwebtoken without an algorithms option). ' +
    'A server that accepts a token signed with a secret nobody configured, or an unsigned "none" token, does not check ' +
    'signatures at all: the token check is decoration.',
  remediation:
    'Find what answers at this URL: a modified DocService, a proxy that answers for it, or a test stub. Run an official ' +
    'DS release with token.enable.request.inbox true, and probe again.',
  reads: [],
  check(ctx) {
    if (unsignedAccepted(ctx)) return [];
    return (['cmd-wrong', 'cmd-none'] as const)
      .map((id) => obs(ctx, id))
      .filter((o) => o?.verdict === 'accepted')
      .map((o) => ({ message: `${said(o!)} — DS accepted a token it should refuse.`, url: o!.url }));
  },
};
