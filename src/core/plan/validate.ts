/**
 * Validate a candidate local.json before it replaces anything: DS (this version's parser) must load it,
 * every desired value must be in effect (no later layer overrides it), and check's rules must find nothing
 * critical that the change introduced.
 */
import type { Finding } from '../types.js';
import type { LoadedConfig, ReadonlyHost, ReadResult } from '../layers/load.js';
import { loadConfig } from '../layers/load.js';
import { getPath } from '../layers/merge.js';
import { evaluate, makeContext } from '../evaluate.js';
import type { HostFacts, Rule } from '../rules/rule.js';
import type { Plan, Refusal } from './plan.js';

/** The same host, but `path` reads as `text` (owner and mode of the existing file, or 0640). */
export function overlay(host: ReadonlyHost, path: string, text: string): ReadonlyHost {
  return {
    async read(p): Promise<ReadResult> {
      if (p !== path) return host.read(p);
      const cur = await host.read(p);
      const stat = cur.stat ?? { uid: 0, gid: 0, mode: 0o640, size: 0, isSymlink: false };
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
  /** Critical findings the candidate would introduce (also in refusals). */
  readonly introduced: readonly Finding[];
  /** Findings of any severity resolved by the change. */
  readonly resolved: readonly Finding[];
  /** Every finding the change introduces, of any severity (apply lists them all; the critical ones also refuse it). */
  readonly added: readonly Finding[];
}

export async function validateCandidate(
  host: ReadonlyHost,
  before: LoadedConfig,
  plan: Plan,
  rules: readonly Rule[],
  facts: HostFacts,
): Promise<Validation> {
  const refusals: Refusal[] = [];
  const after = await loadConfig(overlay(host, plan.target, plan.after), { configDir: before.configDir, version: before.version });
  const layer = after.layers.find((l) => l.file === plan.target);
  if (!layer || layer.status !== 'loaded') {
    refusals.push({
      code: 'parse-error',
      message: `internal check failed: the new ${plan.target} would not load (${layer?.error?.cause ?? layer?.status ?? 'missing'}); nothing was written.`,
    });
  }
  for (const c of plan.changes) {
    const eff = getPath(after.effective.value, c.key);
    if (JSON.stringify(eff) !== JSON.stringify(c.to)) {
      const ctx = makeContext(after, facts);
      const where = ctx.originLayer(c.key);
      const loc = ctx.origin(c.key);
      refusals.push({
        code: 'overridden',
        message:
          `${c.key} would be written to local.json, but ${where?.file ?? 'another layer'} loads later and overrides it` +
          (loc ? ` (line ${loc.line})` : '') +
          ` — DS would never see the change. Remove the key from that file (or change it there), then re-run.`,
        ...(loc ? { location: loc } : {}),
      });
    }
  }
  const was = evaluate(rules, makeContext(before, facts));
  const now = evaluate(rules, makeContext(after, facts));
  const wasKeys = new Set(was.map(keyOf));
  const nowKeys = new Set(now.map(keyOf));
  const added = now.filter((f) => !wasKeys.has(keyOf(f)));
  const introduced = added.filter((f) => f.severity === 'critical');
  for (const f of introduced) {
    refusals.push({ code: 'introduces-critical', message: `the change would introduce ${f.ruleId} (${f.title}): ${f.message.split('\n')[0]}`, ...(f.location ? { location: f.location } : {}) });
  }
  const resolved = was.filter((f) => !nowKeys.has(keyOf(f)));
  return { refusals, after, introduced, resolved, added };
}
