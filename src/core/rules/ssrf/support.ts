/**
 * Shared helpers for the outgoing-request rules (DSH51x, DSH600), ds-facts §2.4. Pure.
 *
 * How DS filters the addresses of URLs it fetches:
 * - 6.2.2 – 8.0.x: downloads that did not come with a verified JWT go through request-filtering-agent with the options
 *   `services.CoAuthoring.request-filtering-agent` (`server@v7.5.1.35:Common/sources/utils.js:296-318`).
 * - 8.1+: `addExternalRequestOptions` (`server@v9.3.0.140:Common/sources/utils.js:265-327`): a "direct" URL
 *   (directIfIn.allowList prefix, or — only with an empty allowList — directIfIn.jwtToken and a URL from a verified
 *   JWT) is fetched with no filter; otherwise `externalRequest.action.allow` must be truthy (else the request is
 *   refused) and `action.blockPrivateIP` installs request-filtering-agent with the same options.
 *
 * request-filtering-agent (azu/request-filtering-agent, validateIPAddress): `allowPrivateIPAddress` lets through every
 * address whose ipaddr.js range is not "unicast" — loopback, RFC 1918, and link-local 169.254.0.0/16, which holds the
 * cloud metadata service 169.254.169.254. `allowMetaIPAddress` is about the *unspecified* ("meta") addresses 0.0.0.0
 * and ::, which on Linux connect to the host itself. Both options are read for truthiness.
 */
import type { RuleContext } from '../rule.js';
import { certainlyAtLeast, certainlyBelow, V } from '../../ds/versions.js';

export const RFA = 'services.CoAuthoring.request-filtering-agent';
export const RFA_PRIVATE = `${RFA}.allowPrivateIPAddress`;
export const RFA_META = `${RFA}.allowMetaIPAddress`;
export const EXT = 'externalRequest';
export const EXT_ALLOW = `${EXT}.action.allow`;
export const EXT_BLOCK_PRIVATE = `${EXT}.action.blockPrivateIP`;
export const EXT_ALLOW_LIST = `${EXT}.directIfIn.allowList`;
export const EXT_JWT_TOKEN = `${EXT}.directIfIn.jwtToken`;
export const ENABLE_INBOX = 'services.CoAuthoring.token.enable.request.inbox';
export const REJECT_UNAUTHORIZED = 'services.CoAuthoring.requestDefaults.rejectUnauthorized';

/**
 * Which filtering code this DS runs: 'externalRequest' (8.1+) or 'rfa-only' (6.2.2 – 8.0.x).
 * A version range that straddles 8.1 (or an unknown version) is decided by the configuration itself: default.json
 * ships `externalRequest` from 8.1 on.
 */
export function filterModel(ctx: RuleContext): 'externalRequest' | 'rfa-only' {
  if (certainlyAtLeast(ctx.version, V('8.1.0'))) return 'externalRequest';
  if (certainlyBelow(ctx.version, V('8.1.0'))) return 'rfa-only';
  const ext = ctx.get(EXT);
  return ext !== null && typeof ext === 'object' ? 'externalRequest' : 'rfa-only';
}

/** DS reads token.enable.request.inbox for truthiness (ds-observed §3f). */
export function jwtInboxOn(ctx: RuleContext): boolean {
  return Boolean(ctx.get(ENABLE_INBOX));
}

/** `true`, `"false"`, `0`: how a value reads in a message. */
export function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v) ?? String(v);
}

/** Short key for messages. */
export function short(key: string): string {
  return key.replace(/^services\.CoAuthoring\./, '');
}
