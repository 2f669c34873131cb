/**
 * The container's environment as a configuration layer: what the entrypoint writes into local.json at the next start
 * (entrypoint.ts), placed right after local.json, each key located at the line that set its variable (or at the
 * environment block when the entrypoint's default applies). And, for a container seen from the Docker host, the stock
 * values of the image's default.json for the settings ds-harden audits (releases.ts), located at the `image:` line. Pure.
 */
import type { Layer, SourceLocation, Version } from '../types.js';
import { stockValues } from '../ds/releases.js';
import { evaluateEntrypoint, type EntrypointResult } from './entrypoint.js';
import { anchorOf, locationOf, type ContainerSpec, type EnvVar } from './types.js';

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const segs = dotted.split('.');
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    const next = cur[s];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const o: Record<string, unknown> = {};
      Object.defineProperty(cur, s, { value: o, enumerable: true, writable: true, configurable: true });
      cur = o;
    } else cur = next as Record<string, unknown>;
  }
  Object.defineProperty(cur, segs[segs.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

/** The environment by name, the last definition winning. */
export function envMap(spec: ContainerSpec): Map<string, EnvVar> {
  const m = new Map<string, EnvVar>();
  for (const v of spec.env) m.set(v.name, v);
  return m;
}

/** The file the environment layer is named after: the compose file, the inspect output, /proc/1/environ. */
export function envLayerFile(spec: ContainerSpec): string {
  return spec.compose?.files[0] ?? spec.envAnchor.file;
}

export interface EnvLayerResult {
  readonly layer?: Layer;
  readonly entrypoint: EntrypointResult;
}

/** The layer of what the entrypoint writes (undefined when it writes nothing: ONLYOFFICE_DATA_CONTAINER_HOST set). */
export function containerEnvLayer(spec: ContainerSpec, version: Version | undefined, localValue?: (key: string) => unknown): EnvLayerResult {
  const entrypoint = evaluateEntrypoint({ env: envMap(spec), ...(version ? { version } : {}), ...(localValue ? { localValue } : {}) });
  if (!entrypoint.active) return { entrypoint };
  const value: Record<string, unknown> = {};
  const locations = new Map<string, SourceLocation>();
  const anchor = anchorOf(spec);
  for (const w of entrypoint.writes) {
    setPath(value, w.key, w.value);
    locations.set(w.key, w.from ? locationOf(w.from.origin) : anchor);
  }
  const generated = new Map<string, string>();
  for (const g of entrypoint.generated) {
    generated.set(g.key, `a new random ${g.length}-character value at every container start (${g.variable} is not set)`);
    locations.set(g.key, anchor);
  }
  const layer: Layer = {
    kind: 'container-env',
    file: envLayerFile(spec),
    format: 'other',
    status: 'loaded',
    value,
    duplicates: [],
    notes: [...entrypoint.notes],
    atStartup: true,
    locations,
    generated,
  };
  return { layer, entrypoint };
}

/**
 * The stock default.json values of the audited subtrees for the image's version (the newest known release for a
 * `latest` image), standing for the image's own default.json, which is not visible from the Docker host.
 */
export function imageStockLayer(spec: ContainerSpec, version: Version | undefined): Layer {
  const value: Record<string, unknown> = {};
  const at = spec.imageOrigin ? locationOf(spec.imageOrigin) : anchorOf(spec);
  const locations = new Map<string, SourceLocation>();
  for (const [k, v] of stockValues(version)) {
    setPath(value, k, v);
    locations.set(k, at);
  }
  return {
    kind: 'image-stock',
    file: `default.json of ${spec.image ?? 'the image'}`,
    format: 'other',
    status: 'loaded',
    value,
    duplicates: [],
    notes: ['the image\'s own default.json is not visible from the Docker host; the upstream values of the settings ds-harden audits for that release stand for it (release-data.ts)'],
    atStartup: true,
    locations,
  };
}
