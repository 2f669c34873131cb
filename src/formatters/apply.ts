/**
 * Formatters for apply's result (also rotate-secret's and the wizard's): pure functions from an ApplyResult to text.
 * The plan part is printed before the services are restarted, the outcome part after; --json prints the whole
 * result (schemas/apply-result.schema.json). The result holds no secret, so neither does anything printed here.
 */
import type { ApplyResult } from '../apply/result.js';
import type { IntegratorSummary } from '../apply/integrator-report.js';
import { INTEGRATOR_PRODUCT, STEP_TEXT, type CheckReport } from '../core/integrator/nextcloud.js';
import type { SimulationRow } from '../core/plan/simulation.js';
import { REACH_LABEL } from '../core/ds/reach.js';
import type { Style } from './style.js';

function shown(v: unknown): string {
  const s = typeof v === 'string' && v.startsWith('••••••') ? v : JSON.stringify(v);
  return s === undefined ? '(unset)' : s.length > 90 ? s.slice(0, 87) + '...' : s;
}

function loc(l: { file: string; line: number; column: number } | undefined): string {
  return l ? `${l.file}:${l.line}:${l.column}: ` : '';
}

function simulationText(rows: readonly SimulationRow[], style: Style): string {
  if (rows.length === 0) return '';
  const lines = [style.bold('ipfilter simulation (first match wins; no match = allowed):')];
  for (const r of rows) {
    const verdict =
      r.decision === 'allowed' ? style.green('allowed') : r.decision === 'denied' ? style.red('denied ') : r.decision === 'error' ? style.yellow('error  ') : style.yellow(REACH_LABEL[r.decision]);
    const why = r.decision === 'not-filtered' ? 'useforrequest is off: ipfilter does not look at incoming requests, JWT does' : r.rule ? `rule ${r.rule}` : 'no rule matches';
    lines.push(`  ${verdict}  ${r.target.padEnd(28)} ${style.dim(`${r.label}; ${why}`)}`);
  }
  return lines.join('\n') + '\n';
}

function productOf(kind: IntegratorSummary['kind']): string {
  return INTEGRATOR_PRODUCT[kind];
}

function checkLine(label: string, r: CheckReport, style: Style): string {
  return r.ok ? `  ${label}: ${style.green('passed')} (${r.message})\n` : `  ${label}: ${style.red('failed')} at "${STEP_TEXT[r.failedStep ?? 'result']}": ${r.message}\n`;
}

/** The integrator part of the plan: what changes there, or what to do by hand. */
function integratorPlan(i: IntegratorSummary, style: Style): string {
  const p = productOf(i.kind);
  let out = '';
  if (i.occ !== undefined) {
    if (!i.needsChange) out += `${p} (occ): jwt_secret and jwt_header already match DS.\n`;
    else {
      const header = i.headerBefore === i.headerAfter ? `jwt_header stays ${i.headerAfter}` : `jwt_header ${i.headerBefore} → ${i.headerAfter}`;
      out += `${p} (occ ${i.occ}): ${i.secretMatchedBefore ? 'jwt_secret already matches DS' : 'jwt_secret is set to DS\'s secret'}; ${header}\n`;
    }
    if (i.secretSourceBefore === 'system') out += style.yellow(`note: the app read its secret from config.php; ds-harden sets the app config, which the app reads first.\n`);
    if (i.preCheck) out += checkLine('the app\'s check before the change', i.preCheck, style);
  }
  for (const n of i.notes ?? []) out += style.yellow(`note: ${n}\n`);
  if (i.instructions?.length) out += style.bold(`${p}: do this too, or the pair breaks:\n`) + i.instructions.map((l) => `  ${l}`).join('\n') + '\n';
  return out;
}

/** The integrator part of the outcome: the check after the change, and whether it was undone. */
function integratorOutcome(i: IntegratorSummary, style: Style): string {
  const p = productOf(i.kind);
  let out = '';
  if (i.report) out += checkLine(`${p}: the app's check after the change`, i.report, style);
  if (i.verdict?.kind === 'failed-before-too') out += style.yellow(`${p}: ${i.verdict.why}. The change authenticated correctly and is kept.\n`);
  if (i.restored) out += style.yellow(`${p}: the app's previous jwt_secret and jwt_header are restored too.\n`);
  if (i.recheck) out += checkLine(`${p}: the app's check after the rollback`, i.recheck, style);
  if (i.undoError) out += style.red(`${p}: restoring the app's previous values FAILED: ${i.undoError}\n`);
  return out;
}

/** The header line: command, target file and DS version. */
export function formatApplyHeader(r: ApplyResult, style: Style): string {
  const head = r.target ? `ds-harden ${r.command} — ${r.target}` + style.dim(`  (DS ${r.dsVersion})`) : `ds-harden ${r.command}`;
  return style.bold(head) + '\n' + (r.secretSource ? `secret: ${r.secretSource}\n` : '');
}

