/**
 * DSH512: with useforrequest, the rules deny loopback, so the host's own health checks fail (ds-facts §3.4).
 * /healthcheck goes through checkClientIp, and requests that reach DocService through the local nginx carry
 * 127.0.0.1 (or ::1, tested as 0:0:0:0:0:0:0:1). Observed on DS 9.3: rules denying 127.0.0.1 with useforrequest →
 * GET /healthcheck 403.
 */
import type { Rule } from '../rule.js';
import { K } from '../../ds/keys.js';
import { evaluateIpFilter } from '../../ds/ipfilter.js';
import { at, atKey, ruleName, show, useForRequest } from './common.js';
import { fixes } from '../fixes.js';

const LOOPBACK = [
  { ip: '127.0.0.1', rule: '127.0.0.1' },
  { ip: '::1', rule: '0:0:0:0:0:0:0:1' },
] as const;

export const loopbackDenied: Rule = {
  id: 'DSH512',
  area: 'ipfilter',
  fixedByApply: true,
  severity: 'high',
  title: 'Loopback is denied, so the host\'s own health checks fail',
  why:
    'With useforrequest, /healthcheck is filtered like the API. Local monitoring, the Docker HEALTHCHECK and scripts ' +
    'on the host reach DocService from 127.0.0.1 or ::1 (through the packaged nginx or directly on port 8000); when ' +
    'the rules deny loopback, those checks get the errorcode and report DS as down.',
  remediation:
    'Allow loopback before the deny rules: {"address":"127.0.0.1","allowed":true} and ' +
    '{"address":"0:0:0:0:0:0:0:1","allowed":true} (written in full; "::1" never matches).',
  fix: fixes.loopback,
  reads: [K.ipUseForRequest, K.ipRules, K.ipErrorCode],
  check(ctx) {
    if (!useForRequest(ctx)) return [];
    const rules = ctx.get(K.ipRules);
    const errorcode = ctx.get(K.ipErrorCode);
    const denied = LOOPBACK.map((l) => ({ ...l, verdict: evaluateIpFilter(rules, { ip: l.ip }, errorcode) })).filter(
      (l) => l.verdict.decision === 'denied',
    );
    if (denied.length === 0) return [];
    const first = denied[0]!.verdict.matchedIndex;
    const place = first !== undefined ? at(ctx, first, 'address') : atKey(ctx, K.ipRules);
    const which = denied
      .map((l) => `${l.ip} (${l.verdict.matchedIndex !== undefined ? `${ruleName(l.verdict.matchedIndex)} ${show((rules as unknown[])[l.verdict.matchedIndex])}` : 'denied'})`)
      .join(' and ');
    const missing = denied.map((l) => `{"address":"${l.rule}","allowed":true}`).join(', ');
    return [
      {
        message:
          `useforrequest is on and the rules deny loopback: ${which}. GET /healthcheck and the other filtered routes ` +
          `answer the host's own checks with errorcode ${show(errorcode)}, so local monitoring reports DS as down. ` +
          `Add ${missing} before the deny.`,
        ...place,
      },
    ];
  },
};
