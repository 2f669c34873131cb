import type { Layer } from '../../types.js';
import type { Rule, RuleHit } from '../rule.js';
import { variableFor } from '../../deploy/entrypoint.js';
import { MANAGED_PREFIXES, isManaged } from '../../ds/keys.js';
import { isPlainObject, layerStart, locate } from '../../layers/merge.js';

const isLocalJson = (l: Layer) => l.kind === 'local' && l.file.endsWith('/local.json');

/** Kinds that load after local.json (ds-facts §1.1): their values win. */
export function overridesLocal(l: Layer, layers: readonly Layer[]): boolean {
  const localIdx = layers.findIndex(isLocalJson);
  const idx = layers.indexOf(l);
  if (localIdx >= 0) return idx > localIdx;
  return ['local', 'local-env', 'node-config-env', 'runtime-legacy', 'runtime-data'].includes(l.kind) && !isLocalJson(l);
}

/**
 * The layer where this install keeps `key` (its index), when it is not local.json: in the Docker image the entrypoint's
 * layer for the keys it writes from the environment, and a local-production-linux.json mounted from the host for the
 * others (the place upstream points to, deploy-modes §2.6). undefined: local.json.
 */
export function homeLayer(key: string, layers: readonly Layer[]): number | undefined {
  const env = layers.findIndex((l) => l.kind === 'container-env');
  if (env < 0 && !layers.some((l) => l.kind === 'image-stock')) return undefined;
  if (variableFor(key) && env >= 0) return env;
  const mounted = layers.findIndex((l) => l.kind === 'local-env' && l.hostFile !== undefined);
  return mounted >= 0 ? mounted : undefined;
}

export const overriddenLocal: Rule = {
  id: 'DSH110',
  area: 'layers',
  severity: 'high',
  title: 'A layer loaded after local.json decides a security setting',
  why:
    'DS reads local-production-linux.json, local.json5 and other local.* files, $NODE_CONFIG, /etc/…/runtime.json and ' +
    '(9.x) the Admin Panel\'s Data/runtime.json after local.json. A value there silently beats what you (or ds-harden) ' +
    'write into local.json — runtime.json even changes it while DS runs.',
  remediation:
    'Move the setting into local.json and remove it from the later layer (or keep all hardening in that one layer on purpose).',
  remedies: {
    snap: 'Keep each setting in one place: the JWT settings in the snap\'s options (snap set onlyoffice-ds onlyoffice.jwt-…), the others in {configDir}/local.json; remove the value from the later layer (a value saved in the Admin Panel\'s runtime.json: reset it there), then {restart}.',
    yunohost: 'Keep each setting in one place: the JWT secret in the app\'s setting (yunohost app setting {app} jwt_secret), the others in {configDir}/local.json (again after each yunohost app upgrade); remove the value from the later layer (a value saved in the Admin Panel\'s runtime.json: reset it there), then {restart}.',
    docker: 'Keep each setting in one place: the JWT settings in the container environment (JWT_ENABLED, JWT_SECRET, JWT_HEADER in {containerDef}), the others in the mounted local-production-linux.json; remove the value from the layer that overrides it (a value saved in the Admin Panel\'s runtime.json: reset it there), then {recreate}.', 'config-management': 'Move the setting into the variable {tool} renders {managedFile} from and remove it from the later layer (or keep all hardening in that one layer on purpose).',
    nixos: 'Remove the value from the later layer (the Admin Panel\'s runtime.json: reset it there); the module regenerates the rest at every start.',
  },
  reads: MANAGED_PREFIXES,
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const [key, setters] of ctx.effective.setters) {
      // a managed key, or the managed object itself or one above it set to a non-object (which replaces it all)
      if (!isManaged(key) && !MANAGED_PREFIXES.some((p) => p.startsWith(key + '.'))) continue;
      const last = setters[setters.length - 1]!;
      // objects merge key by key; only leaves and arrays are decided by one layer
      if (isPlainObject(last.value)) continue;
      const layer = ctx.layers[last.layer]!;
      const home = homeLayer(key, ctx.layers);
      if (home !== undefined) {
        if (last.layer <= home) continue;
        const h = ctx.layers[home]!;
        const variable = h.kind === 'container-env' ? variableFor(key) : undefined;
        hits.push({
          message:
            `${key} is decided by ${layer.file}, which loads after ${variable ? `what the entrypoint writes from ${variable}` : h.file}` +
            (variable ? `: ${variable} in the container environment has no effect on it` : '') +
            (layer.kind === 'runtime-data' ? ' (the Admin Panel file, re-read while DS runs)' : '') +
            '.',
          location: locate(layer, key) ?? layerStart(layer),
          key,
        });
        continue;
      }
      if (!overridesLocal(layer, ctx.layers)) continue;
      const localSets = setters.some((s) => isLocalJson(ctx.layers[s.layer]!));
      hits.push({
        message:
          `${key} is decided by ${layer.file}` +
          (localSets ? ', overriding the value in local.json' : ', which loads after local.json') +
          (layer.kind === 'runtime-data' ? ' (the Admin Panel file, re-read while DS runs)' : '') +
          '.',
        location: locate(layer, key) ?? layerStart(layer),
        key,
      });
    }
    return hits;
  },
};