/** What will change and why (printed before anything is restarted; the whole body of a dry run). */
export function formatApplyPlan(r: ApplyResult, style: Style): string {
  let out = '';
  if (r.deployment) out += style.dim(`deployment: ${r.deployment.label}\n`);
  if (r.outcome === 'refused') {
    out += style.red('refused — nothing was changed:\n') + r.refusals.map((x) => `  - ${loc(x.location)}${x.message}`).join('\n') + '\n';
    if (r.modeChange) out += style.bold('make this change instead:\n') + r.modeChange.text.split('\n').map((l) => `  ${l}`).join('\n') + '\n';
    // the integrator's part of a printed change
    if (r.modeChange && r.integrator) out += integratorPlan(r.integrator, style);
    for (const n of r.notes) out += style.yellow(`note: ${n}\n`);
    return out;
  }
  if (r.outcome === 'no-change') {
    for (const n of r.notes) out += style.yellow(`note: ${n}\n`);
    if (r.integrator) out += integratorPlan(r.integrator, style);
    return out + style.green('nothing to change: the configuration already matches.\n');
  }
  if (r.changes.length) {
    out += `changes to ${r.files?.length ? r.files.join(', ') : r.target}:\n`;
    for (const c of r.changes) out += `  ${c.key}: ${shown(c.from)} → ${shown(c.to)}\n`;
  } else out += `${r.target} stays as it is.\n`;
  if (r.integrator) out += integratorPlan(r.integrator, style);
  for (const n of r.notes) out += style.yellow(`note: ${n}\n`);
  out += simulationText(r.simulation, style);
  if (r.resolved.length) out += `resolves: ${[...new Set(r.resolved.map((f) => f.ruleId))].join(', ')}\n`;
  for (const f of r.introduced) out += style.yellow(`introduces ${f.ruleId} (${f.severity}): ${f.message.split('\n')[0]}\n`);
  if (r.outcome === 'dry-run' && r.dryRun) {
    out += r.diff ?? '';
    out += style.dim('dry run: nothing was written.\n');
  }
  return out;
}

/** The end of a run that wrote (or tried to write): done, rolled back, or the rollback failed too. */
export function formatApplyOutcome(r: ApplyResult, style: Style): string {
  if (r.outcome === 'refused') return style.red('refused — nothing was changed:\n') + r.refusals.map((x) => `  - ${loc(x.location)}${x.message}`).join('\n') + '\n';
  const logs = (r.failure?.logs ?? []).map((l) => `--- what ${l.name} wrote to ${l.stream === 'stdout' ? 'out.log (stdout)' : l.stream === 'stderr' ? 'err.log (stderr)' : 'its journal'} after the restart ---\n${l.tail}`).join('\n');
  const ig = r.integrator ? integratorOutcome(r.integrator, style) : '';
  const follow = (r.followUp ?? []).map((n) => style.yellow(`note: ${n}\n`)).join('');
  if (r.outcome === 'changed') {
    let out = ig + follow;
    const what = r.files?.length ? r.files.join(', ') : r.target;
    out += style.green(`done: ${r.changes.length ? `${what} updated` : `${what} unchanged`}${r.restarted?.length ? `, ${r.restarted.join(', ')} restarted and healthy` : ''}${r.integrator?.report ? `; ${productOf(r.integrator.kind)} uses the same secret and header` : ''}.\n`);
    if (r.journalId && r.hints.rollback) out += style.dim(`journal ${r.journalId} — undo with: ${r.hints.rollback}\n`);
    if (r.hints.integrator) out += `${r.hints.integrator}\n`;
    return out;
  }
  if (r.outcome === 'rolled-back') {
    let out = ig + follow + style.red(`failed: ${r.failure?.reason ?? 'unknown'}\n`);
    if (logs) out += logs + '\n';
    out += style.yellow(`rolled back: the original file is restored${r.restarted?.length ? ` and ${r.restarted.join(', ')} are running again` : ''} (journal ${r.journalId}).\n`);
    return out;
  }
  if (r.outcome === 'rollback-failed') {
    let out = ig + style.red(`failed: ${r.failure?.reason ?? 'unknown'}\n`);
    if (logs) out += logs + '\n';
    out += style.red(`ROLLBACK FAILED: ${r.rollbackError}\nThe backup is in the journal: ${r.hints.rollback ?? `ds-harden rollback ${r.journalId}`}\n`);
    return out;
  }
  return '';
}

/** The whole result as a person reads it (a run that stopped before the transaction, or a dry run). */
export function formatApplyText(r: ApplyResult, style: Style): string {
  return formatApplyHeader(r, style) + formatApplyPlan(r, style);
}

/** --json: the result as one JSON document (schemas/apply-result.schema.json). */
export function formatApplyJson(r: ApplyResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
