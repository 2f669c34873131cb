/** `ds-harden rollback [ID]`: restore the files of one apply from the journal, restart, verify. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError, UserError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { rootedHost } from '../adapters/host-fs.js';
import { connectServices, makeHealth, type ServiceOptions } from './services.js';

export interface RollbackOptions extends ServiceOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly id?: string;
  readonly force: boolean;
  readonly json: boolean;
}

export async function runRollback(o: RollbackOptions, io: Io): Promise<number> {
  const { Journal } = await import('../adapters/journal.js');
  const { acquireLock, LockBusyError } = await import('../adapters/lock.js');
  const { sha256, removeStaleTemps } = await import('../adapters/atomic-write.js');
  const host = rootedHost(path.resolve(io.cwd, o.root));
  const stateDir = host.local(o.stateDir);
  const journal = new Journal(path.join(stateDir, 'journal'));
  const say = (s: string) => (o.json ? io.err(s) : io.out(s));
  let lock;
  try {
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
    lock = await acquireLock(path.join(stateDir, 'apply.lock'), { command: 'rollback' });
  } catch (e) {
    if (e instanceof LockBusyError) throw new UserError(e.message, EXIT.REFUSED);
    throw e;
  }
  try {
    const entries = await journal.list();
    const entry = o.id ? entries.find((e) => e.id === o.id) : entries.find((e) => e.state !== 'rolled-back');
    if (!entry) throw new UsageError(o.id ? `no journal entry ${o.id} (see ds-harden history)` : 'nothing to roll back (see ds-harden history)');
    if (entry.state === 'rolled-back') {
      say(`${entry.id} is already rolled back.\n`);
      return EXIT.OK;
    }
    // refuse to overwrite edits made after the apply
    for (const f of entry.files) {
      const cur = await fs.readFile(f.realPath).then((b) => sha256(b), () => undefined);
      const known = [f.sha256After, f.sha256Before].filter(Boolean);
      if (cur !== undefined && !known.includes(cur) && !o.force) {
        throw new UserError(`${f.path} changed after apply ${entry.id}; restoring would discard those edits. Re-run with --force to restore anyway.`, EXIT.REFUSED);
      }
    }
    const services = await connectServices(o, io, say);
    const health = makeHealth(o);
    const running = entry.restarted ?? (services ? await services.running() : []);
    const { rollBack } = await import('../apply/transaction.js');
    const outcome = await rollBack(entry, { reason: `rollback requested (${entry.id})`, failed: [], logs: [] }, true, running, {
      journal,
      ...(services ? { services } : {}),
      ...(health && running.length ? { health } : {}),
      settleMs: o.settleMs ?? (services?.kind === 'systemd' ? 35_000 : 3_000),
      restartAll: false,
      progress: (l) => say(`${l}\n`),
    });
    const ok = outcome.kind === 'rolled-back';
    // an apply killed between writing its temp file and the rename leaves `.local.json.ds-harden-*.tmp` (with the
    // new secret) next to the file; we hold the lock, so no write is in flight
    for (const f of entry.files) {
      const gone = await removeStaleTemps(f.path).catch(() => []);
      for (const t of gone) say(`removed ${t}, left over by the interrupted apply\n`);
    }
    if (o.json) io.out(JSON.stringify({ schemaVersion: 1, command: 'rollback', id: entry.id, outcome: outcome.kind, ...(outcome.kind === 'rollback-failed' ? { error: outcome.rollbackError } : {}) }, null, 2) + '\n');
    else say(ok ? `restored ${entry.files.map((f) => f.path).join(', ')} from ${entry.id}${running.length ? '; services are healthy' : ''}.\n` : `ROLLBACK FAILED: ${outcome.kind === 'rollback-failed' ? outcome.rollbackError : ''}\n`);
    return ok ? EXIT.OK : EXIT.ROLLBACK_FAILED;
  } finally {
    await lock.release();
  }
}
