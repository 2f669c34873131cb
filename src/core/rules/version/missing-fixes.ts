/** DSH700: the DS version lacks fixes for known security advisories (ds-facts §7; data in advisories.ts). */
import type { Rule, RuleContext, RuleHit } from '../rule.js';
import { certainlyAtLeast, certainlyBelow, V } from '../../ds/versions.js';
import { ADVISORIES, type Advisory } from './advisories.js';
import type { DsVersionInfo } from '../../types.js';
import { versionLocation, versionText } from './support.js';

const WOPI_ENABLE = 'wopi.enable';
const WOPI_PRIVATE_KEY = 'wopi.privateKey';

function conditionHolds(ctx: RuleContext, a: Advisory): boolean {
  switch (a.condition) {
    case undefined:
      return true;
    case 'docker':
      return ctx.host.docker === true;
    case 'wopi-default-keys': {
      const key = ctx.get(WOPI_PRIVATE_KEY);
      return Boolean(ctx.get(WOPI_ENABLE)) && typeof key === 'string' && key !== '' && ctx.originLayer(WOPI_PRIVATE_KEY)?.kind === 'default';
    }
  }
}

/**
 * The advisories whose fix every version in `version`'s range lacks (and that affect it: introducedIn, condition).
 * Pure; shared by DSH700 (version from the host) and DSH808 (version the running server reports).
 */
export function missingAdvisories(version: DsVersionInfo, holds: (a: Advisory) => boolean): Advisory[] {
  // A range that straddles the fix (or the first affected release) says nothing: no guesses.
  return ADVISORIES.filter(
    (a) => certainlyBelow(version, V(a.fixedIn)) && !(a.introducedIn && !certainlyAtLeast(version, V(a.introducedIn))) && holds(a),
  );
}

/** The finding text for one missing advisory. */
export function advisoryMessage(a: Advisory, versionText: string): string {
  return (
    `${a.id}: ${a.summary}. DS ${versionText} is affected; fixed in ${a.fixedIn}, upgrade to ${a.fixedIn} or later.` + (a.afterUpgrade ? ` ${a.afterUpgrade}` : '')
  );
}

export const missingFixes: Rule = {
  id: 'DSH700',
  area: 'version',
  severity: 'high',
  title: 'DS version has known security fixes missing',
  why:
    'ONLYOFFICE fixed these advisories in later releases (official CHANGELOG); several of them allow remote code execution ' +
    'or bypass authentication. ds-harden only reports an advisory when every version the detected range allows lacks the fix.',
  remediation:
    'Upgrade ONLYOFFICE Docs to {version} or later (the newest release is best). Back up local.json first: ' +
    'on ≤ 7.1 deb upgrades re-write the JWT settings from debconf (ds-facts §1.5).',
  remedies: {
    docker: 'Use an image of {version} or later (onlyoffice/documentserver:{version} or newer): {imageUpdate}; the Data volume keeps runtime.json and the WOPI keys.',
    snap: 'Update the snap to {version} or later: snap refresh onlyoffice-ds (snap revert onlyoffice-ds goes back).',
    nixos: 'Update nixpkgs (or services.onlyoffice.package) to DS {version} or later, then nixos-rebuild switch.',
    yunohost: 'Upgrade the app to DS {version} or later: yunohost app upgrade {app} (it re-renders local.json from the app settings).',
  },
  reads: [WOPI_ENABLE, WOPI_PRIVATE_KEY],
  check(ctx) {
    // No version, no verdict: DSH703 says so.
    if (ctx.version.source === 'unknown') return [];
    const location = versionLocation(ctx);
    return missingAdvisories(ctx.version, (a) => conditionHolds(ctx, a)).map(
      (a): RuleHit => ({ message: advisoryMessage(a, versionText(ctx)), severity: a.severity, fill: { version: a.fixedIn }, ...(location ? { location } : {}) }),
    );
  },
};
