/** The audit report: what `check` computed, before any formatting. Formatters are (Report, opts) => string. */
import type { DsVersionInfo, Finding, Layer, Severity } from './types.js';
import { severityRank } from './types.js';
import type { Rule } from './rules/rule.js';
import type { LiveObservations, Observation } from './probe/judge.js';
import type { NextStep } from './next-step.js';
import type { Deployment, EnvOrigin } from './deploy/types.js';
import { ENTRYPOINT_VARS } from './deploy/entrypoint.js';
import { mask } from './redact.js';

export type RuleMeta = Pick<Rule, 'id' | 'area' | 'severity' | 'title' | 'why' | 'remediation' | 'fixedByApply'>;

export interface LayerSummary {
  readonly file: string;
  readonly kind: Layer['kind'];
  readonly status: Layer['status'];
  readonly atStartup: boolean;
}

export interface Report {
  readonly tool: { readonly name: 'ds-harden'; readonly version: string };
  readonly configDir: string;
  readonly root: string;
  readonly dsVersion: DsVersionInfo;
  readonly layers: readonly LayerSummary[];
  readonly findings: readonly Finding[];
  readonly failOn: Severity;
  /** Every rule that was evaluated (SARIF lists them as the driver's rules). */
  readonly rules: readonly RuleMeta[];
  /** `check --url`: what the live probe of the running server saw (its findings are in `findings`). */
  readonly probe?: LiveObservations;
  /** The `ds-harden apply … --dry-run` command that previews the fixes apply can make (next-step.ts), if any. */
  readonly nextStep?: NextStep;
  /** How DS is deployed (deploy/detect.ts), for the top of the report. */
  readonly deployment?: DeploymentSummary;
}

/** One variable of a container's environment that the entrypoint reads, and where it is set (values of secrets masked). */
export interface EnvSummary {
  readonly name: string;
  /** The value (a secret masked unless --show-secrets); absent when declared without a value. */
  readonly value?: string;
  readonly origin: EnvOrigin;
  /** The ${VARIABLES} its value was interpolated from, and where they are set (compose: the project's .env). */
  readonly via?: readonly { readonly name: string; readonly file?: string; readonly line?: number; readonly unset?: true }[];
}

/** The deployment as reports show it. */
export interface DeploymentSummary {
  readonly kind: Deployment['kind'];
  readonly mechanism: Deployment['mechanism'];
  readonly label: string;
  readonly configDir: { readonly path: string; readonly from: string };
  readonly serviceUser: { readonly name: string; readonly from: string };
  readonly package?: 'deb' | 'rpm';
  readonly managedBy?: { readonly tool: string; readonly evidence: string; readonly file: string };
  readonly app?: string;
  readonly image?: string;
  /** The environment variables the image's entrypoint reads, as the container gets them. */
  readonly environment?: readonly EnvSummary[];
  readonly notes: readonly string[];
}

/** The report's view of a deployment; secrets in the environment are masked unless `showSecrets`. */
export function summarizeDeployment(d: Deployment, showSecrets: boolean): DeploymentSummary {
  const c = d.container;
  const env = c?.envVisible === false ? undefined : c?.env
    .filter((v) => Object.hasOwn(ENTRYPOINT_VARS, v.name))
    .map((v) => ({
      name: v.name,
      ...(v.value !== undefined ? { value: !showSecrets && /SECRET/.test(v.name) && v.value !== '' ? mask(v.value) : v.value } : {}),
      origin: v.origin,
      ...(v.interpolated?.length
        ? { via: v.interpolated.map((u) => ({ name: u.name, ...(u.origin ? { file: u.origin.file, line: u.origin.line } : {}), ...(u.unset ? { unset: true as const } : {}) })) }
        : {}),
    }));
  return {
    kind: d.kind,
    mechanism: d.mechanism,
    label: d.label,
    configDir: { path: d.configDir.value, from: d.configDir.from },
    serviceUser: { name: d.serviceUser.value, from: d.serviceUser.from },
    ...(d.package ? { package: d.package } : {}),
    ...(d.managedBy ? { managedBy: { ...d.managedBy } } : {}),
    ...(d.app ? { app: d.app } : {}),
    ...(c?.image ? { image: c.image } : {}),
    ...(env ? { environment: env } : {}),
    notes: [...(c?.notes ?? [])],
  };
}

/** Findings that keep DS from starting (a layer it cannot parse or read); the others assume these are fixed. */
export function startupBlockers(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.blocksStartup);
}

/** `ds-harden probe`: a live probe without a configuration audit. */
export interface ProbeReport {
  readonly tool: { readonly name: 'ds-harden'; readonly version: string };
  /** the base URL probed */
  readonly target: string;
  readonly live: LiveObservations;
  readonly findings: readonly Finding[];
  readonly failOn: Severity;
  readonly rules: readonly RuleMeta[];
}

/** What the exit code and the last line of a report follow from: the findings, --fail-on and the live probe if any. */
export interface VerdictInput {
  readonly findings: readonly Finding[];
  readonly failOn: Severity;
  /** check --url */
  readonly probe?: LiveObservations;
  /** ds-harden probe */
  readonly live?: LiveObservations;
}

/**
 * Requests of the live probe that got no answer (connection refused, timeout, TLS error, not sent). What they check is
 * unproven either way, so they are never counted as passed.
 */
export function unanswered(report: Pick<VerdictInput, 'probe' | 'live'>): Observation[] {
  return (report.live ?? report.probe)?.observations.filter((o) => o.verdict === 'no-answer') ?? [];
}

/**
 * - fail: a finding at or above --fail-on;
 * - incomplete: none, but some request of the live probe got no answer — not a pass (exit 1 like fail);
 * - pass: otherwise.
 * (A probe that got no answer at all never reaches a report: that is exit 2, commands/probe.ts.)
 */
export function verdict(report: VerdictInput): 'pass' | 'fail' | 'incomplete' {
  if (report.findings.some((f) => severityRank(f.severity) >= severityRank(report.failOn))) return 'fail';
  return unanswered(report).length > 0 ? 'incomplete' : 'pass';
}

/** The report does not pass (exit 1): findings at or above --fail-on, or probe requests without an answer. */
export function failed(report: VerdictInput): boolean {
  return verdict(report) !== 'pass';
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

/** Code-unit order (localeCompare would load ICU collation data: ~10 ms at start-up). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted start-up blockers first, then most severe first, then by file and line, so output is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(Boolean(b.blocksStartup)) - Number(Boolean(a.blocksStartup)) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      byText(a.location?.file ?? '', b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      byText(a.ruleId, b.ruleId),
  );
}
