/** DSH811 (info): requests the probe could not judge (no answer, redirect to another origin, unexpected answer). */
import type { Rule } from '../rule.js';

export const unansweredLive: Rule = {
  id: 'DSH811',
  area: 'live',
  severity: 'info',
  title: 'Some probe requests could not be judged',
  why:
    'A request that got no answer, a redirect to another origin (never followed) or an answer DS does not give cannot ' +
    'prove anything either way; the other verdicts stand.',
  remediation:
    'Check the URL (DS\'s public address, with its path prefix if it has one), the proxy in front and the network; use ' +
    '--insecure only for a test server with a self-signed certificate.',
  reads: [],
  check(ctx) {
    const live = ctx.live;
    if (!live) return [];
    const odd = live.observations.filter((o) => (o.verdict === 'no-answer' || o.verdict === 'other') && !o.id.startsWith('xff-'));
    return odd.map((o) => ({ message: `${o.label}: ${o.detail}.`, url: o.url }));
  },
};
