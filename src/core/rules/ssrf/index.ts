/** Outgoing-request rules: SSRF filtering (DSH51x) and TLS verification (DSH600), ds-facts §2.4. */
import type { Rule } from '../rule.js';
import { privateAddresses } from './private-addresses.js';
import { directAllowList } from './direct-allow-list.js';
import { tlsVerification } from './tls-verification.js';

export const ssrfRules: readonly Rule[] = [privateAddresses, directAllowList, tlsVerification];
