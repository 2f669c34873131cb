/** The explicit rule registry (no directory globbing): the order here is the catalogue order. */
import type { Rule } from './rule.js';
import { layerRules } from './layers/index.js';

export const rules: readonly Rule[] = [...layerRules];
