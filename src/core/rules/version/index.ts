/** Version rules (DSH70x): known advisories by DS release (ds-facts §7). */
import type { Rule } from '../rule.js';
import { missingFixes } from './missing-fixes.js';
import { infoConfigEndpoint } from './info-config-endpoint.js';
import { xlsbSecret } from './xlsb-secret.js';
import { versionUnknown } from './version-unknown.js';

export const versionRules: readonly Rule[] = [missingFixes, infoConfigEndpoint, xlsbSecret, versionUnknown];
