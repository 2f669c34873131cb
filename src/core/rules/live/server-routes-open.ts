/** DSH805: server-to-server routes answer an outsider (nothing in front refuses them). ds-facts §3.3; core/ds/routes.ts. */
import type { Rule } from '../rule.js';
import { obs, reachedDs } from './support.js';
import { allowArgs } from '../ipfilter/common.js';

export const serverRoutesOpenLive: Rule = {
  id: 'DSH805',
  area: 'live',
  severity: 'medium',
  title: 'Server-to-server routes answer an outsider',
  why:
    'The command and conversion services and the healthcheck are only for the integrator. From where the probe ran (not ' +
    'marked --from-integrator), DocService itself answered them: neither ipfilter nor a proxy refused the request, so only ' +
    'JWT stands between the internet and the command service, and every JWT or DS bug is reachable.',
  remediation:
    'Refuse these routes to everybody but the integrator in the reverse proxy (ds-harden proxy --type … {allow}), ' +
    'or with ipfilter (ds-harden apply {allow} --useforrequest, behind a proxy that overwrites X-Forwarded-For). ' +
    'If this probe did run on the integrator\'s host, pass --from-integrator.',
  reads: [],
  check(ctx) {
    if (!ctx.live || ctx.live.fromIntegrator) return [];
    const open = (['cmd-unsigned', 'convert-unsigned', 'healthcheck'] as const).map((id) => obs(ctx, id)).filter((o) => reachedDs(o));
    if (open.length === 0) return [];
    return [{ message: `DocService answered: ${open.map((o) => `${o!.label} (${o!.detail})`).join('; ')}.`, url: open[0]!.url, fill: { allow: allowArgs(ctx) } }];
  },
};
