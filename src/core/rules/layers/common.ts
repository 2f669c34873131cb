/** Shared by the layer rules: the shipped default.json value and the layers an administrator writes. */
import type { Layer } from '../../types.js';
import type { RuleContext } from '../rule.js';
import { isPlainObject } from '../../layers/merge.js';

/** default.json as DS loaded it, when it is an object. */
export function shippedDefaults(ctx: RuleContext): Record<string, unknown> | undefined {
  const def = ctx.layers.find((l) => l.kind === 'default' && l.status === 'loaded')?.value;
  return isPlainObject(def) ? def : undefined;
}

/** Loaded layers other than the shipped default.json and production-linux.json (those are upstream's). */
export function adminLayers(ctx: RuleContext): Layer[] {
  return ctx.layers.filter((l) => l.kind !== 'default' && l.kind !== 'env' && l.status === 'loaded');
}
