/** The secret rules (DSH3xx), in ID order. */
import type { Rule } from '../rule.js';
import { secretIsPlaceholder } from './secret-is-placeholder.js';
import { secretTooShort } from './secret-too-short.js';
import { secretIsPattern } from './secret-is-pattern.js';
import { secretsDiffer } from './secrets-differ.js';
import { secretFileIgnored } from './secret-file-ignored.js';
import { secretFileUnusable } from './secret-file-unusable.js';
import { securelinkSecretDefault } from './securelink-secret-default.js';
import { aesSecretDefault } from './aes-secret-default.js';
import { wopiDefaultKeys } from './wopi-default-keys.js';

export const secretRules: readonly Rule[] = [
  secretIsPlaceholder,
  secretTooShort,
  secretIsPattern,
  secretsDiffer,
  secretFileIgnored,
  secretFileUnusable,
  securelinkSecretDefault,
  aesSecretDefault,
  wopiDefaultKeys,
];
