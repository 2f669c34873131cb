/**
 * DSH510: DS fetches URLs on private, loopback or cloud-metadata addresses (server-side request forgery), ds-facts §2.4.
 *
 * Severity per hit (decision, see support.ts for the library facts):
 * - anything that lets private addresses through (`allowPrivateIPAddress` truthy, or 8.1+ `blockPrivateIP` falsy) is
 *   high whatever the JWT settings: it includes 169.254.169.254, the cloud metadata service, whose answers can hold
 *   cloud credentials.
 * - `allowMetaIPAddress` alone (0.0.0.0 / ::) is high when JWT is off for incoming requests (anyone who reaches DS can
 *   hand it a URL), medium otherwise.
 */
import type { Rule, RuleContext, RuleHit } from '../rule.js';
import {
  ENABLE_INBOX,
  EXT_ALLOW,
  EXT_BLOCK_PRIVATE,
  RFA,
  RFA_META,
  RFA_PRIVATE,
  filterModel,
  jwtInboxOn,
  short,
  show,
} from './support.js';
import { fixes } from '../fixes.js';

const PRIVATE_RANGES = 'loopback (127.0.0.1), private networks (10/8, 172.16/12, 192.168/16) and link-local 169.254.0.0/16, which holds the cloud metadata service 169.254.169.254';
const META_RANGES = 'the unspecified addresses 0.0.0.0 and ::, which on Linux connect to the DS host itself';

function who(ctx: RuleContext): string {
  return jwtInboxOn(ctx)
    ? 'JWT is on for incoming requests, so such URLs come from users of the editor (for example an image inserted from a URL), not from anyone on the network.'
    : `${short(ENABLE_INBOX)} is off, so anyone who can reach DS can hand it such a URL (for example a conversion request).`;
}

function rfaHits(ctx: RuleContext, scope: string): RuleHit[] {
  const hits: RuleHit[] = [];
  const priv = ctx.get(RFA_PRIVATE);
  const meta = ctx.get(RFA_META);
  if (priv) {
    hits.push({
      message: `${short(RFA_PRIVATE)} is ${show(priv)}: ${scope} are fetched even when they point at ${PRIVATE_RANGES}. ${who(ctx)}`,
      severity: 'high',
      location: ctx.origin(RFA_PRIVATE),
      key: RFA_PRIVATE,
    });
  }
  if (meta) {
    hits.push({
      message: `${short(RFA_META)} is ${show(meta)}: ${scope} are fetched even when they point at ${META_RANGES}. ${who(ctx)}`,
      severity: jwtInboxOn(ctx) ? 'medium' : 'high',
      location: ctx.origin(RFA_META),
      key: RFA_META,
    });
  }
  return hits;
}

export const privateAddresses: Rule = {
  id: 'DSH510',
  area: 'ssrf',
  severity: 'high',
  title: 'Requests to private or cloud-metadata addresses are allowed',
  why:
    'DS downloads documents and images from URLs it is given and posts callbacks. Without the private-address filter ' +
    '(request-filtering-agent) such a URL can point at services inside the network, at DS\'s own ports, or at the cloud ' +
    'metadata service 169.254.169.254, whose answers can contain cloud credentials (server-side request forgery).',
  remediation:
    'DS ≥ 8.1: set externalRequest.action.blockPrivateIP to true and services.CoAuthoring.request-filtering-agent.' +
    'allowPrivateIPAddress and allowMetaIPAddress to false; let the integrator reach DS\'s callbacks through signed requests ' +
    '(directIfIn.jwtToken) or a precise directIfIn.allowList entry instead. DS ≤ 8.0: set both request-filtering-agent ' +
    'options to false (the default since 7.4). Enable JWT for incoming requests too.',
  fix: fixes.ssrf,
  reads: [RFA_PRIVATE, RFA_META, EXT_ALLOW, EXT_BLOCK_PRIVATE, ENABLE_INBOX],
  check(ctx) {
    if (filterModel(ctx) === 'rfa-only') {
      // Before 6.2.2 there is no filter at all (DSH700 reports that release's SSRF fix).
      const rfa = ctx.get(RFA);
      if (rfa === null || typeof rfa !== 'object') return [];
      return rfaHits(ctx, 'URLs that did not come with a verified JWT');
    }
    // 8.1+: a falsy action.allow refuses every non-direct URL, so nothing gets through the filter's gap.
    const allow = ctx.get(EXT_ALLOW);
    if (!allow) return [];
    const block = ctx.get(EXT_BLOCK_PRIVATE);
    if (!block) {
      return [
        {
          message:
            `externalRequest.action.blockPrivateIP is ${show(block)} while action.allow is ${show(allow)}: URLs that are not ` +
            `"direct" (directIfIn) are fetched with no address filter at all, including ${PRIVATE_RANGES}, and ${META_RANGES}. ${who(ctx)}`,
          severity: 'high',
          location: ctx.origin(EXT_BLOCK_PRIVATE),
          key: EXT_BLOCK_PRIVATE,
        },
      ];
    }
    return rfaHits(ctx, 'URLs that are not "direct" (directIfIn)');
  },
};
