/**
 * DSH806: pages meant for the host or the integrator answer an outsider: the example application, /info/info.json,
 * the welcome page. ds-facts §7 (/example/editor leaked the configuration before 8.1); core/ds/routes.ts.
 */
import type { Rule, RuleHit } from '../rule.js';
import type { Severity } from '../../types.js';
import { certainlyBelow, exactVersion, parseVersion, V } from '../../ds/versions.js';
import { obs } from './support.js';
import { allowArgs } from '../ipfilter/common.js';

export const pagesPublicLive: Rule = {
  id: 'DSH806',
  area: 'live',
  severity: 'medium',
  title: 'The example application, the info page or the welcome page is public',
  why:
    'The example application lets anyone create, upload and edit documents on the server (and before 8.1 its /example/editor ' +
    'leaked the server configuration); /info/info.json tells connection counts, licence and build; the welcome page tells ' +
    'everyone which software runs here. ipfilter never filters the welcome page or the example, so only the proxy can.',
  remediation:
    'Stop the example (systemctl disable --now ds-example, or supervisorctl stop ds:example) and refuse /welcome, /example ' +
    'and /info to everybody but the integrator in the reverse proxy (ds-harden proxy --type … {allow}).',
  reads: [],
  check(ctx) {
    if (!ctx.live || ctx.live.fromIntegrator) return [];
    const v = ctx.live.version ? parseVersion(ctx.live.version.text) : undefined;
    const oldExample = v !== undefined && certainlyBelow(exactVersion(v, 'probe', 'live'), V('8.1.0'));
    const pages: [Parameters<typeof obs>[1], Severity, string][] = [
      ['example', oldExample ? 'high' : 'medium', oldExample ? 'anyone can edit documents here, and on this version /example/editor leaks the configuration' : 'anyone can create and edit documents here'],
      ['info', 'medium', 'connection counts, licence and build for anyone'],
      ['welcome', 'low', 'tells anyone that ONLYOFFICE Docs runs here'],
    ];
    const hits: RuleHit[] = [];
    for (const [id, severity, what] of pages) {
      const o = obs(ctx, id);
      if (o?.verdict === 'public') hits.push({ message: `${o.label} answered ${o.detail.slice(0, 40)}: ${what}.`, severity, url: o.url, fill: { allow: allowArgs(ctx) } });
    }
    return hits;
  },
};
