/** `ds-harden history`: the applies in the journal, newest first (paths, states, hashes — never contents). */
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { EXIT } from '../cli/exit-codes.js';
import { openRoot, stateDirOf } from './target.js';
import { formatHistoryJson, formatHistoryText, type HistoryResult } from '../formatters/history.js';

export interface HistoryOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly json: boolean;
  readonly noColor: boolean;
}

export async function runHistory(o: HistoryOptions, io: Io): Promise<number> {
  const host = openRoot(o.root, io.cwd);
  const stateLocal = stateDirOf(host, o.stateDir, false);
  let result: HistoryResult = { schemaVersion: 1, entries: [], corrupt: [] };
  if (stateLocal) {
    const { Journal } = await import('../adapters/journal.js');
    const { entries, corrupt } = await new Journal(path.join(stateLocal, 'journal')).scan();
    // the host path recorded by the apply; else the path below this root; else the absolute path, marked
    const hostPath = (p: string, recorded?: string) =>
      recorded ?? (host.root === '/' ? p : p.startsWith(host.root + path.sep) ? '/' + path.relative(host.root, p).split(path.sep).join('/') : `${p} (outside --root)`);
    result = {
      schemaVersion: 1,
      entries: entries.map((e) => ({
        id: e.id,
        createdAt: e.createdAt,
        command: e.command,
        state: e.state,
        ...(e.note ? { note: e.note } : {}),
        restarted: e.restarted ?? [],
        files: e.files.map((f) => ({ path: hostPath(f.path, f.hostPath), existed: f.existed, ...(f.sha256Before ? { sha256Before: f.sha256Before } : {}), ...(f.sha256After ? { sha256After: f.sha256After } : {}) })),
      })),
      corrupt: corrupt.map((c) => ({ id: c.id, error: c.error })),
    };
  }
  if (o.json) io.out(formatHistoryJson(result));
  else io.out(formatHistoryText(result, await io.style(o.noColor)));
  return EXIT.OK;
}
