/** The JWT rules (DSH2xx), in ID order. */
import type { Rule } from '../rule.js';
import { jwtInboxEnabled } from './jwt-inbox-enabled.js';
import { jwtOutboxEnabled } from './jwt-outbox-enabled.js';
import { jwtBrowserEnabled } from './jwt-browser-enabled.js';
import { jwtSwitchIsString } from './jwt-switch-is-string.js';
import { jwtHeadersDiffer } from './jwt-headers-differ.js';
import { jwtPrefixNotBearer } from './jwt-prefix-not-bearer.js';
import { jwtAlgorithmNotHs } from './jwt-algorithm-not-hs.js';

export const jwtRules: readonly Rule[] = [
  jwtInboxEnabled,
  jwtOutboxEnabled,
  jwtBrowserEnabled,
  jwtSwitchIsString,
  jwtHeadersDiffer,
  jwtPrefixNotBearer,
  jwtAlgorithmNotHs,
];
