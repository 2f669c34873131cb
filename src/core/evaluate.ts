/** evaluate: run every rule over the loaded configuration and stamp the findings. Pure. */
import type { EffectiveConfig, Finding, Layer, Setter, SourceLocation } from './types.js';
import type { HostFacts, Rule, RuleContext } from './rules/rule.js';
import type { LoadedConfig } from './layers/load.js';
import { getPath, isPlainObject, layerStart, locate } from './layers/merge.js';
import type { LiveObservations } from './probe/judge.js';
import { UNKNOWN_VERSION } from './ds/versions.js';
import { displayPath, scrubText, secretValues, secretValuesAmong } from './redact.js';
import { fillRemedy, genericRemedy, remedyFor } from './deploy/remedy.js';
import { shellQuote } from './text/shell.js';
import { strictJsonMayHold } from './parse/strict-json.js';
import type { RuleMeta } from './report.js';

/**
 * The setter that decided the value at `path` and the path it set: the last layer that set `path` itself, unless a later
 * layer replaced an ancestor with something that is not an object (`"secret": "abc"` in runtime.json after local.json's
 * `secret.inbox.string`: node-config's extendDeep replaces a non-object wholesale, merge.ts) — then that layer and that
 * ancestor. When nothing sets `path`, the nearest ancestor's last setter. Undefined when no layer sets any of them.
 */
export function decidingSetter(effective: EffectiveConfig, path: string): { setter: Setter; path: string } | undefined {
  const segs = path.split('.');
  let best: { setter: Setter; path: string } | undefined;
  for (let n = segs.length; n > 0; n--) {
    const key = segs.slice(0, n).join('.');
    const list = effective.setters.get(key);
    if (!list || list.length === 0) continue;
    const last = list[list.length - 1]!;
    if (!best) best = { setter: last, path: key };
    else {
      // an ancestor decides only when it replaced the subtree (a non-object value) after the deeper setter
      const replaced = [...list].reverse().find((x) => !isPlainObject(x.value));
      if (replaced && replaced.layer > best.setter.layer) best = { setter: replaced, path: key };
    }
  }
  return best;
}

export function makeContext(loaded: LoadedConfig, host: HostFacts = {}, live?: LiveObservations): RuleContext {
  const { effective, layers } = loaded;
  const lastSetter = (path: string) => decidingSetter(effective, path);
  return {
    effective,
    layers,
    version: loaded.version,
    host,
    ...(live ? { live } : {}),
    readErrors: loaded.readErrors ?? [],
    get: (path) => getPath(effective.value, path),
    origin(path): SourceLocation | undefined {
      const s = lastSetter(path);
      if (!s) return undefined;
      const layer = layers[s.setter.layer]!;
      return locate(layer, s.path) ?? layerStart(layer);
    },
    originLayer(path): Layer | undefined {
      const s = lastSetter(path);
      return s ? layers[s.setter.layer] : undefined;
    },
  };
}

/**
 * Every secret the loaded layers and secret files hold (redact.ts decides what is secret), as text to scrub from
 * findings: a second line of defence behind rules that never print secret values.
 */
export function knownSecrets(ctx: Pick<RuleContext, 'layers' | 'host'>): string[] {
  const out = new Set<string>();
  // the shipped default.json / production-linux.json values are public (they are in DS's source), e.g. queue.type
  const shipped = (l: { kind: string }) => l.kind === 'default' || l.kind === 'env';
  const own = ctx.layers.filter((l) => l.status === 'loaded' && !shipped(l)).flatMap((l) => secretValues(l.value));
  // only the few secrets of the other layers are looked up in the shipped ones (judging every path of default.json
  // took ~12 ms of a 9.3 check), and of those only the ones the shipped file's text can hold (walking default.json's
  // value costs ~10 M instructions, a search of its text a few thousand: scripts/BENCH-NOTES.md)
  const published = new Set(
    ctx.layers
      .filter((l) => shipped(l) && l.status === 'loaded')
      .flatMap((l) => {
        const wanted = new Set(l.strictJson && l.text !== undefined ? own.filter((s) => strictJsonMayHold(l.text!, s)) : own);
        return [...secretValuesAmong(l.value, wanted)];
      }),
  );
  for (const s of own) if (!published.has(s)) out.add(s);
  for (const f of ctx.host.secretFiles?.values() ?? []) {
    if (f.content) {
      out.add(f.content);
      out.add(f.content.replace(/\r?\n$/, ''));
    }
  }
  return [...out];
}

