/** DSH808: the version the running server reports lacks known security fixes (advisory data of DSH700, ds-facts §7). */
import type { Rule } from '../rule.js';
import { compareVersions, exactVersion, parseVersion } from '../../ds/versions.js';
import { advisoryMessage, missingAdvisories } from '../version/missing-fixes.js';

export const runningVersionLive: Rule = {
  id: 'DSH808',
  area: 'live',
  severity: 'high',
  title: 'The running server lacks known security fixes',
  why:
    'The probe read the version the running server reports (/index.html or CommandService) and compared it with the releases ' +
    'that fixed known advisories (the data behind DSH700). A package upgraded on disk but not restarted still runs the old code.',
  remediation:
    'Upgrade ONLYOFFICE Docs to the newest release (at least the "fixed in" version of each finding) and restart it; then probe again.',
  reads: [],
  check(ctx) {
    const live = ctx.live?.version;
    const v = live ? parseVersion(live.text) : undefined;
    if (!live || !v) return [];
    // The same exact version from the host: DSH700 already says it.
    if (ctx.version.exact && ctx.version.source !== 'unknown' && compareVersions(ctx.version.min, v) === 0) return [];
    const info = exactVersion(v, 'probe', 'reported by the running server');
    const differs = ctx.version.exact && ctx.version.source !== 'unknown' ? ` (the host says ${ctx.version.label}: restart DS after upgrading)` : '';
    // Conditions that need the configuration or the host (Docker image, WOPI keys) are not judged from outside.
    return missingAdvisories(info, (a) => a.condition === undefined).map((a) => ({
      message: advisoryMessage(a, info.label) + differs,
      severity: a.severity,
      url: live.url,
    }));
  },
};
