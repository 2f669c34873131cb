/**
 * Validate a candidate local.json before it replaces anything: DS (this version's parser) must load it,
 * every desired value must be in effect (no later layer overrides it), and check's rules must find nothing
 * critical that the change introduced.
 */
import type { Finding, SourceLocation } from '../types.js';
import type { LoadedConfig, ReadonlyHost, ReadResult } from '../layers/load.js';
import { loadConfig } from '../layers/load.js';
import { getPath, locate } from '../layers/merge.js';
import { decidingSetter, evaluate, makeContext } from '../evaluate.js';
import type { HostFacts, Rule } from '../rules/rule.js';
import type { Plan, Refusal } from './plan.js';

/** Owner and permission bits a write gives a file. */
export interface PlannedStat {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/**
 * The same host, but `path` reads as `text`, with the owner and mode the write will give it (`planned`), else
 * those of the existing file, else root:root 0640.
 */
export function overlay(host: ReadonlyHost, path: string, text: string, planned?: PlannedStat): ReadonlyHost {
  return {
    async read(p): Promise<ReadResult> {
      if (p !== path) return host.read(p);
      const cur = await host.read(p);
      const stat = { ...(cur.stat ?? { uid: 0, gid: 0, mode: 0o640, size: 0, isSymlink: false }), ...(planned ?? {}) };
      return { ok: true, text, stat: { ...stat, size: Buffer.byteLength(text) } };
    },
    async list(dir) {
      const names = await host.list(dir);
      const slash = path.lastIndexOf('/');
      if (path.slice(0, slash) !== dir) return names;
      const base = path.slice(slash + 1);
      return names ? (names.includes(base) ? names : [...names, base]) : [base];
    },
    hostname: () => host.hostname(),
  };
}

const keyOf = (f: Finding) => `${f.ruleId}|${f.key ?? ''}|${f.location?.file ?? ''}`;

export interface Validation {
  readonly refusals: readonly Refusal[];
  readonly after: LoadedConfig;
  /** Findings of any severity the candidate would introduce (the critical ones are also refusals). */
  readonly introduced: readonly Finding[];
  /** Findings of any severity resolved by the change. */
  readonly resolved: readonly Finding[];
}

/** One later layer's setting that keeps keys from taking effect (several keys overridden by one line: one entry). */
export interface Override {
  /** The dotted keys it keeps from taking effect, in the order given. */
  readonly keys: readonly string[];
  /** The file of the deciding layer (its host file for a container's mount); undefined when no layer sets them. */
  readonly file?: string;
  /** The key that layer sets: one of `keys`, or an ancestor it sets to a non-object (`replaces`). */
  readonly path: string;
  readonly replaces: boolean;
  /** The ancestor's value in words ("a string"), when `replaces`. */
  readonly what: string;
  readonly at?: SourceLocation;
}

/**
 * Who decides each of `keys` in `loaded` (evaluate.ts decidingSetter), grouped so that one setting is one entry: a
 * runtime.json `"secret": "abc"` that replaces secret.inbox/outbox/session is one fact, not three. Pure.
 */
export function overridesOf(loaded: LoadedConfig, keys: readonly string[]): Override[] {
  const out = new Map<string, Override & { keys: string[] }>();
  for (const key of keys) {
    const d = decidingSetter(loaded.effective, key);
    const layer = d ? loaded.layers[d.setter.layer] : undefined;
    const id = d ? `${d.setter.layer}|${d.path}` : '';
    const prev = out.get(id);
    if (prev) {
      prev.keys.push(key);
      continue;
    }
    const replaces = d !== undefined && d.path !== key;
    const v = d?.setter.value;
    const at = layer && d ? (locate(layer, d.path) ?? { file: layer.hostFile ?? layer.file, line: 1, column: 1 }) : undefined;
    out.set(id, {
      keys: [key],
      ...(layer ? { file: layer.hostFile ?? layer.file } : {}),
      path: d?.path ?? key,
      replaces,
      what: v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? 'a string' : `a ${typeof v}`,
      ...(at ? { at } : {}),
    });
  }
  return [...out.values()];
}

export async function validateCandidate(
  host: ReadonlyHost,
  before: LoadedConfig,
  plan: Plan,
  rules: readonly Rule[],
  facts: HostFacts,
  planned?: PlannedStat,
): Promise<Validation> {
  const refusals: Refusal[] = [];
  const after = await loadConfig(overlay(host, plan.target, plan.after, planned), { configDir: before.configDir, version: before.version, ...before.loadOptions });
  const layer = after.layers.find((l) => l.file === plan.target);
  if (!layer || layer.status !== 'loaded') {
    refusals.push({
      code: 'parse-error',
      message: `internal check failed: the new ${plan.target} would not load (${layer?.error?.cause ?? layer?.status ?? 'missing'}); nothing was written.`,
    });
  }
  const lost = plan.changes.map((c) => c.key).filter((k) => JSON.stringify(getPath(after.effective.value, k)) !== JSON.stringify(plan.changes.find((c) => c.key === k)!.to));
  for (const o of overridesOf(after, lost)) {
    const them = o.keys.length === 1 ? 'it' : 'them';
    refusals.push({
      code: 'overridden',
      message:
        `${o.keys.join(', ')} would be written to local.json, but ${o.file ?? 'another layer'} loads later and ` +
        (o.replaces ? `sets ${o.path} to ${o.what}${o.at ? ` (line ${o.at.line})` : ''}, which replaces ${them}` : `overrides ${them}${o.at ? ` (line ${o.at.line})` : ''}`) +
        ` — DS would never see the change. Remove ${o.replaces ? o.path : o.keys.length === 1 ? 'the key' : 'the keys'} from that file (or change ${o.replaces || o.keys.length === 1 ? 'it' : 'them'} there), then re-run.`,
      ...(o.at ? { location: o.at } : {}),
    });
  }
  const was = evaluate(rules, makeContext(before, facts));
  const now = evaluate(rules, makeContext(after, facts));
  const wasKeys = new Set(was.map(keyOf));
  const nowKeys = new Set(now.map(keyOf));
  const introduced = now.filter((f) => !wasKeys.has(keyOf(f)));
  for (const f of introduced.filter((x) => x.severity === 'critical')) {
    refusals.push({ code: 'introduces-critical', message: `the change would introduce ${f.ruleId} (${f.title}): ${f.message.split('\n')[0]}`, ...(f.location ? { location: f.location } : {}) });
  }
  const resolved = was.filter((f) => !nowKeys.has(keyOf(f)));
  return { refusals, after, introduced, resolved };
}
