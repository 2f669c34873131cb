/** DSH703: no version could be determined, so the version rules (DSH700–DSH702) and version-dependent checks stay silent. */
import type { Rule } from '../rule.js';

export const versionUnknown: Rule = {
  id: 'DSH703',
  area: 'version',
  severity: 'info',
  title: 'DS version could not be determined',
  why:
    'ds-harden reads the version from --ds-version, from the dpkg status database, or from the keys of default.json. ' +
    'None of them gave an answer, so known advisories cannot be checked and rules that depend on the version ' +
    '(parser strictness, SSRF keys, Data/runtime.json) assume the widest range.',
  remediation:
    'Pass --ds-version (e.g. --ds-version 9.3.0; see "Server is functioning normally. Version: …" at http://<ds>:8000/index.html ' +
    'or the package manager), or run ds-harden on the DS host itself.',
  reads: [],
  check(ctx) {
    if (ctx.version.source !== 'unknown') return [];
    return [
      {
        message:
          'The DS version is unknown: no --ds-version, no onlyoffice-documentserver package in the dpkg status database, ' +
          'and default.json did not match a known release. Security advisories (DSH700–DSH702) were not checked.',
      },
    ];
  },
};
