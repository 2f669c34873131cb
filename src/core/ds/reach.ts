/**
 * Who can really reach DS's filtered routes, told with X-Forwarded-For in mind (pure). For `apply`'s ipfilter
 * simulation and its `--useforrequest` warning; the lead's apply pipeline calls these.
 *
 * Facts (ds-observed §3e, ds-facts §3.4): with `useforrequest`, DS judges the left-most X-Forwarded-For entry when the
 * header is present (forwarded 0.2.0 + `addresses[length-1]`), else the socket address; a non-IP entry matches no
 * rule, not even "*", and passes. The packaged nginx appends to a client's header ($proxy_add_x_forwarded_for), so
 * the entry stays client-controlled unless a proxy in front overwrites it (ds-harden proxy) and DS's own ports are
 * reachable only from that proxy. Without `useforrequest`, ipfilter filters no incoming request at all. Outgoing
 * checks (callbacks, downloads: a `hostname` target) never look at X-Forwarded-For.
 */
import { evaluateIpFilter, type IpVerdict } from './ipfilter.js';

/**
 * - allowed: DS lets it through
 * - denied: DS refuses it, and no header can change that (a proxy overwrites X-Forwarded-For)
 * - denied-unless-xff-forged: DS refuses it as itself, but the client passes by sending X-Forwarded-For with an
 *   allowed address or a non-IP value
 * - not-filtered: useforrequest is off, so ipfilter does not look at incoming requests (JWT alone decides)
 * - error: DS throws on the rules (HTTP 500)
 */
export type ReachVerdict = 'allowed' | 'denied' | 'denied-unless-xff-forged' | 'not-filtered' | 'error';

export interface ReachSettings {
  /** the ipfilter rules as DS will read them */
  readonly rules: unknown;
  /** services.CoAuthoring.ipfilter.useforrequest as DS will read it (truthiness, as DS: "false" is on) */
  readonly useforrequest: unknown;
  readonly errorcode?: unknown;
  /** a reverse proxy in front overwrites X-Forwarded-For and DS's ports are reachable only through it */
  readonly xffOverwritingProxy: boolean;
}

export interface ReachRow {
  readonly verdict: ReachVerdict;
  /** one sentence for the simulation table */
  readonly detail: string;
  /** DS's own verdict for the address as the client itself */
  readonly ipfilter: IpVerdict;
}

/**
 * The verdict for one target. `target.hostname` set ⇒ an outgoing check (callback/download host): X-Forwarded-For and
 * useforrequest play no part. Otherwise an incoming request from `target.ip`.
 */
export function reach(s: ReachSettings, target: { ip?: string; hostname?: string }): ReachRow {
  const v = evaluateIpFilter(s.rules, target, s.errorcode ?? 403);
  if (target.hostname !== undefined) return { verdict: v.decision, detail: v.reason, ipfilter: v };
  if (!s.useforrequest) {
    return {
      verdict: 'not-filtered',
      detail: 'useforrequest is off: ipfilter does not filter incoming requests, only JWT protects the API',
      ipfilter: v,
    };
  }
  if (v.decision !== 'denied') return { verdict: v.decision, detail: v.reason, ipfilter: v };
  const reason = v.reason.replace(/\.$/, '');
  if (s.xffOverwritingProxy) return { verdict: 'denied', detail: `${reason} (the proxy in front overwrites X-Forwarded-For)`, ipfilter: v };
  return {
    verdict: 'denied-unless-xff-forged',
    detail:
      `${reason} — unless the client sends X-Forwarded-For with an allowed address or a value that is no IP ` +
      '(DS judges the left-most entry, which the client writes)',
    ipfilter: v,
  };
}

/** Short labels for the simulation table (7 characters wide but the forged one). */
export const REACH_LABEL: Readonly<Record<ReachVerdict, string>> = {
  allowed: 'allowed',
  denied: 'denied',
  'denied-unless-xff-forged': 'denied unless X-Forwarded-For is forged',
  'not-filtered': 'not filtered',
  error: 'error',
};

/**
 * What `apply --useforrequest` must say (once) when no overwriting proxy is known; empty when one is.
 * `proxyCommand` is the `ds-harden proxy …` line with the user's --allow values, e.g.
 * `ds-harden proxy --type haproxy --allow 192.168.10.20`.
 */
export function useforrequestWarning(xffOverwritingProxy: boolean, proxyCommand: string): string {
  if (xffOverwritingProxy) return '';
  return (
    'useforrequest: DS judges incoming requests by the left-most X-Forwarded-For entry, which the client writes itself. ' +
    'Any client can claim an allowed address (or send a value that is no IP, which no rule matches) and pass this filter. ' +
    'It only holds behind a reverse proxy that overwrites X-Forwarded-For, with DS\'s ports (80/443 of its nginx, 8000) ' +
    `reachable from that proxy alone: generate its rules with \`${proxyCommand}\`. ` +
    'ipfilter never covers the welcome page, the editors, static files or the websocket (/doc/) either; the proxy rules ' +
    'close the welcome and example pages, and JWT (token.enable.*) protects the rest.'
  );
}
