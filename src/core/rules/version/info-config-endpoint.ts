/**
 * DSH701: DS 9.0.0 – 9.0.4 serve /info/config, which returns the whole merged configuration (secrets included) on GET
 * and writes runtime.json on POST (ds-facts §7: `server@v9.0.4.54:DocService/sources/server.js:240`,
 * `routes/config.js:45-80`; fixed in 9.1.0, CHANGELOG "vulnerability in endpoint info/config which allows changing the
 * server configuration"). Its only guard is checkClientIp, i.e. ipfilter with useforrequest (ds-facts §3.3).
 */
import type { Rule, RuleContext } from '../rule.js';
import { certainlyAtLeast, certainlyBelow, mayBeWithin, V } from '../../ds/versions.js';
import { evaluateIpFilter } from '../../ds/ipfilter.js';
import { versionLocation, versionText } from './support.js';

const USE_FOR_REQUEST = 'services.CoAuthoring.ipfilter.useforrequest';
const RULES = 'services.CoAuthoring.ipfilter.rules';
const ERRORCODE = 'services.CoAuthoring.ipfilter.errorcode';

/**
 * Arbitrary remote clients, from the documentation ranges (RFC 5737, RFC 3849), so that an allow-list for the
 * integrator's own address does not count as "open": only a rule that refuses unknown clients does.
 */
const PROBES = ['198.51.100.77', '2001:db8::77'] as const;

/** Whether ipfilter refuses an arbitrary non-local client on the routes guarded by checkClientIp. */
export function ipfilterRefusesRemote(ctx: RuleContext): boolean {
  // DS: `if (cfgIpFilterUseForRequest)` — truthiness; "false" (a string) turns it on (ds-observed §3f).
  if (!ctx.get(USE_FOR_REQUEST)) return false;
  const rules = ctx.get(RULES);
  const errorcode = ctx.get(ERRORCODE);
  return PROBES.every((ip) => {
    const d = evaluateIpFilter(rules, { ip }, errorcode).decision;
    // 'error' = DS throws on the rule: HTTP 500 on 9.x, so the route does not answer either.
    return d === 'denied' || d === 'error';
  });
}

export const infoConfigEndpoint: Rule = {
  id: 'DSH701',
  area: 'version',
  severity: 'critical',
  title: '/info/config exposes and changes the whole configuration (9.0.x)',
  why:
    'In DS 9.0.0 – 9.0.4, GET /info/config returns the merged configuration including the JWT secrets, and POST writes ' +
    'runtime.json, which overrides local.json and is applied without a restart. The packaged nginx limits /info to 127.0.0.1, ' +
    'but DocService listens on port 8000 on all interfaces, and there only checkClientIp (ipfilter with useforrequest) ' +
    'guards the route. Fixed in 9.1.0.',
  remediation:
    'Upgrade to 9.1.0 or later. Until then block port 8000 from everything but the host itself (firewall), and after ' +
    'upgrading rotate the JWT secrets (inbox, outbox, session) and the integrator\'s copy together, ' +
    'and review /var/www/onlyoffice/Data/runtime.json for settings you did not make.',
  remedies: { docker: 'Use an image of 9.1.0 or later ({imageUpdate}); until then publish port 8000 nowhere and the nginx port only to the proxy, and afterwards set a new JWT_SECRET (and the integrator\'s copy) and review Data/runtime.json in the Data volume.', snap: 'snap refresh onlyoffice-ds; afterwards set a new onlyoffice.jwt-secret (and the integrator\'s copy).', nixos: 'Update nixpkgs to a DS of 9.1.0 or later and nixos-rebuild switch; afterwards replace the secret in jwtSecretFile (and the integrator\'s copy).', yunohost: 'yunohost app upgrade {app}; afterwards yunohost app setting {app} jwt_secret -v <new secret> and yunohost app upgrade {app} --force (and the integrator\'s copy).' },
  reads: [USE_FOR_REQUEST, RULES, ERRORCODE],
  check(ctx) {
    // An unknown version "may be" anything; DSH703 reports that instead of a guess here.
    if (ctx.version.source === 'unknown') return [];
    if (!mayBeWithin(ctx.version, V('9.0.0'), V('9.0.4'))) return [];
    const certain = certainlyAtLeast(ctx.version, V('9.0.0')) && certainlyBelow(ctx.version, V('9.1.0'));
    const location = versionLocation(ctx);
    const guard = ipfilterRefusesRemote(ctx)
      ? 'ipfilter (useforrequest with rules that refuse unknown clients) does guard it, but DS takes the client address ' +
        'from the left-most X-Forwarded-For entry, which the client itself sets, so a client that reaches port 8000 can pass ' +
        'the filter with one header (ds-observed §3e).'
      : 'Nothing guards it here: ipfilter does not refuse unknown clients on incoming requests ' +
        '(services.CoAuthoring.ipfilter.useforrequest is off, or the rules allow them), so /info/config is open to anyone who reaches port 8000.';
    return [
      {
        message:
          `DS ${versionText(ctx)} ${certain ? 'is' : 'may be'} 9.0.0 – 9.0.4: GET /info/config returns the whole configuration ` +
          `including the JWT secrets, and POST /info/config writes runtime.json, which overrides local.json at once. ` +
          `Only checkClientIp protects the route. ${guard}`,
        severity: certain ? 'critical' : 'high',
        ...(location ? { location } : {}),
      },
    ];
  },
};
