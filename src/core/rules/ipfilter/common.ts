/**
 * Shared helpers for the ipfilter rules (DSH50x, DSH512, DSH513), ds-facts §3, ds-observed §3e/§3f. Pure.
 *
 * The DS semantics live in src/core/ds/ipfilter.ts; this file only reads the configuration, points at the exact
 * place in the layer that decided `ipfilter.rules` (arrays replace, so that layer holds the whole array), and
 * phrases what DS does.
 *
 * When DS compiles the rule patterns (checked in ONLYOFFICE/server Common/sources/utils.js):
 * - ≤ 7.4.x: once at module load (`var g_oIpFilterRules = function() {…}()`, e.g. `@v7.4.1.36:utils.js:106-116`),
 *   so one rule without a string address stops DocService and FileConverter from starting.
 * - 7.5.0 – 8.2.x: all rules of a tenant at the first check (`getIpFilterRules(tenIpFilterRules)`,
 *   `@v7.5.1.1:utils.js:97-107,800-804`): one bad rule anywhere makes every check throw.
 * - ≥ 8.3.0: one pattern at a time inside the matching loop (`getIpFilterRule(rule.address)`,
 *   `@v8.3.3.23:utils.js:97-106`, `@v9.3.0.140:utils.js:102-111`): DS throws only when a check reaches the bad rule.
 */
import { locationText } from '../../text/position.js';
import type { SourceLocation } from '../../types.js';
import type { RuleContext } from '../rule.js';
import { K } from '../../ds/keys.js';
import { locate } from '../../layers/merge.js';
import { certainlyAtLeast, certainlyBelow, V } from '../../ds/versions.js';
import { analyzeAddress, shadowedRules, type AddressIssue } from '../../ds/ipfilter.js';
import { allowedAddresses } from '../../ds/ipfilter.js';
import { shellQuote } from '../../text/shell.js';