/**
 * Run every rule and stamp its findings. The fix text is the one for the install (deploy/remedy.ts: the rule's own
 * text for local.json installs, its `remedies` or its `fix` in the words of Docker, snap, NixOS, YunoHost or
 * configuration management); a rule whose remedy for this install is null does not apply to it. Findings of rules that
 * another finding `supersedes` at the same file and line are dropped (they say the same thing in other words).
 */
export function evaluate(rules: readonly Rule[], ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  let secrets: string[] | undefined;
  const dep = ctx.host.deployment;
  // a container file read from a bind mount is located in its host file (the one to edit, and the one SARIF can show)
  const hostFile = new Map(ctx.layers.filter((l) => l.hostFile).map((l) => [l.file, l.hostFile!]));
  const place = (l: SourceLocation): SourceLocation => (hostFile.has(l.file) ? { ...l, file: hostFile.get(l.file)! } : l);
  for (const rule of rules) {
    const remediation = remedyFor(rule, dep);
    if (remediation === null) continue;
    for (const hit of rule.check(ctx)) {
      secrets ??= knownSecrets(ctx);
      const location = hit.location ? place(hit.location) : undefined;
      // what only the finding knows: its file (the one to edit: a mounted file's host path), and the rule's own values
      const finding = { ...(location ? { file: shellQuote(location.file) } : {}), ...hit.fill };
      out.push({
        ...(hit.blocksStartup ? { blocksStartup: true as const } : {}),
        ruleId: rule.id,
        severity: hit.severity ?? rule.severity,
        title: rule.title,
        message: scrubText(hit.message, secrets),
        remediation: genericRemedy(fillRemedy(hit.remediation ?? remediation, dep, finding), dep),
        ...(location ? { location } : {}),
        ...(hit.key ? { key: displayPath(hit.key) } : {}),
        ...(hit.url ? { url: hit.url } : {}),
      });
    }
  }
  const at = (f: Finding) => (f.location ? `${f.location.file}:${f.location.line}` : undefined);
  const covered = new Set<string>();
  for (const rule of rules) {
    if (!rule.supersedes) continue;
    for (const f of out) if (f.ruleId === rule.id && at(f)) for (const id of rule.supersedes) covered.add(`${id}@${at(f)}`);
  }
  return covered.size ? out.filter((f) => !at(f) || !covered.has(`${f.ruleId}@${at(f)}`)) : out;
}

/** The rule metadata a report lists, with the fix text for this install. */
export function ruleMeta(rule: Rule, dep: HostFacts['deployment']): RuleMeta {
  const { id, area, severity, title, why, fixedByApply } = rule;
  return { id, area, severity, title, why, remediation: genericRemedy(remedyFor(rule, dep) ?? rule.remediation, dep), ...(fixedByApply ? { fixedByApply } : {}) };
}

/**
 * A context with no configuration at all, for a probe of a server whose configuration ds-harden did not read
 * (`ds-harden probe` without a local DS configuration): only the live rules have something to judge.
 */
export function liveOnlyContext(live: LiveObservations): RuleContext {
  return {
    effective: { value: {}, setters: new Map() },
    layers: [],
    version: UNKNOWN_VERSION,
    host: {},
    live,
    get: () => undefined,
    origin: () => undefined,
    originLayer: () => undefined,
  };
}
