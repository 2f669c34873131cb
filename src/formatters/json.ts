/**
 * `check --format json`: the report as stable, versioned JSON (schemas/report.schema.json describes it).
 * Pure: (report, opts) => string. Findings carry no config values by construction, and nothing here adds any.
 */
import { countBySeverity, failed, sortFindings, startupBlockers, unanswered, type DeploymentSummary, type LayerSummary, type ProbeReport, type Report, type VerdictInput } from '../core/report.js';
import type { LiveObservations } from '../core/probe/judge.js';
import type { DsVersionInfo, Finding, Severity, SourceLocation } from '../core/types.js';
import type { MachineFormatOptions } from './rule-meta.js';
import { formatVersion } from '../core/ds/versions.js';

/** Bumped only on a breaking change of the JSON shape (new optional fields do not bump it). */
export const JSON_SCHEMA_VERSION = 1;

export interface JsonLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface JsonFinding {
  /** DS will not start while this finding stands (a layer it cannot parse or read). */
  readonly blocksStartup?: true;
  /** Describes the configuration as it will be once the start-up blockers are fixed (present only when there are any). */
  readonly afterStartupFix?: true;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly remediation: string;
  readonly key?: string;
  readonly location?: JsonLocation;
  /** live findings: the URL they are about */
  readonly url?: string;
}

/** What the live probe saw (schemas/probe.schema.json#/$defs/live; also `probe` in check's report). */
export interface JsonLive {
  readonly target: string;
  readonly fromIntegrator: boolean;
  readonly requests: { readonly sent: number; readonly max: number };
  readonly version?: LiveObservations['version'];
  readonly xff: LiveObservations['xff'];
  readonly observations: LiveObservations['observations'];
}

export interface JsonReport {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly tool: { readonly name: 'ds-harden'; readonly version: string };
  readonly configDir: string;
  readonly root: string;
  readonly dsVersion: {
    readonly label: string;
    /** "major.minor.patch" */
    readonly min: string;
    readonly max: string;
    readonly exact: boolean;
    readonly source: DsVersionInfo['source'];
    readonly parser: DsVersionInfo['parser'];
  };
  readonly summary: Record<Severity, number> & { readonly total: number; readonly failOn: Severity; readonly failed: boolean; readonly unanswered?: number };
  readonly layers: readonly { readonly file: string; readonly kind: LayerSummary['kind']; readonly status: LayerSummary['status']; readonly atStartup: boolean }[];
  /** Whether ds-harden found a reason DS will not start, and which findings say so. */
  readonly startup: { readonly blocked: boolean; readonly blockedBy: readonly { readonly ruleId: string; readonly location?: JsonLocation }[] };
  readonly findings: readonly JsonFinding[];
  readonly probe?: JsonLive;
  /** How DS is deployed (an optional addition within schemaVersion 1). */
  readonly deployment?: DeploymentSummary;
}

function location(l: SourceLocation): JsonLocation {
  return {
    file: l.file,
    line: l.line,
    column: l.column,
    ...(l.endLine !== undefined ? { endLine: l.endLine } : {}),
    ...(l.endColumn !== undefined ? { endColumn: l.endColumn } : {}),
  };
}

function finding(f: Finding, blocked: boolean): JsonFinding {
  // Listed field by field: a Finding that grows a field does not leak it into the output unreviewed.
  return {
    ...(f.blocksStartup ? { blocksStartup: true as const } : blocked ? { afterStartupFix: true as const } : {}),
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    remediation: f.remediation,
    ...(f.key !== undefined ? { key: f.key } : {}),
    ...(f.location ? { location: location(f.location) } : {}),
    ...(f.url !== undefined ? { url: f.url } : {}),
  };
}

/** The live section, field by field (observations hold DS's answers, never what ds-harden sent). */
export function jsonLive(live: LiveObservations): JsonLive {
  return {
    target: live.target,
    fromIntegrator: live.fromIntegrator,
    requests: { sent: live.requests, max: live.maxRequests },
    ...(live.version ? { version: live.version } : {}),
    xff: live.xff,
    observations: live.observations.map((o) => ({ id: o.id, label: o.label, url: o.url, verdict: o.verdict, ...(o.blockedBy ? { blockedBy: o.blockedBy } : {}), detail: o.detail })),
  };
}

function summary(r: VerdictInput): JsonReport['summary'] {
  const counts = countBySeverity(r.findings);
  const none = unanswered(r).length;
  return { ...counts, total: r.findings.length, failOn: r.failOn, failed: failed(r), ...(none ? { unanswered: none } : {}) };
}

/** The JSON document as an object (formatJson serialises exactly this). */
export function buildJsonReport(report: Report): JsonReport {
  const blockers = startupBlockers(report.findings);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    configDir: report.configDir,
    root: report.root,
    dsVersion: {
      label: report.dsVersion.label,
      min: formatVersion(report.dsVersion.min),
      max: formatVersion(report.dsVersion.max),
      exact: report.dsVersion.exact,
      source: report.dsVersion.source,
      parser: report.dsVersion.parser,
    },
    summary: summary(report),
    layers: report.layers.map((l) => ({ file: l.file, kind: l.kind, status: l.status, atStartup: l.atStartup })),
    startup: {
      blocked: blockers.length > 0,
      blockedBy: sortFindings(blockers).map((f) => ({ ruleId: f.ruleId, ...(f.location ? { location: location(f.location) } : {}) })),
    },
    findings: sortFindings(report.findings).map((f) => finding(f, blockers.length > 0)),
    ...(report.probe ? { probe: jsonLive(report.probe) } : {}),
    ...(report.deployment ? { deployment: report.deployment } : {}),
  };
}

/** `ds-harden probe --format json` (schemas/probe.schema.json). */
export function buildProbeJson(report: ProbeReport): Record<string, unknown> {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    ...jsonLive(report.live),
    summary: summary(report),
    findings: sortFindings(report.findings).map((f) => finding(f, false)),
  };
}

export function formatProbeJson(report: ProbeReport): string {
  return JSON.stringify(buildProbeJson(report), null, 2) + '\n';
}

export function formatJson(report: Report, _opts: MachineFormatOptions): string {
  return JSON.stringify(buildJsonReport(report), null, 2) + '\n';
}
