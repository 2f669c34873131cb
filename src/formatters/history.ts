/** Formatters for `history` and `rollback` results: pure functions from the result to text or JSON. */
import type { Style } from './style.js';

export interface HistoryEntrySummary {
  readonly id: string;
  readonly createdAt: string;
  readonly command: string;
  readonly state: string;
  readonly note?: string;
  readonly restarted: readonly string[];
  /** Host paths (never the root-prefixed local path), whether each existed, and the content hashes. */
  readonly files: readonly { path: string; existed: boolean; sha256Before?: string; sha256After?: string }[];
}

export interface HistoryResult {
  readonly schemaVersion: 1;
  readonly entries: readonly HistoryEntrySummary[];
  readonly corrupt: readonly { id: string; error: string }[];
}

export function formatHistoryText(r: HistoryResult, style: Style): string {
  if (r.entries.length === 0 && r.corrupt.length === 0) return 'no applies recorded yet.\n';
  let out = '';
  for (const e of r.entries) {
    const state = e.state === 'committed' ? style.green(e.state.padEnd(15)) : e.state === 'rolled-back' ? style.yellow(e.state.padEnd(15)) : style.red(e.state.padEnd(15));
    out += `${e.id}  ${state} ${e.command}  ${e.files.map((f) => f.path).join(', ')}${e.note ? style.dim(`  — ${e.note}`) : ''}\n`;
  }
  for (const c of r.corrupt) out += `${c.id}  ${style.red('CORRUPT')}  ${c.error}\n`;
  return out;
}

export function formatHistoryJson(r: HistoryResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export interface RollbackResult {
  readonly schemaVersion: 1;
  readonly command: 'rollback';
  readonly id: string;
  /** rolled-back: restored and (when services run) healthy; already: nothing to do; rollback-failed: act now. */
  readonly outcome: 'rolled-back' | 'already' | 'rollback-failed';
  readonly exitCode: number;
  readonly files: readonly string[];
  readonly restarted: readonly string[];
  readonly notes: readonly string[];
  readonly error?: string;
  readonly logs?: readonly { name: string; stream?: string; tail: string }[];
}

export function formatRollbackText(r: RollbackResult, style: Style): string {
  let out = r.notes.map((n) => style.yellow(`note: ${n}\n`)).join('');
  if (r.outcome === 'already') return out + `${r.id} is already rolled back.\n`;
  if (r.outcome === 'rolled-back') return out + style.green(`restored ${r.files.join(', ')} from ${r.id}${r.restarted.length ? `; ${r.restarted.join(', ')} restarted and healthy` : ''}.\n`);
  out += style.red(`ROLLBACK FAILED: ${r.error ?? ''}\n`);
  for (const l of r.logs ?? []) out += `--- what ${l.name} wrote to ${l.stream === 'stdout' ? 'out.log (stdout)' : l.stream === 'stderr' ? 'err.log (stderr)' : 'its journal'} after the restart ---\n${l.tail}\n`;
  return out;
}

export function formatRollbackJson(r: RollbackResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
