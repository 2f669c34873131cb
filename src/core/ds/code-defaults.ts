/**
 * Values DS's code uses for keys no configuration layer sets (default.json does not list them), for `check --explain`.
 * Only defaults found in the DS source are listed, each cited; anything else unset has no value in DS (a key below an
 * object DS hands to a library gets that library's own default, see pass-through.ts).
 */
import type { DsVersionInfo } from '../types.js';
import { mayBeWithin, V } from './versions.js';

export interface CodeDefault {
  readonly key: string;
  readonly value: unknown;
  /** Versions whose code applies it (inclusive). */
  readonly from: string;
  readonly to: string;
  /** The versions in words, for messages ("DS ≤ 8.3"). */
  readonly versions: string;
  readonly source: string;
}

export const CODE_DEFAULTS: readonly CodeDefault[] = [
  {
    key: 'services.CoAuthoring.requestDefaults.maxRedirects',
    value: 10,
    from: '0.0.0',
    to: '8.3.99',
    versions: 'DS ≤ 8.3',
    source: 'ONLYOFFICE/server@v8.3.3.23 (b926a4cd):Common/sources/utils.js:328 (`undefined !== maxRedirects ? maxRedirects : 10`); 9.x hands requestDefaults to axios',
  },
  {
    key: 'services.CoAuthoring.requestDefaults.followRedirect',
    value: true,
    from: '0.0.0',
    to: '8.3.99',
    versions: 'DS ≤ 8.3',
    source: 'ONLYOFFICE/server@v8.3.3.23 (b926a4cd):Common/sources/utils.js:329 (`undefined !== followRedirect ? followRedirect : true`); 9.x hands requestDefaults to axios',
  },
  {
    key: 'services.CoAuthoring.server.static_content',
    value: {},
    from: '8.1.0',
    to: '99.0.0',
    versions: 'DS 8.1 and later',
    source: 'ONLYOFFICE/server@v9.3.0.140 (93e793fd):DocService/sources/routes/static.js:47-49 (`config.has(…) ? … : {}`; routes/static.js exists since 8.1)',
  },
];

/** The code default DS may use for `key` at this version, if any. */
export function codeDefault(key: string, version: DsVersionInfo): CodeDefault | undefined {
  return CODE_DEFAULTS.find((d) => d.key === key && mayBeWithin(version, V(d.from), V(d.to)));
}
