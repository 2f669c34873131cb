/**
 * The rule contract: plain data (id, severity, title, why, remediation, keys read) plus one pure check.
 * A rule never mutates its context and returns fresh findings; evaluate.ts stamps id/severity/title.
 */
import type { LiveObservations } from '../probe/judge.js';
import type { DsVersionInfo, EffectiveConfig, Layer, Severity, SourceLocation, FileStat } from '../types.js';
import type { Deployment, Mechanism } from '../deploy/types.js';

export type RuleArea = 'parse' | 'jwt' | 'ipfilter' | 'secrets' | 'files' | 'layers' | 'version' | 'ssrf' | 'live' | 'deployment';

/** Facts about the host that rules may read; gathered by adapters, passed in as data. */
export interface HostFacts {
  /** uid/gid of the service user (ds, or onlyoffice before 5.3), when known. */
  readonly serviceUser?: { name: string; uid: number; gid: number; groups: readonly number[] };
  /** Stat of secret files referenced by secret.*.file, keyed by host path. */
  readonly secretFiles?: ReadonlyMap<string, { stat?: FileStat; content?: string; error?: string }>;
  /** Whether the host runs DS in the official Docker image (entrypoint rewrites JWT keys). */
  readonly docker?: boolean;
  /** Backups and other copies of configuration files in the config dir (LoadedConfig.copies), with what was read. */
  readonly configCopies?: readonly ConfigCopyFact[];
  /** How DS is deployed (LoadedConfig.deployment): the mechanism every fix text speaks of, the container definition. */
  readonly deployment?: Deployment;
}

/** One copy of a configuration file (core/layers/copies.ts) as the host holds it. */
export interface ConfigCopyFact {
  /** Host path. */
  readonly file: string;
  /** What made it ("an Ansible backup"). */
  readonly label: string;
  /** The configuration file it copies, when the name says so ("local.json"). */
  readonly of?: string;
  readonly stat?: FileStat;
  readonly text?: string;
  readonly error?: string;
}

export interface RuleContext {
  readonly effective: EffectiveConfig;
  readonly layers: readonly Layer[];
  readonly version: DsVersionInfo;
  readonly host: HostFacts;
  /** The effective value at a dotted path (e.g. "services.CoAuthoring.token.enable.browser"). */
  get(path: string): unknown;
  /** Where the effective value at `path` was last set (deepest setter), or the nearest ancestor's. */
  origin(path: string): SourceLocation | undefined;
  /** The layer that last set `path` (undefined when nothing sets it). */
  originLayer(path: string): Layer | undefined;
  /** What a live probe of the running server saw (`probe`, `check --url`); absent otherwise. Live rules read only this. */
  readonly live?: LiveObservations;
  /** Service definitions that exist but could not be read (their NODE_CONFIG etc. are unknown). */
  readonly readErrors?: readonly { readonly file: string; readonly code: string; readonly message: string }[];
}

/** What a rule reports; evaluate() adds ruleId, severity (unless overridden), title and remediation. */
export interface RuleHit {
  readonly message: string;
  readonly location?: SourceLocation;
  readonly key?: string;
  /** Some rules grade their own hits (e.g. default secret on < 7.2 is critical, otherwise high). */
  readonly severity?: Severity;
  /** The URL the finding is about (live findings), when there is no file location. */
  readonly url?: string;
  /** DS will not start while this stands (see Finding.blocksStartup). */
  readonly blocksStartup?: true;
  /**
   * The fix for this finding when it depends on what the finding is about (which file, what kind of layer): it replaces
   * the rule's text for the install (`remediation`, `remedies`, `fix`), so it must speak the install's mechanism itself
   * (ctx.host.deployment). Placeholders as in `remedies`.
   */
  readonly remediation?: string;
  /** Values of placeholders only this finding knows (`{version}` …); `{file}` is the finding's file unless given here. */
  readonly fill?: Readonly<Record<string, string>>;
}

export interface Rule {
  /** Stable forever; retired IDs are never reused. */
  readonly id: `DSH${number}`;
  readonly area: RuleArea;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  readonly remediation: string;
  /** `ds-harden apply` writes the values that resolve this rule's findings (when local.json decides them). */
  readonly fixedByApply?: true;
  /** Dotted keys the rule reads (for --explain, docs and the catalogue test). */
  readonly reads: readonly string[];
  /**
   * What the fix sets, independent of the install: the keys and, in words, their values. The fix text of an install
   * whose settings live elsewhere than local.json (Docker, snap, NixOS, YunoHost, configuration management) is made
   * from this by deploy/remedy.ts; `remediation` is the text for local.json.
   */
  readonly fix?: Fix;
  /**
   * Fix texts written for a mechanism, in place of `remediation` and of the text made from `fix`. Placeholders (in
   * `remediation` too; deploy/remedy.ts fillRemedy): {user}, {restart}, {file} (the finding's file), {containerDef},
   * {service}, {composeFile}, {recreate}, {app}, {configDir}, {managedFile}, {tool}. null: the rule does not apply there.
   */
  readonly remedies?: Partial<Record<Exclude<Mechanism, 'local-json'>, string | null>>;
  /** Findings of these rules at the same location say the same thing in other words: evaluate() drops them. */
  readonly supersedes?: readonly string[];
  check(ctx: RuleContext): readonly RuleHit[];
}

/** The change that fixes a rule's findings, as data (see Rule.fix). */
export interface Fix {
  /** Dotted keys, each with its value in words ("true", "one random secret of 32+ letters and digits, the integrator's jwt_secret"). */
  readonly set: Readonly<Record<string, string>>;
  /** What else to know, whatever the install ("Set the same value as the integrator's jwt_secret."). */
  readonly note?: string;
}
