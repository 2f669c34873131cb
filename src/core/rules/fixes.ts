/**
 * The install-independent half of the fix texts (Rule.fix): which keys a fix sets and their values in words. The
 * other half — where that install keeps them — is deploy/remedy.ts. Shared so that rules about the same keys say the
 * same thing.
 */
import type { Fix } from './rule.js';
import { CO, K } from '../ds/keys.js';
import { INTEGRATOR_SECRET_NOTE } from '../integrator/nextcloud.js';

export const SECRET_WORDS = 'one random secret of 32+ letters and digits (openssl rand -hex 20), the same as the integrator\'s';
/** Where the integrator keeps the secret — every known integrator, since check cannot know which one this is. */
export const INTEGRATOR = INTEGRATOR_SECRET_NOTE;

/** Inbox, outbox and session: one strong secret. */
export const SECRETS_FIX: Fix = {
  set: { [K.secretInbox]: SECRET_WORDS, [K.secretOutbox]: SECRET_WORDS, [K.secretSession]: SECRET_WORDS },
  note: INTEGRATOR,
};

export const ALLOW_LIST_WORDS =
  'an allow-list that ends in a deny: your integrator\'s address, 127.0.0.1, 0:0:0:0:0:0:0:1, then {"address":"*","allowed":false} (ds-harden apply --allow ADDRESS writes it)';

export const fixes = {
  inbox: { set: { [K.enableInbox]: 'true', [K.secretInbox]: SECRET_WORDS }, note: INTEGRATOR },
  outbox: { set: { [K.enableOutbox]: 'true', [K.secretOutbox]: SECRET_WORDS }, note: INTEGRATOR },
  browser: { set: { [K.enableBrowser]: 'true', [K.secretInbox]: SECRET_WORDS } },
  switches: { set: { [K.enableBrowser]: 'true (a boolean, no quotes)', [K.enableInbox]: 'true (a boolean, no quotes)', [K.enableOutbox]: 'true (a boolean, no quotes)' } },
  headers: { set: { [K.inboxHeader]: 'the header the integrator sends its token in (default Authorization)', [K.outboxHeader]: 'the same header' } },
  prefix: { set: { [`${CO}.token.inbox.prefix`]: '"Bearer " (or unset)', [`${CO}.token.outbox.prefix`]: '"Bearer " (or unset)' } },
  algorithm: { set: { [`${CO}.token.outbox.algorithm`]: '"HS256" (or unset)', [`${CO}.token.session.algorithm`]: '"HS256" (or unset)' } },
  secrets: SECRETS_FIX,
  securelink: { set: { 'storage.fs.secretString': 'a random value of 20+ letters and digits (the same in nginx\'s $secure_link_secret)' } },
  aes: { set: { 'aesEncrypt.secret': 'a random value (openssl rand -hex 32)' }, note: 'Passwords of documents encrypted with the old key cannot be decrypted afterwards.' },
  allowList: { set: { [K.ipRules]: ALLOW_LIST_WORDS } },
  finalDeny: { set: { [K.ipRules]: 'the same allow-list ending with {"address":"*","allowed":false}' } },
  exactAddresses: { set: { [K.ipRules]: 'exact IP addresses or IP globs such as 10.0.0.* (DS has no CIDR); IPv6 in the full 8-group form' } },
  ipBooleans: { set: { [K.ipUseForRequest]: 'true or false without quotes' } },
  ruleShape: { set: { [K.ipRules]: 'an array of {"address": "…", "allowed": true|false} objects' } },
  errorcode: { set: { [K.ipErrorCode]: '403' } },
  loopback: { set: { [K.ipRules]: '127.0.0.1 and 0:0:0:0:0:0:0:1 allowed before any deny' } },
  useforrequest: { set: { [K.ipUseForRequest]: 'false, unless a proxy in front overwrites X-Forwarded-For' } },
  reorder: { set: { [K.ipRules]: 'the specific rules before the broader ones that catch them' } },
  ssrf: {
    set: {
      [`${CO}.request-filtering-agent.allowPrivateIPAddress`]: 'false',
      [`${CO}.request-filtering-agent.allowMetaIPAddress`]: 'false',
    },
  },
  directIfIn: { set: { 'externalRequest.directIfIn.allowList': '[] or exact prefixes ending in "/"' } },
  tls: { set: { [`${CO}.requestDefaults.rejectUnauthorized`]: 'true' }, note: 'Trust a private CA instead of turning verification off.' },
} as const satisfies Record<string, Fix>;
