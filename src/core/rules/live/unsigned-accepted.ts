/** DSH800: the running server accepts unsigned server-to-server requests (JWT off for incoming requests). ds-observed §3d. */
import type { Rule } from '../rule.js';
import { obs, said } from './support.js';

export const unsignedAcceptedLive: Rule = {
  id: 'DSH800',
  area: 'live',
  severity: 'critical',
  title: 'The running server accepts unsigned server-to-server requests',
  why:
    'The probe sent CommandService and ConvertService requests without a token and DS carried them out. Whoever reaches ' +
    'the server can then run commands on open documents (drop users, force saves) and make DS download and convert any ' +
    'URL. This is what the server does, whatever its configuration files say (not restarted, another layer, another host).',
  remediation:
    'Turn JWT on for incoming requests (services.CoAuthoring.token.enable.request.inbox = true with a strong secret: ' +
    'ds-harden apply --generate-secret), restart DS, give the integrator the same secret, and probe again.',
  reads: [],
  check(ctx) {
    return (['cmd-unsigned', 'convert-unsigned'] as const)
      .map((id) => obs(ctx, id))
      .filter((o) => o?.verdict === 'accepted')
      .map((o) => ({ message: `${said(o!)} — DS did it without any token.`, url: o!.url }));
  },
};
