/** The explicit rule registry (no directory globbing): the order here is the catalogue order. */
import type { Rule } from './rule.js';
import { layerRules } from './layers/index.js';
import { jwtRules } from './jwt/index.js';
import { secretRules } from './secrets/index.js';
import { fileRules } from './files/index.js';
import { ssrfRules } from './ssrf/index.js';
import { versionRules } from './version/index.js';
import { ipfilterRules } from './ipfilter/index.js';
import { liveRules } from './live/index.js';
import { deploymentRules } from './deploy/index.js';

/** IDs that once existed and are never reused, with where their checks went. */
export const RETIRED: Readonly<Record<string, string>> = { DSH101: 'merged into DSH401, which also knows the service user' };

export const rules: readonly Rule[] = [...layerRules, ...jwtRules, ...secretRules, ...fileRules, ...ipfilterRules, ...ssrfRules, ...versionRules, ...deploymentRules];

/** Rules on what a live probe saw (DSH8xx); evaluated only by `probe` and `check --url`. */
export { liveRules };

/** Every rule, for the catalogue (docs/rules.md) and its test. */
export const allRules: readonly Rule[] = [...rules, ...liveRules];
