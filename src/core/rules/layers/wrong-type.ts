import type { Rule, RuleHit } from '../rule.js';
import { getPath, isPlainObject, layerStart, locate } from '../../layers/merge.js';
import { isManaged } from '../../ds/keys.js';
import { coercionFor } from '../../ds/pass-through.js';
import { adminLayers, shippedDefaults } from './common.js';
import { displayPath, shownValue } from '../../redact.js';

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function leaves(value: unknown, prefix: string[] = [], out: [string, unknown][] = []): [string, unknown][] {
  if (!isPlainObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (isPlainObject(v)) leaves(v, [...prefix, k], out);
    else out.push([[...prefix, k].join('.'), v]);
  }
  return out;
}

export const wrongType: Rule = {
  id: 'DSH115',
  area: 'layers',
  severity: 'medium',
  title: 'A value has a different type than in default.json',
  why:
    'DS does not validate types. A string "false" is true for every switch (any non-empty string is truthy), ' +
    'an object where an array belongs disables the feature, and a non-numeric port becomes a socket path. Ports written ' +
    'as a string of digits (as the official installers write sql.dbPort and redis.port) work and are not reported.',
  remediation: 'Write the value with the type default.json uses (true/false without quotes, numbers without quotes, [ … ] for lists).',
  reads: [],
  check(ctx) {
    const def = shippedDefaults(ctx);
    if (!def) return [];
    const hits: RuleHit[] = [];
    for (const layer of adminLayers(ctx)) {
      for (const [key, v] of leaves(layer.value)) {
        // token/secret/ipfilter and TLS types are judged by their own rules (DSH203, DSH504, DSH600)
        if (isManaged(key) || key === 'services.CoAuthoring.requestDefaults.rejectUnauthorized') continue;
        const d = getPath(def, key);
        if (d === undefined || d === null || v === null) continue;
        const kd = kind(d);
        const kv = kind(v);
        if (kd === kv) continue;
        // a port written "5432" (the official installers do) or "true" where DS only tests truthiness
        if (coercionFor(key, v)) continue;
        const boolish = kd === 'boolean' && kv === 'string';
        hits.push({
          message:
            `${displayPath(key)} is ${kv} ${shownValue(key, v)} in ${layer.file}, but ${kd} in default.json` +
            (boolish ? ` — DS treats every non-empty string as true` : '') +
            '.',
          location: locate(layer, key) ?? layerStart(layer),
          key: displayPath(key),
          severity: boolish || kd === 'array' || kd === 'object' ? 'medium' : 'low',
        });
      }
    }
    return hits;
  },
};
