/**
 * What the machine-readable formatters need besides the Report itself: the catalogue data of every rule
 * that was evaluated (SARIF lists them as the driver's reportingDescriptors, even those without results).
 */
import type { Report } from '../core/report.js';
import type { Rule } from '../core/rules/rule.js';
import { severityRank } from '../core/types.js';

/** A rule's plain data, without its check. */
export type RuleMeta = Pick<Rule, 'id' | 'area' | 'severity' | 'title' | 'why' | 'remediation'>;

/** The report as the JSON and SARIF formatters read it (Report plus the evaluated rules). */
export type ReportWithRules = Report & { readonly rules: readonly RuleMeta[] };

/**
 * Options shared by the machine-readable formatters. `showSecrets` is accepted for symmetry with the
 * other outputs; findings never carry config values, so neither formatter has anything to reveal or hide.
 */
export interface MachineFormatOptions {
  readonly showSecrets: boolean;
}

/** True when any finding is at or above the --fail-on threshold. */
export function reportFailed(report: Pick<Report, 'findings' | 'failOn'>): boolean {
  const bar: number = severityRank(report.failOn);
  return report.findings.some((f) => severityRank(f.severity) >= bar);
}

/** "9.3.0" from a Version. */
export function versionString(v: { readonly major: number; readonly minor: number; readonly patch: number }): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
