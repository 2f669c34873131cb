/**
 * DSH702: before 7.5.0 a third party could find out the JWT secret of a DS server through an XLSB conversion
 * (ds-facts §7, CHANGELOG 7.5.0: "finding out the JWT secret of a third party server via XLSB conversion").
 *
 * Decision: only a version certainly below 7.5.0 is reported. The advice "rotate after upgrading from < 7.5" cannot be
 * checked on a current server: ds-harden does not know the upgrade history, and the secret itself carries no date, so a
 * server at ≥ 7.5 (or a range straddling 7.5) gets nothing rather than a guess.
 */
import type { Rule } from '../rule.js';
import { INTEGRATOR } from '../fixes.js';
import { certainlyBelow, V } from '../../ds/versions.js';
import { versionLocation, versionText } from './support.js';

export const xlsbSecret: Rule = {
  id: 'DSH702',
  area: 'version',
  severity: 'high',
  title: 'The JWT secret can be read by a third party via XLSB conversion (before 7.5)',
  why:
    'DS before 7.5.0 lets a third party find out the server\'s JWT secret through an XLSB conversion (CHANGELOG 7.5.0). ' +
    'With the secret, anyone can sign requests and editor configurations as the integrator. Upgrading closes the hole ' +
    'but does not change a secret that may already be known.',
  remediation:
    'Upgrade to 7.5.0 or later, then rotate the JWT secrets: services.CoAuthoring.secret.inbox, outbox and session ' +
    `(32+ random characters). ${INTEGRATOR}`,
  remedies: { docker: 'Use an image of 7.5.0 or later ({imageUpdate}); then set a new JWT_SECRET (32+ random letters and digits) and give the integrator the same value.', snap: 'snap refresh onlyoffice-ds, then snap set onlyoffice-ds onlyoffice.jwt-secret=<new secret> and give the integrator the same value.', nixos: 'Update nixpkgs, point services.onlyoffice.jwtSecretFile at a file with a new secret, nixos-rebuild switch, and give the integrator the same value.', yunohost: 'yunohost app upgrade {app}; then yunohost app setting {app} jwt_secret -v <new secret>, yunohost app upgrade {app} --force, and give the integrator the same value.' },
  reads: [],
  check(ctx) {
    if (ctx.version.source === 'unknown') return [];
    if (!certainlyBelow(ctx.version, V('7.5.0'))) return [];
    const location = versionLocation(ctx);
    return [
      {
        message:
          `DS ${versionText(ctx)} is older than 7.5.0: a third party can find out the JWT secret through an XLSB conversion. ` +
          `Upgrade, and rotate the JWT secrets afterwards: the current ones may already be known.`,
        ...(location ? { location } : {}),
      },
    ];
  },
};
