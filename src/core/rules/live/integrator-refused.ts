/** DSH810: run from the integrator's host (--from-integrator), the server-to-server routes are refused by ipfilter or a proxy. */
import type { Rule } from '../rule.js';
import { obs } from './support.js';

export const integratorRefusedLive: Rule = {
  id: 'DSH810',
  area: 'live',
  severity: 'high',
  title: 'The integrator is refused on the server-to-server routes',
  why:
    'This probe ran from the integrator\'s host (--from-integrator), where the command service, the conversion service and ' +
    'the healthcheck must answer. They were refused before DS looked at the token (ipfilter\'s errorcode or the proxy): ' +
    'the integrator cannot convert, save or check the server from here.',
  remediation:
    'Allow this host\'s address: ds-harden apply --allow <this address> (ipfilter) and ds-harden proxy --allow <this address> ' +
    '(proxy). Behind NAT the address DS sees is the public one.',
  reads: [],
  check(ctx) {
    if (!ctx.live?.fromIntegrator) return [];
    const refused = (['healthcheck', 'cmd-configured', 'cmd-unsigned', 'convert-configured', 'convert-unsigned'] as const)
      .map((id) => obs(ctx, id))
      .filter((o) => o?.verdict === 'blocked');
    if (refused.length === 0) return [];
    return [
      {
        message: `Refused ${refused[0]!.blockedBy === 'ipfilter' ? 'by DS\'s ipfilter' : 'in front of DS'}: ${refused.map((o) => `${o!.label} (${o!.detail})`).join('; ')}.`,
        url: refused[0]!.url,
      },
    ];
  },
};
