/** Human output of the live probe: what was asked, what DS answered, what it means. Pure. */
import type { LiveObservations, Observation } from '../core/probe/judge.js';
import { countBySeverity, sortFindings, unanswered, verdict, type ProbeReport, type VerdictInput } from '../core/report.js';
import { SEVERITIES } from '../core/types.js';
import type { Style } from './style.js';

const MEANING: Record<Observation['verdict'], string> = {
  accepted: 'DS carried it out',
  refused: 'DS refused the token',
  expired: 'DS refused the expired token',
  blocked: 'refused before DS',
  public: 'answered',
  absent: 'not found',
  other: 'unexpected answer',
  'no-answer': 'no answer',
};

/**
 * Whether a verdict is what a locked-down server answers this request (for the ok/!! column); undefined when the row
 * judges nothing. A request without an answer is never "ok": it proves nothing (its row says "no answer (why)").
 */
function expected(o: Observation, fromIntegrator: boolean): boolean | undefined {
  if (o.verdict === 'no-answer') return undefined;
  const accepted = o.verdict === 'accepted';
  switch (o.id) {
    case 'cmd-configured':
    case 'convert-configured':
      return fromIntegrator ? accepted : o.verdict !== 'refused';
    case 'cmd-unsigned':
    case 'cmd-wrong':
    case 'cmd-default':
    case 'cmd-none':
    case 'convert-unsigned':
      return !accepted;
    case 'cmd-expired':
      return o.verdict !== 'accepted';
    case 'healthcheck':
    case 'info':
      return fromIntegrator ? o.verdict === 'public' : o.verdict !== 'public';
    case 'welcome':
    case 'example':
      return fromIntegrator ? undefined : o.verdict !== 'public';
    default:
      return undefined;
  }
}

/** The table of requests and answers, and the X-Forwarded-For verdict. */
export function probeSection(live: LiveObservations, style: Style): string {
  const out = [
    style.bold(`live probe of ${live.target}`) +
      style.dim(` (${live.fromIntegrator ? 'from the integrator\'s host' : 'as an outsider'}; ${live.requests} of at most ${live.maxRequests} requests${live.version ? `; running version ${live.version.text}${live.version.build ? ` build ${live.version.build}` : ''}` : ''})`),
  ];
  for (const o of live.observations) {
    const clipped = o.detail.length > 70 ? `${o.detail.slice(0, 70)}…` : o.detail;
    if (o.verdict === 'no-answer') {
      out.push(`  ${style.yellow('??')} ${o.label.padEnd(62)} ${style.yellow(`${MEANING[o.verdict]} (${clipped})`)}`);
      continue;
    }
    const ok = expected(o, live.fromIntegrator);
    const mark = ok === undefined ? '  ' : ok ? style.green('ok') : style.red('!!');
    const by = o.blockedBy ? ` by ${o.blockedBy === 'ipfilter' ? "DS's ipfilter" : 'the proxy'}` : '';
    out.push(`  ${mark} ${o.label.padEnd(62)} ${MEANING[o.verdict]}${by}  ${style.dim(clipped)}`);
  }
  const x = live.xff;
  const xff =
    x.spoofable === true
      ? style.red('X-Forwarded-For: a forged header changed the verdict — ipfilter can be passed by any client')
      : x.spoofable === false
        ? style.green('X-Forwarded-For: a forged header changed nothing')
        : style.dim(`X-Forwarded-For: not tested (the healthcheck was ${x.baseline === 'other' ? 'neither answered nor refused' : x.baseline})`);
  out.push(`  ${xff}`, '');
  return out.join('\n');
}

/** `ds-harden probe` as text: the table, the findings by severity, the verdict line. */
export function formatProbeText(report: ProbeReport, opts: { style: Style }): string {
  const { style } = opts;
  const out = [probeSection(report.live, style)];
  for (const sev of SEVERITIES) {
    const group = sortFindings(report.findings).filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(style.bold(`${sev.toUpperCase()} (${group.length})`));
    for (const f of group) out.push(`  ${f.ruleId}  ${style.bold(f.title)}`, `         ${f.message}`, `         ${style.green('fix:')} ${f.remediation}`, '');
  }
  const counts = countBySeverity(report.findings);
  const summary = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  out.push(`${summary} — ${verdictText(report, style)}`);
  return out.join('\n') + '\n';
}

/** The verdict at the end of a check or probe report: FAIL, INCOMPLETE (probe requests without an answer) or pass. */
export function verdictText(report: VerdictInput, style: Style): string {
  const v = verdict(report);
  const n = unanswered(report).length;
  const requests = `${n} probe request${n === 1 ? '' : 's'} got no answer`;
  if (v === 'fail') return style.red(`FAIL (findings at or above --fail-on ${report.failOn}${n ? `; ${requests}` : ''})`);
  if (v === 'incomplete') return style.yellow(`INCOMPLETE (${requests}: what ${n === 1 ? 'it checks' : 'they check'} is not proven, so this is not a pass)`);
  return style.green(`pass (--fail-on ${report.failOn})`);
}
