/**
 * What the wizard can tell before it asks anything: the effective configuration DS would load (the same loader as
 * check and apply) and the host facts (the same gatherer as the rules). The answers are pre-filled from this.
 * Nothing here decides what a change does — the apply pipeline does; this only reads what is there now.
 */
import { loadTarget, type TargetOptions } from '../target.js';
import { gatherHostFacts } from '../../adapters/host-facts.js';
import type { LoadedConfig } from '../../core/layers/load.js';
import type { HostFacts } from '../../core/rules/rule.js';
import { getPath } from '../../core/layers/merge.js';
import { K } from '../../core/ds/keys.js';
import { judgeSecret } from '../../core/ds/secret-strength.js';
import { allowedAddresses } from '../../core/next-step.js';

/** How DS is deployed here, as far as the wizard tells the admin. */
export interface Deployment {
  readonly kind: 'docker' | 'host' | 'other';
  /** "the ONLYOFFICE Docker image". */
  readonly label: string;
}

/**
 * The deployment mode, from the host facts — the one place the wizard asks (issue 10 extends the detection in
 * gatherHostFacts; add its modes here). Docker: the image's entrypoint exists (deploy-modes §2.2).
 */
export function deploymentOf(facts: HostFacts): Deployment {
  const d = facts.deployment;
  if (facts.docker || d?.kind === 'docker-image') return { kind: 'docker', label: 'the ONLYOFFICE Docker image (its entrypoint rewrites the JWT settings from JWT_* variables on every start)' };
  // snap, NixOS, YunoHost, compose, configuration management: the pipeline writes that mechanism or prints the change
  if (d && d.mechanism !== 'local-json') return { kind: 'other', label: d.label };
  if (d?.managedBy) return { kind: 'other', label: `${d.label} (local.json is rendered by configuration management)` };
  return { kind: 'host', label: d?.label ?? 'installed on this host (deb/rpm package or by hand)' };
}

/** The JWT secret DS uses now, judged by core/ds/secret-strength.ts (the same judgement as check). Never the value. */
export type SecretState =
  | { readonly state: 'strong'; readonly length: number }
  | { readonly state: 'weak'; readonly ruleId: string; readonly reason: string }
  /** inbox, outbox and session hold different values: there is no one secret to keep */
  | { readonly state: 'differ' }
  | { readonly state: 'none' };

export interface Detected {
  /** DS's configuration directory (host path). */
  readonly configDir: string;
  /** "9.3.x (default.json fingerprint)". */
  readonly dsVersion: string;
  readonly deployment: Deployment;
  readonly secret: SecretState;
  /** The header DS reads inbox tokens from now (what integrators send). */
  readonly header: string;
  /** The integrator addresses the effective ipfilter rules allow (as apply would write them; no loopback). */
  readonly allow: readonly string[];
  /** Whether the current rules admit every client (no rule denies anyone). */
  readonly allowsEveryone: boolean;
  readonly useforrequest: boolean;
  /**
   * Layers DS reads at start-up that it cannot parse or read ("FILE:LINE:COLUMN: cause"): DS will not start, and the
   * pipeline refuses to plan on them. Said before the first question.
   */
  readonly blockers: readonly string[];
}

/** The header DS uses when token.inbox.header is unset (DS's default.json). */
const DEFAULT_HEADER = 'Authorization';

/** What the loaded configuration and the host facts say, for the wizard. Pure. */
export function detectedFrom(loaded: LoadedConfig, facts: HostFacts): Detected {
  const get = (k: string) => getPath(loaded.effective.value, k);
  const slots = [K.secretInbox, K.secretOutbox, K.secretSession].map(get);
  const first = slots[0];
  let secret: SecretState;
  if (typeof first !== 'string' || first === '') secret = { state: 'none' };
  else if (!slots.every((s) => s === first)) secret = { state: 'differ' };
  else {
    const v = judgeSecret(first);
    secret = v.ok ? { state: 'strong', length: first.length } : { state: 'weak', ruleId: v.ruleId, reason: v.reason };
  }
  const header = get(K.inboxHeader);
  const useforrequest = get(K.ipUseForRequest) === true;
  const rules = get(K.ipRules);
  const denies = Array.isArray(rules) && rules.some((r) => r !== null && typeof r === 'object' && (r as { allowed?: unknown }).allowed === false);
  return {
    configDir: loaded.configDir,
    dsVersion: loaded.version.label,
    deployment: deploymentOf(facts),
    secret,
    header: typeof header === 'string' && header !== '' ? header : DEFAULT_HEADER,
    allow: allowedAddresses(rules, useforrequest),
    allowsEveryone: !denies,
    useforrequest,
    blockers: loaded.layers
      .filter((l) => l.atStartup && (l.status === 'parse-error' || l.status === 'unreadable'))
      .map((l) => (l.error ? `${l.file}:${l.error.line}:${l.error.column}: ${l.error.cause}` : `${l.file}: cannot be read`)),
  };
}

/** Load the configuration at the target and read the host facts (UsageError when there is no DS configuration). */
export async function detectSetup(o: TargetOptions, cwd: string): Promise<Detected> {
  const { loaded, host } = await loadTarget(o, cwd);
  return detectedFrom(loaded, await gatherHostFacts(host, loaded));
}
