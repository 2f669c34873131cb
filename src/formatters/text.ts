/** Human output of `check`: grouped by severity, with locations, excerpts and what to do. */
import type { Report } from '../core/report.js';
import { countBySeverity, sortFindings } from '../core/report.js';
import { SEVERITIES, severityRank, type Severity } from '../core/types.js';
import type { Style } from './style.js';
import { probeSection } from './probe-text.js';

export interface TextOptions {
  readonly style: Style;
}

function sevStyle(style: Style, s: Severity): (t: string) => string {
  switch (s) {
    case 'critical':
      return (t) => style.bold(style.red(t));
    case 'high':
      return style.red;
    case 'medium':
      return style.yellow;
    case 'low':
      return style.cyan;
    default:
      return style.dim;
  }
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

export function formatText(report: Report, opts: TextOptions): string {
  const { style } = opts;
  const out: string[] = [];
  out.push(style.bold(`ds-harden check — ${report.configDir}`) + style.dim(`  (DS ${report.dsVersion.label}; parser: ${report.dsVersion.parser === 'config3' ? 'JSON5 as DS 9.x' : 'strict JSON as DS ≤ 8.3'})`));
  if (report.root !== '/') out.push(style.dim(`root: ${report.root}`));
  const layers = report.layers.map((l) => {
    const name = l.file.startsWith(report.configDir + '/') ? l.file.slice(report.configDir.length + 1) : l.file;
    return l.status === 'loaded' ? name : `${name} [${l.status}]`;
  });
  out.push(style.dim(`layers (in load order): ${layers.join(' → ') || 'none found'}`));
  out.push('');

  const findings = sortFindings(report.findings);
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    const paint = sevStyle(style, sev);
    out.push(paint(`${sev.toUpperCase()} (${group.length})`));
    for (const f of group) {
      out.push(`  ${paint(f.ruleId)}  ${style.bold(f.title)}`);
      if (f.location) out.push(`         ${style.cyan(`${f.location.file}:${f.location.line}:${f.location.column}`)}`);
      else if (f.url) out.push(`         ${style.cyan(f.url)}`);
      out.push(indent(f.message, '         '));
      out.push(`         ${style.green('fix:')} ${f.remediation}`);
      out.push('');
    }
  }
  // findings apply can fix: point at it (dry run first)
  const fixable = new Set<string>(report.rules.filter((r) => r.fixedByApply).map((r) => r.id));
  // …unless a later layer decides the value (apply refuses to write what DS would never see)
  const inReach = (file?: string) => !file || /\/(local|default|production-linux)\.json$/.test(file);
  const canApply = [...new Set(report.findings.filter((f) => fixable.has(f.ruleId) && inReach(f.location?.file) && severityRank(f.severity) >= severityRank('medium')).map((f) => f.ruleId))];
  // a file DS cannot parse comes first: apply refuses to edit it
  if (canApply.length > 0 && !report.findings.some((f) => f.ruleId === 'DSH100')) {
    out.push(
      style.bold('next step: ') +
        `ds-harden apply can fix ${canApply.join(', ')}; preview it with\n` +
        `  sudo ds-harden apply --allow <integrator IP> --generate-secret --header Authorization --dry-run${report.root !== '/' ? ` --root ${report.root}` : ''}\n`,
    );
  }
  if (report.probe) out.push(probeSection(report.probe, style));
  const counts = countBySeverity(report.findings);
  const failed = report.findings.some((f) => severityRank(f.severity) >= severityRank(report.failOn));
  const summary = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  if (report.findings.length === 0) out.push(style.green('No findings.'));
  out.push(
    `${summary} — ` +
      (failed ? style.red(`FAIL (findings at or above --fail-on ${report.failOn})`) : style.green(`pass (--fail-on ${report.failOn})`)),
  );
  return out.join('\n') + '\n';
}
