/**
 * DSH520 (info): what ipfilter does not restrict, said once. ipfilter (with useforrequest) guards only the routes
 * DocService mounts checkClientIp on; the welcome page, the example, /index.html, static files, the editors' calls
 * and the websocket (/doc/) are never filtered (ds-observed §3e route matrix: /index.html and socket.io 200/101 under
 * deny-all; core/ds/routes.ts). Without useforrequest it filters no incoming request at all (ds-facts §3.3).
 */
import type { Rule } from '../rule.js';
import { K, STOCK } from '../../ds/keys.js';
import { atKey, useForRequest, allowArgs } from './common.js';

export const ipfilterReach: Rule = {
  id: 'DSH520',
  area: 'ipfilter',
  severity: 'info',
  title: 'ipfilter does not restrict the welcome page, the editors or the websocket',
  why:
    'ipfilter is often taken for a firewall. With useforrequest it checks only the server-to-server routes (command and ' +
    'conversion services, docbuilder, healthcheck, /info, WOPI discovery); without it, only the URLs DS fetches. The ' +
    'welcome page, the example, /index.html, the editors with their static files and calls, and the editor websocket ' +
    '(/doc/) answer everyone who reaches DS, whatever the rules say.',
  remediation:
    'Restrict those in the reverse proxy (ds-harden proxy --type haproxy|nginx|apache {allow} refuses ' +
    '/welcome, /example, /info and the server routes to others and overwrites X-Forwarded-For), keep JWT on ' +
    '(token.enable.browser and request.inbox: without a token signed by the integrator nobody can open a document), and ' +
    'stop the example service. ds-harden probe <url> shows what answers from outside.',
  reads: [K.ipUseForRequest, K.ipRules],
  check(ctx) {
    const useFor = useForRequest(ctx);
    const configured = JSON.stringify(ctx.get(K.ipRules)) !== JSON.stringify(STOCK[K.ipRules]);
    if (!useFor && !configured) return [];
    const place = atKey(ctx, useFor ? K.ipUseForRequest : K.ipRules);
    const scope = useFor
      ? 'ipfilter checks incoming requests on the server-to-server routes only'
      : 'useforrequest is off, so these rules check no incoming request at all, only the URLs DS fetches';
    return [
      {
        message:
          `${scope}: the welcome page, the example, /index.html, the editors (static files, /downloadas, /upload …) and the ` +
          'websocket (/doc/) stay reachable for everyone who reaches DS. The reverse proxy (ds-harden proxy) restricts ' +
          'those pages; JWT is what keeps people without the integrator out of the editors.',
        fill: { allow: allowArgs(ctx) },
        ...place,
      },
    ];
  },
};
