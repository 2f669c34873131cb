/**
 * DSH509: useforrequest trusts the left-most X-Forwarded-For entry (ds-facts §3.4, ds-observed §3e).
 *
 * DS takes `forwarded(req)`'s last element, i.e. the left-most X-Forwarded-For entry — the one the client writes.
 * The packaged nginx appends ($proxy_add_x_forwarded_for), so the client's value survives; observed on DS 9.3:
 * `X-Forwarded-For: 10.9.8.7` passed a rule that denied the real client 127.0.0.1. A value that is no IP address
 * gives DS nothing to test, so no rule matches — not even a final "*" deny — and the request is allowed.
 * Severity: medium; info when the rules (and errorcode) refuse no client anyway.
 */
import type { Rule } from '../rule.js';
import { K } from '../../ds/keys.js';
import { atKey, deniesSomeClient, show, useForRequest, where, allowArgs } from './common.js';
import { fixes } from '../fixes.js';

export const xffTrust: Rule = {
  id: 'DSH509',
  area: 'ipfilter',
  severity: 'medium',
  title: 'useforrequest trusts the left-most X-Forwarded-For',
  why:
    'With useforrequest, DS judges a request by the left-most X-Forwarded-For entry, which the client itself sends. ' +
    'The packaged nginx appends to that header instead of replacing it, so any client can claim an allowed address, ' +
    'and a value that is no IP address (X-Forwarded-For: x) matches no rule and is allowed even by a final deny. ' +
    'DocService also listens on port 8000 on all interfaces, where the header arrives unfiltered.',
  remediation:
    'Make the reverse proxy in front of DS overwrite the header with the real peer address — nginx: ' +
    '`proxy_set_header X-Forwarded-For $remote_addr;` (instead of $proxy_add_x_forwarded_for), haproxy: ' +
    '`http-request set-header X-Forwarded-For %[src]`, Apache: `ProxyAddHeaders Off` and ' +
    '`RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"` (not "%{REMOTE_ADDR}s", which sends "(null)") — or let ' +
    '`ds-harden proxy --type haproxy|nginx|apache {allow}` write the rules — and firewall ports 80/443/8000 ' +
    'of the DS host so only the proxy reaches DS. Keep JWT on for incoming requests: it does not depend on addresses.',
  fix: fixes.useforrequest,
  reads: [K.ipUseForRequest, K.ipRules, K.ipErrorCode],
  check(ctx) {
    if (!useForRequest(ctx)) return [];
    const place = atKey(ctx, K.ipUseForRequest);
    const denies = deniesSomeClient(ctx);
    const what = denies
      ? 'any client can pass the rules by sending X-Forwarded-For with an allowed address (the stock nginx keeps a ' +
        'client-supplied header and appends to it), and a value that is no IP address (X-Forwarded-For: x) matches no ' +
        'rule — not even a final "*" deny — so the request is allowed'
      : 'the rules refuse no client today, so nothing depends on it yet; once they do, any client can pass them by ' +
        'sending X-Forwarded-For with an allowed address or with a value that is no IP address';
    return [
      {
        message:
          `ipfilter.useforrequest is ${show(ctx.get(K.ipUseForRequest))} (${where(place.location)}): DS checks incoming ` +
          `requests against the left-most X-Forwarded-For entry, which the client sets; ${what}.`,
        severity: denies ? 'medium' : 'info',
        fill: { allow: allowArgs(ctx) },
        ...place,
      },
    ];
  },
};
