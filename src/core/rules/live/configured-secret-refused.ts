/** DSH809: the running server refuses a request signed with the configured secret (ds-observed §3d: error 6 / -8). */
import type { Rule } from '../rule.js';
import { obs, said } from './support.js';

export const configuredSecretRefusedLive: Rule = {
  id: 'DSH809',
  area: 'live',
  severity: 'high',
  title: 'The running server refuses the configured secret',
  why:
    'The probe signed requests the way the integrator does (HS256, the configured secret, in the configured header and in the ' +
    'body) and DS refused them. Either the running server uses another secret or header (local.json changed but DS not ' +
    'restarted, a later layer overrides it, another server answers), or the secret given to ds-harden is not the one ' +
    'DS has: the integrator\'s calls fail the same way ("Invalid token").',
  remediation:
    'Compare ds-harden check --explain services.CoAuthoring.secret.inbox.string with the integrator\'s setting, restart DS ' +
    'after changing local.json, and probe again.',
  reads: [],
  check(ctx) {
    return (['cmd-configured', 'convert-configured'] as const)
      .map((id) => obs(ctx, id))
      .filter((o) => o?.verdict === 'refused')
      .map((o) => ({ message: `${said(o!)} — refused although signed with the configured secret.`, url: o!.url }));
  },
};
