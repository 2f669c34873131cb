/**
 * DSH307: aesEncrypt.secret (8.2+; encrypts stored document passwords) is the public default "verysecretstring"
 * (ds-facts §2.6). Only reported when the key exists in the effective configuration.
 */
import type { Rule } from '../rule.js';
import { where } from './common.js';
import { fixes } from '../fixes.js';

const KEY = 'aesEncrypt.secret';

export const aesSecretDefault: Rule = {
  id: 'DSH307',
  area: 'secrets',
  severity: 'medium',
  title: 'Document-password encryption key is the public default',
  why:
    'Since 8.2 DS encrypts the passwords of password-protected documents with aesEncrypt.secret. default.json ships the ' +
    'public value "verysecretstring", so anyone who obtains the encrypted values can decrypt them.',
  remediation:
    'Set aesEncrypt.secret in local.json to a random value (e.g. openssl rand -hex 32), then {restart}; check that ' +
    'password-protected documents still open (values encrypted with the old key cannot be decrypted with the new one).',
  fix: fixes.aes,
  reads: [KEY],
  check(ctx) {
    if (ctx.get(KEY) !== 'verysecretstring') return [];
    const loc = ctx.origin(KEY);
    return [
      {
        message: `aesEncrypt.secret is the public default "verysecretstring" (${where(loc)}): stored document passwords are encrypted with a key everyone knows.`,
        location: loc,
        key: KEY,
      },
    ];
  },
};