/** `true`, `"false"`, `0`: how a value reads in a message. */
export function show(v: unknown): string {
  if (v === undefined) return 'unset';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Short key for messages: "ipfilter.rules" instead of the full services.CoAuthoring path. */
export function short(key: string): string {
  return key.replace(/^services\.CoAuthoring\./, '');
}

/** "local.json:12" style pointer for messages (core/text/position.ts). */
export const where = locationText;

/** Dotted key of rules[i] or one of its properties. */
export function ruleKey(i: number, prop?: 'address' | 'allowed'): string {
  return prop ? `${K.ipRules}.${i}.${prop}` : `${K.ipRules}.${i}`;
}

/** "rules[2]" for messages (0-based, like the dotted key; people read JSON arrays that way in jq and editors). */
export function ruleName(i: number): string {
  return `ipfilter.rules[${i}]`;
}

/**
 * Where rules[i] (or its property) is written: in the layer that decided the whole rules array, falling back to the
 * element, then to the array's key.
 */
export function ruleLocation(ctx: RuleContext, i: number, prop?: 'address' | 'allowed'): SourceLocation | undefined {
  const layer = ctx.originLayer(K.ipRules);
  if (layer) {
    const loc = (prop ? locate(layer, ruleKey(i, prop)) : undefined) ?? locate(layer, ruleKey(i));
    if (loc) return loc;
  }
  return ctx.origin(K.ipRules);
}

/** A hit's key and location for rules[i] (or one of its properties). */
export function at(ctx: RuleContext, i: number, prop?: 'address' | 'allowed'): { key: string; location?: SourceLocation } {
  const location = ruleLocation(ctx, i, prop);
  return { key: prop ? ruleKey(i, prop) : ruleKey(i), ...(location ? { location } : {}) };
}

/** A hit's key and location for a whole key (rules array, useforrequest, errorcode). */
export function atKey(ctx: RuleContext, key: string): { key: string; location?: SourceLocation } {
  const location = ctx.origin(key);
  return { key, ...(location ? { location } : {}) };
}

/** One entry of an array `rules` as DS reads it. */
export interface RuleEntry {
  readonly index: number;
  readonly value: unknown;
  /** A plain object (DS reads `.address` and `.allowed` from it). */
  readonly isObject: boolean;
  readonly address: unknown;
  readonly allowed: unknown;
}

export function ruleEntries(rules: unknown): RuleEntry[] {
  if (!Array.isArray(rules)) return [];
  return rules.map((value: unknown, index) => {
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    const obj = isObject ? (value as Record<string, unknown>) : {};
    return { index, value, isObject, address: obj['address'], allowed: obj['allowed'] };
  });
}

/** Every rule whose string address has an issue of one of `kinds` (analyzeAddress), with that issue. */
export function addressIssues(rules: unknown, kinds: ReadonlySet<AddressIssue['kind']>): { entry: RuleEntry & { address: string }; issue: AddressIssue }[] {
  const out: { entry: RuleEntry & { address: string }; issue: AddressIssue }[] = [];
  for (const e of ruleEntries(rules)) {
    if (!e.isObject || typeof e.address !== 'string') continue;
    for (const issue of analyzeAddress(e.address)) if (kinds.has(issue.kind)) out.push({ entry: { ...e, address: e.address }, issue });
  }
  return out;
}

/** Entries DS can reach (not shadowed by an earlier rule that matches everything they could match). */
export function reachable(rules: unknown): Set<number> {
  const dead = new Set(shadowedRules(rules).map((s) => s.index));
  return new Set(ruleEntries(rules).map((e) => e.index).filter((i) => !dead.has(i)));
}

export function isCatchAll(address: unknown): boolean {
  return typeof address === 'string' && /^\*+$/.test(address);
}

/** DS: `if (cfgIpFilterUseForRequest)`, plain truthiness ("false" is on, ds-observed §3f). */
export function useForRequest(ctx: RuleContext): boolean {
  return Boolean(ctx.get(K.ipUseForRequest));
}

/** DS reads token.enable.request.inbox for truthiness (ds-observed §3f). */
export function jwtInboxOn(ctx: RuleContext): boolean {
  return Boolean(ctx.get(K.enableInbox));
}

/** Address kinds (analyzeAddress) that never match a client IP. */
const NEVER_MATCHES_AN_IP = new Set(['not-string', 'empty', 'cidr', 'ipv6-compressed', 'ipv6-not-normalized', 'hostname', 'range', 'whitespace']);

/**
 * Whether the rules refuse some client IP on incoming requests: a reachable deny rule whose address can match an IP,
 * and an errorcode > 0 (checkClientIp blocks only when `status > 0`).
 */
export function deniesSomeClient(ctx: RuleContext): boolean {
  if (!(Number(ctx.get(K.ipErrorCode)) > 0)) return false;
  const rules = ctx.get(K.ipRules);
  const live = reachable(rules);
  return ruleEntries(rules).some(
    (e) =>
      e.isObject &&
      !e.allowed &&
      typeof e.address === 'string' &&
      live.has(e.index) &&
      !analyzeAddress(e.address).some((i) => NEVER_MATCHES_AN_IP.has(i.kind)),
  );
}

/** What ipfilter covers, for messages. */
export const COVERAGE =
  'ipfilter is checked for every outgoing request DS makes (callback URLs, document downloads for conversion, images ' +
  'and files inserted in the editor, all WOPI host calls) whatever useforrequest says, and for incoming API requests ' +
  '(CommandService, ConvertService, /converter, /command, /docbuilder, /healthcheck, /info, WOPI discovery) only when ' +
  'ipfilter.useforrequest is true';

/** What DS does with a rule it cannot compile, for this DS version; `reached` = some check can reach the rule. */
export function brokenRuleEffect(
  ctx: RuleContext,
  reached: boolean,
): { text: string; severity: 'critical' | 'medium'; dormant: boolean } {
  const before75 = certainlyBelow(ctx.version, V('7.5.0'));
  const from75to82 = certainlyAtLeast(ctx.version, V('7.5.0')) && certainlyBelow(ctx.version, V('8.3.0'));
  const from83 = certainlyAtLeast(ctx.version, V('8.3.0'));
  const startup = 'DocService and FileConverter do not start (DS < 7.5 compiles every rule at start-up)';
  const allChecks =
    'every ipfilter check throws (DS 7.5 – 8.2 compiles all rules at the first check): outgoing callbacks, downloads and ' +
    'WOPI calls fail, and with useforrequest every filtered incoming request gets HTTP 500';
  const lazy = reached
    ? 'a check that reaches this rule throws (DS 8.3+ compiles rules one by one while matching): the outgoing request ' +
      'fails (callback dropped, download or conversion error), and with useforrequest the incoming request gets HTTP 500'
    : 'DS 8.3+ compiles rules one by one while matching and no check reaches this rule today (an earlier rule matches ' +
      'everything), so it is dormant — until that earlier rule is removed';
  if (before75) return { text: startup, severity: 'critical', dormant: false };
  if (from75to82) return { text: allChecks, severity: 'critical', dormant: false };
  if (from83) return { text: lazy, severity: reached ? 'critical' : 'medium', dormant: !reached };
  return {
    text: `DS ${ctx.version.label} may be any of: < 7.5, where ${startup}; 7.5 – 8.2, where ${allChecks}; 8.3+, where ${lazy}`,
    severity: 'critical',
    dormant: !reached,
  };
}

/** What a rule that never matches means for the addresses it was written for. */
export function neverMatchEffect(allowed: unknown): string {
  return allowed
    ? 'the addresses it was meant to allow fall through to the later rules (refused by a final deny, allowed when nothing matches)'
    : 'the addresses it was meant to deny are not denied by it';
}

/**
 * `--allow A --allow B` for fix texts that name ds-harden proxy or apply: the integrator addresses the effective rules
 * allow (IPs and globs only — the proxy and useforrequest match client addresses), else a placeholder to fill.
 */
export function allowArgs(ctx: Pick<RuleContext, 'get'>): string {
  const list = allowedAddresses(ctx.get(K.ipRules), true);
  return list.length ? list.map((a) => `--allow ${shellQuote(a)}`).join(' ') : '--allow <integrator IP>';
}
