/** DSH807 (info): what is public by design — the version banner /index.html and the editor API script. */
import type { Rule, RuleHit } from '../rule.js';
import { obs } from './support.js';

export const publicByDesignLive: Rule = {
  id: 'DSH807',
  area: 'live',
  severity: 'info',
  title: 'The version banner and the editor API script are public',
  why:
    'Browsers load the editor API script (/web-apps/apps/api/documents/api.js) from DS, so it must stay public, and DocService ' +
    'answers /index.html with its version and build to anyone (ipfilter does not cover it). Both are expected; the version ' +
    'lets the probe compare the running server with the known fixes (DSH808).',
  remediation:
    'Nothing to do for the API script. To hide the banner, answer /index.html from the proxy (haproxy: http-request return ' +
    'status 200 if { path /index.html }); keep DS up to date either way.',
  reads: [],
  check(ctx) {
    if (!ctx.live) return [];
    const hits: RuleHit[] = [];
    const banner = obs(ctx, 'banner');
    if (banner?.verdict === 'public') {
      const v = ctx.live.version;
      hits.push({ message: `${banner.label} is public${v ? `: version ${v.text}${v.build ? ` build ${v.build}` : ''}` : ''}.`, url: banner.url });
    }
    const api = obs(ctx, 'api');
    if (api?.verdict === 'public') hits.push({ message: `${api.label} is public (the editors need it).`, url: api.url });
    return hits;
  },
};
