import type { Rule, RuleHit } from '../rule.js';
import { isPlainObject, layerStart, locate } from '../../layers/merge.js';
import { MANAGED_PREFIXES } from '../../ds/keys.js';
import { ALIASES, passThroughAncestor } from '../../ds/pass-through.js';
import { PROTO_KEY } from '../../layers/merge.js';
import { displayPath, isSecretBearingPath, mask } from '../../redact.js';
import { adminLayers, shippedDefaults } from './common.js';

/** Every dotted path of the objects in `value` (arrays are leaves). */
function paths(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (!isPlainObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    // "__proto__" is not ignored by DS: DSH116 says what it does
    if (k === PROTO_KEY) continue;
    out.push([...prefix, k]);
    paths(v, [...prefix, k], out);
  }
  return out;
}

/** Known places for a key name in default.json, e.g. "ipfilter" → services.CoAuthoring.ipfilter. */
function placesOf(name: string, def: unknown): string[] {
  return paths(def)
    .filter((p) => p[p.length - 1] === name)
    .map((p) => p.join('.'))
    .slice(0, 3);
}

export const unknownKeys: Rule = {
  id: 'DSH114',
  area: 'layers',
  severity: 'low',
  title: 'A key does not exist in this DS version and is ignored',
  why:
    'DS does no schema validation: a key in the wrong place (e.g. "ipfilter" at the top level instead of under ' +
    'services.CoAuthoring) starts fine and does nothing. People then believe a protection is on. Members of the objects ' +
    'DS hands to a library unchanged (requestDefaults, redis.options, sql.*ExtraOptions, …) are settings of that library ' +
    'and are not reported.',
  remediation: 'Move the key to the place shown, or delete it.',
  reads: [],
  check(ctx) {
    const def = shippedDefaults(ctx);
    if (!def) return [];
    const hits: RuleHit[] = [];
    for (const layer of adminLayers(ctx)) {
      const reported: string[] = [];
      for (const p of paths(layer.value)) {
        const key = p.join('.');
        if (reported.some((r) => key.startsWith(r + '.'))) continue;
        // members of an object DS hands to a library (requestDefaults → HTTP agent, redis.options → node-redis, …)
        if (passThroughAncestor(key)) continue;
        // under an object that default.json has, but this key is not there
        let cur: unknown = def;
        let known = true;
        const judged = ALIASES[p[0]!] !== undefined ? [ALIASES[p[0]!]!, ...p.slice(1)] : p;
        for (const seg of judged) {
          if (isPlainObject(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
          else {
            known = !isPlainObject(cur); // below a non-object (e.g. inside static_content paths) we cannot judge
            break;
          }
        }
        if (known) continue;
        reported.push(key);
        const name = p[p.length - 1]!;
        // an unknown name inside an object that holds secrets may itself be a secret pasted as a key: not shown
        const parent = p.slice(0, -1).join('.');
        const shownKey = parent !== '' && isSecretBearingPath(parent) ? `${displayPath(parent)}.${mask(name)}` : displayPath(key);
        const places = placesOf(name, def);
        const security = ['ipfilter', 'token', 'secret', 'enable', 'inbox', 'outbox', 'rules', 'useforrequest'].includes(name) ||
          places.some((pl) => MANAGED_PREFIXES.some((m) => pl.startsWith(m)));
        hits.push({
          message:
            `${shownKey} (in ${layer.file}) is not a setting of DS ${ctx.version.label.replace(/ \(.*\)$/, '')} and is ignored` +
            (places.length ? `; did you mean ${places.join(' or ')}?` : '.'),
          location: locate(layer, key) ?? layerStart(layer),
          key: shownKey,
          severity: security ? 'high' : 'low',
        });
      }
    }
    return hits;
  },
};
