/** DSH202: editor (browser/websocket) connections are not authenticated. CVE-2021-43447 class; ds-facts §4.5, §7. */
import type { Rule } from '../rule.js';
import { certainlyAtLeast, V } from '../../ds/versions.js';
import { ENABLE_BROWSER, jsTruthy, short, valueAt } from './common.js';
import { fixes } from '../fixes.js';

export const jwtBrowserEnabled: Rule = {
  id: 'DSH202',
  area: 'jwt',
  fixedByApply: true,
  severity: 'critical',
  title: 'Editor connections (browser/websocket) are not authenticated',
  why:
    'With token.enable.browser off, DS does not require a signed editor config on the websocket: anyone who can reach ' +
    'DS can open an editing session with a document key and URL of their choosing, tamper with co-editing messages and ' +
    'make DS fetch URLs (CVE-2021-43447, -43448, -43449; the Nettitude unauthenticated-RCE chain on DS ≤ 7.1).',
  remediation:
    'Set services.CoAuthoring.token.enable.browser to true (a boolean) with the inbox secret equal to the integrator\'s ' +
    'secret (it signs the editor config with it), then {restart}.',
  fix: fixes.browser,
  reads: [ENABLE_BROWSER],
  check(ctx) {
    const v = ctx.get(ENABLE_BROWSER);
    if (jsTruthy(v)) return [];
    const old = certainlyAtLeast(ctx.version, V('7.2.0'))
      ? ''
      : ' DS versions before 7.2 are also open to the published websocket exploit chain (CVE-2021-43447/43448/43449).';
    return [
      {
        message:
          `${short(ENABLE_BROWSER)} is ${valueAt(ctx, ENABLE_BROWSER)}, which DS treats as off: editor websocket connections ` +
          `are accepted without a signed token.` + old,
        location: ctx.origin(ENABLE_BROWSER),
        key: ENABLE_BROWSER,
      },
    ];
  },
};
