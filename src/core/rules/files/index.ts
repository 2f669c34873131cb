/** File ownership and permission rules (DSH40x), ds-facts §1.5, ds-observed §3c. */
import type { Rule } from '../rule.js';
import { worldReadableSecrets } from './world-readable-secrets.js';
import { unreadableByDs } from './unreadable-by-ds.js';
import { writableByOthers } from './writable-by-others.js';
import { worldReadableCopies } from './world-readable-copies.js';

export const fileRules: readonly Rule[] = [worldReadableSecrets, unreadableByDs, writableByOthers, worldReadableCopies];
