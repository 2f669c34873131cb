/**
 * DSH600: services.CoAuthoring.requestDefaults.rejectUnauthorized (present in default.json 5.2.9 – 9.3.0, value true)
 * is spread into the https.Agent options of every outgoing request (`server@v9.3.0.140:Common/sources/utils.js`,
 * downloadUrlPromise / postRequestPromise / httpRequest: `{...https.globalAgent.options, ...options}`).
 *
 * Node's TLS client only skips certificate verification for the boolean `false`: tested with Node 20.20 against a
 * self-signed server, `"false"`, `0`, `""` and `null` all still rejected the certificate. So a non-boolean value
 * does nothing; it is reported at low severity because it shows a wrong belief about the setting.
 * (DS builds bundle their own Node; older ones were not tested.)
 */
import type { Rule } from '../rule.js';
import { REJECT_UNAUTHORIZED, show } from './support.js';
import { fixes } from '../fixes.js';

export const tlsVerification: Rule = {
  id: 'DSH600',
  area: 'ssrf',
  severity: 'high',
  title: 'TLS certificate verification is disabled for outgoing requests',
  why:
    'DS downloads documents from the integrator, posts save callbacks (with the JWT) and talks to WOPI hosts over https. ' +
    'Without certificate verification anyone on the network path can impersonate the integrator, read and change ' +
    'documents, and capture signed callbacks.',
  remediation:
    'Set services.CoAuthoring.requestDefaults.rejectUnauthorized to true (the boolean), or remove the override so the ' +
    'default true applies. If the integrator uses a private CA, give it a certificate the DS host trusts instead of ' +
    'turning verification off.',
  fix: fixes.tls,
  reads: [REJECT_UNAUTHORIZED],
  check(ctx) {
    const v = ctx.get(REJECT_UNAUTHORIZED);
    if (v === undefined || v === true) return [];
    const location = ctx.origin(REJECT_UNAUTHORIZED);
    if (v === false) {
      return [
        {
          message:
            'requestDefaults.rejectUnauthorized is false: DS accepts any certificate when it downloads documents, posts ' +
            'callbacks and calls WOPI hosts over https, so a man in the middle can read and alter documents and callbacks.',
          location,
          key: REJECT_UNAUTHORIZED,
        },
      ];
    }
    return [
      {
        message:
          `requestDefaults.rejectUnauthorized is ${typeof v} ${show(v)}, not a boolean. Node only turns certificate ` +
          `verification off for the boolean false, so verification stays ON and this setting does nothing` +
          (typeof v === 'string' && v.trim().toLowerCase() === 'false' ? ' (the string "false" does not mean false)' : '') +
          '. Write true or false without quotes, or remove it.',
        severity: 'low',
        location,
        key: REJECT_UNAUTHORIZED,
      },
    ];
  },
};
