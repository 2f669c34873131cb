/** `ds-harden history`: the applies in the journal, newest first (paths, states, hashes — never contents). */
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { EXIT } from '../cli/exit-codes.js';
import { rootedHost } from '../adapters/host-fs.js';

export interface HistoryOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly json: boolean;
}

export async function runHistory(o: HistoryOptions, io: Io): Promise<number> {
  const { Journal } = await import('../adapters/journal.js');
  const host = rootedHost(path.resolve(io.cwd, o.root));
  const journal = new Journal(path.join(host.local(o.stateDir), 'journal'));
  const { entries, corrupt } = await journal.scan().catch(() => ({ entries: [], corrupt: [] }));
  if (o.json) {
    io.out(
      JSON.stringify(
        {
          schemaVersion: 1,
          entries: entries.map((e) => ({ id: e.id, createdAt: e.createdAt, command: e.command, state: e.state, note: e.note, restarted: e.restarted ?? [], files: e.files.map((f) => ({ path: f.path, existed: f.existed, sha256Before: f.sha256Before, sha256After: f.sha256After })) })),
          corrupt,
        },
        null,
        2,
      ) + '\n',
    );
    return EXIT.OK;
  }
  if (entries.length === 0 && corrupt.length === 0) {
    io.out('no applies recorded yet.\n');
    return EXIT.OK;
  }
  for (const e of entries) {
    const files = e.files.map((f) => path.relative(host.root, f.path) || f.path).map((p) => '/' + p.replace(/^\/+/, ''));
    io.out(`${e.id}  ${e.state.padEnd(15)} ${e.command}  ${files.join(', ')}${e.note ? `  — ${e.note}` : ''}\n`);
  }
  for (const c of corrupt) io.out(`${c.id}  CORRUPT  ${c.error}\n`);
  return EXIT.OK;
}
