/**
 * `check --explain <dotted.key>` as data (pure): the effective value of a key, every layer that sets it (in load
 * order, the last one decides) with where it sets it, and for a key no layer sets what DS then uses. Values are masked
 * as everywhere else (core/redact.ts) unless `showSecrets`. Formatters render it as text or JSON.
 */
import type { LayerKind } from './types.js';
import type { LoadedConfig } from './layers/load.js';
import { getPath, locate } from './layers/merge.js';
import { redactValue } from './redact.js';
import { codeDefault } from './ds/code-defaults.js';
import { passThroughAncestor } from './ds/pass-through.js';

/** One layer that sets the key. */
export interface ExplainedLayer {
  /** The file (or the service definition, the compose file …) where the value is written; the layer's name when not located. */
  readonly file: string;
  /** 1-based line and column of the key there (absent when not located). */
  readonly line?: number;
  readonly column?: number;
  /** The layer, as DS loads it: its name (`/etc/…/local.json`, `NODE_CONFIG in /etc/…/ds.conf`) and kind. */
  readonly layer: string;
  readonly kind: LayerKind;
  /** The value this layer gives the key (masked unless --show-secrets). */
  readonly value: unknown;
  /** This is the value DS uses (the last layer that sets the key). */
  readonly effective: boolean;
}

export interface Explanation {
  readonly key: string;
  /** Some layer decides the key (directly, or through an ancestor it replaces as a whole). */
  readonly set: boolean;
  /** The effective value (masked unless --show-secrets); absent when `set` is false. */
  readonly value?: unknown;
  /** For a key no layer sets: what DS uses then (its code default with the source cited, a library's default, or nothing). */
  readonly whenUnset?: string;
  /** The layers that set the key itself, in load order; empty when only an ancestor decides it. */
  readonly layers: readonly ExplainedLayer[];
}

/** What DS does with a key no layer sets: its code default (cited), a library's own default, or nothing. */
function unsetMeaning(loaded: LoadedConfig, key: string): string {
  const d = codeDefault(key, loaded.version);
  if (d) return `DS uses ${JSON.stringify(d.value)} (its code default, ${d.versions}: ${d.source})`;
  const pt = passThroughAncestor(key);
  if (pt) return `DS passes nothing to ${pt.into}, so that library's own default applies`;
  return 'DS uses no value';
}

/** The explanation of `key` (a dotted path) in the loaded configuration. */
export function explainKey(loaded: LoadedConfig, key: string, showSecrets: boolean): Explanation {
  const value = getPath(loaded.effective.value, key);
  if (value === undefined) return { key, set: false, whenUnset: unsetMeaning(loaded, key), layers: [] };
  const setters = loaded.effective.setters.get(key) ?? [];
  return {
    key,
    set: true,
    value: redactValue(value, key, showSecrets),
    layers: setters.map((s, i) => {
      const layer = loaded.layers[s.layer]!;
      const loc = locate(layer, key);
      return {
        file: loc?.file ?? layer.file,
        ...(loc ? { line: loc.line, column: loc.column } : {}),
        layer: layer.file,
        kind: layer.kind,
        value: redactValue(s.value, key, showSecrets),
        effective: i === setters.length - 1,
      };
    }),
  };
}
