/** Human output of `check`: grouped by severity, with locations, excerpts and what to do. */
import type { Report } from '../core/report.js';
import { countBySeverity, sortFindings, startupBlockers } from '../core/report.js';
import { SEVERITIES, severityRank, type Finding, type Severity } from '../core/types.js';
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
  const d = report.deployment;
  if (d) {
    out.push(`${style.bold('deployment:')} ${d.label}`);
    const from = (f: string) => (f === 'default' ? 'the .deb default' : f);
    out.push(style.dim(`  configuration directory ${d.configDir.path} — ${from(d.configDir.from)}`));
    out.push(style.dim(`  DS runs as ${d.serviceUser.name} — ${from(d.serviceUser.from)}`));
    if (d.environment) {
      out.push(style.dim(`  environment the entrypoint reads:${d.environment.length ? '' : ' none set (the image\'s defaults apply)'}`));
      for (const v of d.environment) {
        const via = (v.via ?? []).map((u) => ` via \${${u.name}}${u.file ? ` (${u.file}:${u.line})` : u.unset ? ' (not set)' : ''}`).join('');
        const how = /^(Config\.Env|entry )/.test(v.origin.how) ? ` (${v.origin.how})` : '';
        out.push(style.dim(`    ${v.name}${v.value !== undefined ? `=${JSON.stringify(v.value)}` : ' (no value)'}  ${v.origin.file}:${v.origin.line}${how}${via}`));
      }
    }
    for (const n of d.notes) out.push(style.dim(`  note: ${n}`));
  }
  if (report.root !== '/') out.push(style.dim(`root: ${report.root}`));
  const layers = report.layers.map((l) => {
    const name = l.file.startsWith(report.configDir + '/') ? l.file.slice(report.configDir.length + 1) : l.file;
    return l.status === 'loaded' ? name : `${name} [${l.status}]`;
  });
  out.push(style.dim(`layers (in load order): ${layers.join(' → ') || 'none found'}`));
  out.push('');

  const printFinding = (f: Finding, paint: (t: string) => string) => {
    out.push(`  ${paint(f.ruleId)}  ${style.bold(f.title)}`);
    if (f.location) out.push(`         ${style.cyan(`${f.location.file}:${f.location.line}:${f.location.column}`)}`);
    else if (f.url) out.push(`         ${style.cyan(f.url)}`);
    out.push(indent(f.message, '         '));
    out.push(`         ${style.green('fix:')} ${f.remediation}`);
    out.push('');
  };

  // A layer DS cannot parse or read stops it at start-up: say so first; everything else is about the config once it loads.
  const blockers = startupBlockers(report.findings);
  const blockedFiles = [...new Set(blockers.map((f) => f.location?.file ?? report.configDir))];
  if (blockers.length > 0) {
    const paint = sevStyle(style, 'critical');
    out.push(paint(`DS WILL NOT START (${blockers.length})`));
    out.push(
      `  DocService and FileConverter exit at start-up while ${blockedFiles.join(' and ')} ${blockedFiles.length === 1 ? 'does' : 'do'} not load ` +
        '(supervisor: "ERROR (spawn error)", then FATAL; systemd: a restart every 30 s).',
    );
    out.push('');
    for (const f of sortFindings(blockers)) printFinding(f, paint);
    out.push(style.bold(`The findings below describe the configuration as it will be once ${blockedFiles.join(' and ')} ${blockedFiles.length === 1 ? 'loads' : 'load'}:`));
    out.push('');
  }

  const findings = sortFindings(report.findings.filter((f) => !f.blocksStartup));
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    const paint = sevStyle(style, sev);
    out.push(paint(`${sev.toUpperCase()} (${group.length})`));
    for (const f of group) printFinding(f, paint);
  }
  // findings apply can fix: point at it (dry run first); the command is built by core/next-step.ts
  const next = report.nextStep;
  if (next?.blockedBy?.length) {
    const files = [...new Set(next.blockedBy.map((b) => b.file))];
    out.push(
      style.bold('next step: ') +
        `ds-harden apply could fix ${next.fixes.join(', ')}, but ${files.join(' and ')} ${files.length === 1 ? 'loads' : 'load'} after local.json and ` +
        `${files.length === 1 ? 'decides' : 'decide'} ${next.blockedBy.map((b) => b.key.replace(/^services\.CoAuthoring\./, '')).join(', ')} (DSH110): ` +
        `apply would refuse. Remove those keys there first (or make the change there), then run check again.\n`,
    );
  } else if (next) {
    out.push(
      style.bold('next step: ') +
        `ds-harden apply can fix ${next.fixes.join(', ')}; preview it with\n` +
        `  ${next.command}\n` +
        (next.complete ? '' : `  (replace <integrator IP> with the address of your integrator, e.g. Nextcloud's)\n`),
    );
  }
  if (report.probe) out.push(probeSection(report.probe, style));
  const counts = countBySeverity(report.findings);
  const failed = report.findings.some((f) => severityRank(f.severity) >= severityRank(report.failOn));
  const summary = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  if (report.findings.length === 0) out.push(style.green('No findings.'));
  out.push(
    `${summary} — ` +
      (failed ? style.red(`FAIL (findings at or above --fail-on ${report.failOn})`) : style.green(`pass (--fail-on ${report.failOn})`)) +
      (blockers.length > 0 ? style.red(`; DS will not start until ${blockedFiles.join(' and ')} ${blockedFiles.length === 1 ? 'loads' : 'load'}`) : ''),
  );
  return out.join('\n') + '\n';
}
