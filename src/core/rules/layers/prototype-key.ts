/**
 * DSH116: a layer holds a "__proto__" key.
 *
 * JSON.parse and JSON5 keep it as an ordinary member (json5 2.2.3, npm package lib/parse.js:998, defines it with
 * Object.defineProperty). node-config's extendDeep then reads `mergeInto["__proto__"]`, which is the prototype of the
 * object being merged into, and merges the member's value into it (node-config@v3.3.12:lib/config.js:1300-1316;
 * 3b92726:lib/config.js:1364-1380 for config 2.0.1). Observed with both versions (config-ds8/ds9 in this repository's
 * devDependencies): after loading `{"__proto__": {"severity": "info"}}` in local.json, `({}).severity === "info"`
 * in the whole process, and every configuration object lists `severity` as a member. Where the enclosing object is new
 * in that layer (cloned rather than merged), the members land in that object only.
 *
 * ds-harden leaves the key out of the effective configuration (merge.ts), so its own objects never inherit it; this
 * rule reports what DS does with it instead.
 */
import type { Layer } from '../../types.js';
import type { Rule, RuleHit } from '../rule.js';
import { getPath, isPlainObject, layerStart, locate, PROTO_KEY } from '../../layers/merge.js';
import { displayPath } from '../../redact.js';

/** Paths (segments) of every "__proto__" member in `value`, found iteratively. */
function protoKeys(value: unknown): string[][] {
  const out: string[][] = [];
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...path, String(i)]]));
    else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        if (k === PROTO_KEY) out.push([...path, k]);
        else stack.push([v[k], [...path, k]]);
      }
    }
  }
  return out.sort((a, b) => (a.join('.') < b.join('.') ? -1 : 1));
}

function memberNames(v: unknown): string {
  if (!isPlainObject(v)) return '';
  const names = Object.keys(v).filter((k) => k !== PROTO_KEY);
  if (names.length === 0) return '';
  const shown = names.slice(0, 5).map((n) => JSON.stringify(displayPath(n)));
  return `${shown.join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}

export const prototypeKey: Rule = {
  id: 'DSH116',
  area: 'layers',
  severity: 'high',
  title: 'A configuration file has a "__proto__" key',
  why:
    'DS\'s configuration loader (node-config) merges a "__proto__" member into the prototype of the object it is ' +
    'merging into — for the top level and for every object default.json already has, that is Object.prototype of ' +
    'DocService and FileConverter. Every object in those processes then inherits the members (prototype pollution): ' +
    'options DS never sets explicitly take these values, with effects nobody can predict.',
  remediation:
    'Delete the "__proto__" block. If its settings were meant for DS, write them at their real place (ds-harden check ' +
    '--explain KEY shows where each setting lives), then {restart}.',
  reads: [],
  check(ctx) {
    const hits: RuleHit[] = [];
    ctx.layers.forEach((layer: Layer, index) => {
      if (layer.status !== 'loaded') return;
      // without the word and without any escape (\u005f…, a line continuation) no key can be "__proto__"
      if (layer.text !== undefined && !layer.text.includes('__proto__') && !layer.text.includes('\\')) return;
      for (const path of protoKeys(layer.value)) {
        const parent = path.slice(0, -1);
        const value = getPath(layer.value, path);
        // merged into an existing object (→ Object.prototype) or cloned as a new one (→ that object only)
        const existing =
          parent.length === 0 ||
          ctx.layers.slice(0, index).some((l) => l.status === 'loaded' && isPlainObject(getPath(l.value, parent)));
        const members = memberNames(value);
        const where = parent.length ? displayPath(parent.join('.')) : 'the top level';
        const effect = !isPlainObject(value)
          ? `DS defines a member named "__proto__" on ${where} (or, for an array, replaces that object's prototype)`
          : existing
            ? `DS merges ${members ? `its members ${members}` : 'it'} into Object.prototype of DocService and FileConverter: every object in those processes inherits ${members ? 'them' : 'its members'}`
            : `DS makes ${members ? `its members ${members}` : 'its members'} members of ${where}`;
        hits.push({
          message: `${layer.file} has a "__proto__" key${parent.length ? ` in ${where}` : ' at the top level'}: ${effect}. ds-harden leaves it out of the values it evaluates.`,
          location: locate(layer, path) ?? layerStart(layer),
          key: displayPath(path.join('.')),
        });
      }
    });
    return hits;
  },
};
