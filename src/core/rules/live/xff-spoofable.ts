/** DSH804: the filtered route's verdict changes with a forged X-Forwarded-For (ds-observed §3e: left-most entry; non-IP passes). */
import type { Rule } from '../rule.js';
import { obs, said } from './support.js';
import { allowArgs } from '../ipfilter/common.js';

export const xffSpoofableLive: Rule = {
  id: 'DSH804',
  area: 'live',
  severity: 'high',
  title: 'ipfilter can be passed by forging X-Forwarded-For',
  why:
    'With useforrequest, DS judges the left-most X-Forwarded-For entry, and a value that is no IP address matches no rule ' +
    'and passes. The probe asked a filtered route with and without a forged header, and the answer changed: any client ' +
    'can claim an allowed address. Only a proxy that overwrites the header, with DS\'s own ports firewalled, closes this.',
  remediation:
    'Put a reverse proxy in front that overwrites X-Forwarded-For (ds-harden proxy --type haproxy|nginx|apache {allow}), ' +
    'firewall ports 80/443/8000 of the DS host so only that proxy reaches them, and keep JWT on.',
  reads: [],
  check(ctx) {
    const live = ctx.live;
    if (!live?.xff.spoofable || !live.xff.via) return [];
    const base = obs(ctx, 'healthcheck');
    const forged = obs(ctx, live.xff.via);
    if (!base || !forged) return [];
    const what =
      live.xff.via === 'xff-denied'
        ? 'Claiming an address no allow-list admits got the request refused, so DS judges the client\'s own header: an outsider can claim the integrator\'s address.'
        : 'The forged header got a refused request through.';
    return [{ message: `${said(base)}; ${said(forged)}. ${what}`, url: forged.url, fill: { allow: allowArgs(ctx) } }];
  },
};
