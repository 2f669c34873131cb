/** Shared value types of the pure core. No I/O lives here. */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Rank for comparisons: critical = 4 … info = 0. */
export function severityRank(s: Severity): number {
  return 4 - SEVERITIES.indexOf(s);
}

export type JsonPath = readonly (string | number)[];

/** A place in a file, 1-based line and column, as a person reads it. */
export interface SourceLocation {
  /** Path as it is on the DS host (never prefixed with --root). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** What is set there, for messages, when the file alone does not say it (`NODE_CONFIG` in a service definition). */
  readonly label?: string;
}

/** Which parser the DS version's `config` package applies to *.json files (ds-facts §1.3). */
export type ParserFamily = 'config2' | 'config3';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface DsVersionInfo {
  /** Best knowledge: an exact version or a range [min, max] from a fingerprint. */
  readonly min: Version;
  readonly max: Version;
  readonly exact: boolean;
  readonly source: 'flag' | 'dpkg' | 'fingerprint' | 'unknown' | 'probe' | 'image';
  /** Human text, e.g. "9.3.0 (dpkg)" or "8.1–8.2 (default.json fingerprint)". */
  readonly label: string;
  readonly parser: ParserFamily;
}

export interface FileStat {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly size: number;
  readonly isSymlink: boolean;
}

export type LayerKind =
  | 'default'
  | 'env'
  | 'hostname'
  | 'local'
  | 'local-env'
  | 'node-config-env'
  | 'runtime-legacy'
  | 'runtime-data'
  /** What the Docker entrypoint writes into local.json from the container environment at every start (deploy/entrypoint.ts). */
  | 'container-env'
  /** The stock values of the image's default.json, when the image's own files are not visible (a container seen from the host). */
  | 'image-stock';

export type LayerFormat = 'json' | 'json5' | 'js' | 'other';

export interface ParseFailure {
  readonly message: string;
  /** Where DS's own parser reports the error (what its log says: JSON5 "at 7:13", JSON.parse "at position N"). */
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /**
   * Where the mistake most likely is, when that is elsewhere: a missing comma is reported at the start of the next
   * member (7:13) but belongs after the previous one (6:37); a trailing comma is reported at the closing brace.
   */
  readonly likely?: { readonly line: number; readonly column: number; readonly offset: number };
  /** What a person should understand: "trailing comma", "U+201C LEFT DOUBLE QUOTATION MARK", … */
  readonly cause: string;
  /** What to do about it. */
  readonly hint: string;
}

export interface DuplicateKey {
  readonly path: JsonPath;
  readonly first: SourceLocation;
  readonly last: SourceLocation;
}

/** One configuration source that DS (node-config or the 9.x runtime layer) would load. */
export interface Layer {
  readonly kind: LayerKind;
  /** Path on the DS host, e.g. /etc/onlyoffice/documentserver/local.json, or "NODE_CONFIG (ds-docservice.service)". */
  readonly file: string;
  readonly format: LayerFormat;
  /**
   * loaded: parsed and merged; skipped: DS ignores it (empty file on config2, [] or null);
   * parse-error / unreadable: DS crashes at start-up; opaque: DS loads it but we cannot evaluate (e.g. local.js).
   */
  readonly status: 'loaded' | 'skipped' | 'parse-error' | 'unreadable' | 'opaque';
  /** The text DS parses (a UTF-8 BOM removed, as DS removes it). */
  readonly text?: string;
  /** The file starts with a UTF-8 byte order mark. */
  readonly bom?: boolean;
  /**
   * The file's name is a symbolic link whose target (this host path) does not exist. DS skips such a file as it skips
   * a missing one (status 'skipped'), so whatever was meant to be in it is not used; apply refuses to write through it.
   */
  readonly danglingLink?: string;
  /** `text` is strict JSON (JSON.parse gave `value`): its strings are written as JSON writes them, shortcuts may rely on it. */
  readonly strictJson?: true;
  readonly value?: unknown;
  readonly tree?: import('./parse/tree.js').JsonNode;
  readonly error?: ParseFailure;
  readonly duplicates: readonly DuplicateKey[];
  /** Non-fatal parse notes (e.g. config2 accepted comments only through its JSON5 fallback). */
  readonly notes: readonly string[];
  readonly stat?: FileStat;
  /** True when DS reads this layer at start-up (false only for 9.0.x Data/runtime.json, read per request). */
  readonly atStartup: boolean;
  /**
   * Where each key's value is written, for layers that are not a JSON text (the container environment: the compose line
   * of the variable). Dotted key → location; locate() looks here first.
   */
  readonly locations?: ReadonlyMap<string, SourceLocation>;
  /** Keys this layer sets to a value chosen anew at every start (JWT_SECRET unset): key → what picks it. */
  readonly generated?: ReadonlyMap<string, string>;
  /** The host file a container path was read from (a bind mount), when it differs from `file`. */
  readonly hostFile?: string;
  /**
   * Where the layer itself is set, for a layer that is no file of its own: $NODE_CONFIG, at the variable's name in the
   * service definition (or its EnvironmentFile). Findings about the layer or a key it sets point here.
   */
  readonly origin?: SourceLocation;
}

/** One layer's contribution to a key. */
export interface Setter {
  readonly layer: number;
  readonly file: string;
  readonly location?: SourceLocation;
  readonly value: unknown;
}

export interface EffectiveConfig {
  readonly value: Record<string, unknown>;
  /** Dotted path → every layer that set it (in load order). Ancestors that replaced a subtree count too. */
  readonly setters: ReadonlyMap<string, readonly Setter[]>;
}

export interface Finding {
  /**
   * DS will not start while this finding stands (a layer it cannot parse or read). Every other finding then describes
   * the configuration as it will be once the blocking layers load.
   */
  readonly blocksStartup?: true;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly remediation: string;
  readonly location?: SourceLocation;
  /** Dotted key the finding is about, when there is one. */
  readonly key?: string;
  /** The URL a live finding is about (probe), when there is one. */
  readonly url?: string;
}
