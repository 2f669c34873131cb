/**
 * The effective configuration, merged as node-config's extendDeep does (ds-facts §1.2):
 * objects deep-merge, arrays and scalars replace, later layers win. For every path we keep the list of
 * layers that set it, so `--explain` and findings can point at the file and line that decided a value.
 *
 * A `"__proto__"` key never reaches the merged value. JSON.parse and JSON5 (json5 2.2.3, npm package lib/parse.js:998:
 * `Object.defineProperty`) give it as an ordinary own property; node-config's extendDeep then reads
 * `mergeInto["__proto__"]` — Object.prototype — and merges the member into it (node-config@v3.3.12:lib/config.js:1300-1316,
 * 3b92726:lib/config.js:1364-1380 for 2.0.1): DS's whole process inherits the members (prototype pollution; observed
 * with config 3.3.12 and 2.0.1: `({}).severity === "info"` after loading `{"__proto__": {"severity": "info"}}`).
 * That is reported by DSH116 from the layers; copying it here would pollute ds-harden's own objects the same way.
 */
import type { EffectiveConfig, JsonPath, Layer, Setter, SourceLocation } from '../types.js';
import { findNode } from '../parse/tree.js';
import { lineIndex } from '../text/position.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function dotted(path: JsonPath): string {
  return path.join('.');
}

/** The key whose assignment changes an object's prototype instead of adding a member. */
export const PROTO_KEY = '__proto__';

/**
 * A deep copy of parsed data: plain objects and arrays are copied, `__proto__` members are left out (see above), so
 * assigning the copied keys can never reach a prototype. Depth is bounded by the parser's check (depth.ts).
 */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => cloneData(x)) as T;
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (k !== PROTO_KEY) out[k] = cloneData(v[k]);
  return out as T;
}

/** Layers that contribute values: loaded and holding an object (a top-level [] or null is ignored by DS). */
export function contributes(layer: Layer): boolean {
  return layer.status === 'loaded' && isPlainObject(layer.value);
}

export function mergeLayers(layers: readonly Layer[]): EffectiveConfig {
  const value: Record<string, unknown> = {};
  const setters = new Map<string, Setter[]>();
  const record = (key: string, layer: number, v: unknown) => {
    const list = setters.get(key);
    const s: Setter = { layer, file: layers[layer]!.file, value: v };
    if (list) list.push(s);
    else setters.set(key, [s]);
  };
  const recordAll = (obj: Record<string, unknown>, prefix: string, layer: number) => {
    for (const k of Object.keys(obj)) {
      if (k === PROTO_KEY) continue;
      const key = prefix ? `${prefix}.${k}` : k;
      const v = obj[k];
      record(key, layer, v);
      if (isPlainObject(v)) recordAll(v, key, layer);
    }
  };
  const merge = (into: Record<string, unknown>, from: Record<string, unknown>, prefix: string, layer: number) => {
    for (const k of Object.keys(from)) {
      if (k === PROTO_KEY) continue;
      const key = prefix ? `${prefix}.${k}` : k;
      const v = from[k];
      record(key, layer, v);
      const cur = Object.hasOwn(into, k) ? into[k] : undefined;
      if (isPlainObject(cur) && isPlainObject(v)) merge(cur, v, key, layer);
      else {
        into[k] = cloneData(v);
        if (isPlainObject(v)) recordAll(v, key, layer);
      }
    }
  };
  layers.forEach((layer, i) => {
    if (contributes(layer)) merge(value, layer.value as Record<string, unknown>, '', i);
  });
  return { value, setters };
}

export function getPath(obj: unknown, path: JsonPath | string): unknown {
  const segs = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
  let cur: unknown = obj;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur as object, String(s))) return undefined;
    cur = (cur as Record<string, unknown>)[String(s)];
  }
  return cur;
}

const indexCache = new WeakMap<Layer, (o: number) => { line: number; column: number }>();

/**
 * Where in `layer` the key at `path` is written (the key itself for members, else the value); for a layer that is no
 * text of its own ($NODE_CONFIG), where the layer is set.
 */
export function locate(layer: Layer, path: JsonPath | string): SourceLocation | undefined {
  const segs = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
  if (layer.locations) {
    // the key itself, else the nearest ancestor written (a variable that sets a subtree)
    for (let n = segs.length; n > 0; n--) {
      const l = layer.locations.get(segs.slice(0, n).join('.'));
      if (l) return l;
    }
  }
  if (!layer.tree || layer.text === undefined) return layer.origin;
  const node = findNode(layer.tree, segs.map((s) => (/^\d+$/.test(String(s)) ? Number(s) : s)));
  if (!node) {
    return undefined;
  }
  let idx = indexCache.get(layer);
  if (!idx) {
    idx = lineIndex(layer.text);
    indexCache.set(layer, idx);
  }
  const p = idx(node.keyOffset ?? node.offset);
  const e = idx(node.offset + node.length);
  return { file: layer.file, line: p.line, column: p.column, endLine: e.line, endColumn: e.column };
}

/** Start-of-file location for findings about a whole file. */
export function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

/** Where a finding about a whole layer points: where the layer is set ($NODE_CONFIG's name), else its file's start. */
export function layerStart(layer: Pick<Layer, 'file' | 'origin'>): SourceLocation {
  return layer.origin ?? fileStart(layer.file);
}
