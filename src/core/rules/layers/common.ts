/** Shared by the layer rules: the shipped default.json value and the layers an administrator writes. */
import type { Layer } from '../../types.js';
import type { RuleContext } from '../rule.js';
import { isPlainObject } from '../../layers/merge.js';

/** default.json as DS loaded it, when it is an object. */
export function shippedDefaults(ctx: RuleContext): Record<string, unknown> | undefined {
  const def = ctx.layers.find((l) => l.kind === 'default' && l.status === 'loaded')?.value;
  return isPlainObject(def) ? def : undefined;
}

const names = new WeakMap<object, ReadonlySet<string>>();

/** Every key name in the shipped default.json (words an excerpt of a damaged line may show), collected once. */
export function defaultKeyNames(ctx: RuleContext): ReadonlySet<string> {
  const def = shippedDefaults(ctx);
  if (!def) return new Set();
  let set = names.get(def);
  if (!set) {
    const out = new Set<string>();
    const stack: unknown[] = [def];
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) stack.push(...v);
      else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) (out.add(k), stack.push(x));
    }
    names.set(def, (set = out));
  }
  return set;
}

/** Loaded layers other than the shipped default.json and production-linux.json (those are upstream's). */
export function adminLayers(ctx: RuleContext): Layer[] {
  return ctx.layers.filter((l) => l.kind !== 'default' && l.kind !== 'env' && l.status === 'loaded');
}
