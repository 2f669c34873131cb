/** The audit report: what `check` computed, before any formatting. Formatters are (Report, opts) => string. */
import type { DsVersionInfo, Finding, Layer, Severity } from './types.js';
import { severityRank } from './types.js';
import type { Rule } from './rules/rule.js';
import type { LiveObservations } from './probe/judge.js';
import type { NextStep } from './next-step.js';

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

export function failed(report: Pick<Report, 'findings' | 'failOn'>): boolean {
  return report.findings.some((f) => severityRank(f.severity) >= severityRank(report.failOn));
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
