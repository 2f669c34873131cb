/** `ds-harden rollback [ID]`: restore the files of one apply from the journal, restart, verify. */
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError, UserError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { openRoot, stateDirOf } from './target.js';
import { readBoundedFileSync } from '../adapters/bounded-read.js';
import { connectServices, makeHealth, type ServiceOptions } from './services.js';
import { DEFAULT_SETTLE_MS } from '../apply/defaults.js';
import { findAccount, canRead } from '../core/ds/accounts.js';
import { formatRollbackJson, formatRollbackText, type RollbackResult } from '../formatters/history.js';

export interface RollbackOptions extends ServiceOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly id?: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly noColor: boolean;
}

/** `local` as a host path below `root` ("/" → itself), or undefined when it is not below the root. */
function hostPathInside(root: string, local: string): string | undefined {
  if (root === '/') return local;
  const abs = path.resolve(local);
  return abs.startsWith(root + path.sep) ? '/' + path.relative(root, abs).split(path.sep).join('/') : undefined;
}

export async function runRollback(o: RollbackOptions, io: Io): Promise<number> {
  const host = openRoot(o.root, io.cwd);
  const stateLocal = stateDirOf(host, o.stateDir, false);
  if (!stateLocal) throw new UsageError(`nothing to roll back: no journal in ${o.stateDir}${host.root === '/' ? '' : ` under ${host.root}`} (see ds-harden history)`);
  const { Journal } = await import('../adapters/journal.js');
  const { acquireLock, LockBusyError, LockCorruptError } = await import('../adapters/lock.js');
  const { sha256, removeStaleTemps } = await import('../adapters/atomic-write.js');
  const journal = new Journal(path.join(stateLocal, 'journal'), { root: host.root });
  const style = await io.style(o.noColor || o.json);
  const say = (s: string) => (o.json ? io.err(s) : io.out(s));
  let lock;
  try {
    lock = await acquireLock(path.join(stateLocal, 'apply.lock'), { command: 'rollback' });
  } catch (e) {
    if (e instanceof LockBusyError || e instanceof LockCorruptError) throw new UserError(e.message, EXIT.REFUSED);
    throw e;
  }
  try {
    const entries = await journal.list();
    const entry = o.id ? entries.find((e) => e.id === o.id) : entries.find((e) => e.state !== 'rolled-back');
    if (!entry) throw new UsageError(o.id ? `no journal entry ${o.id} (see ds-harden history)` : 'nothing to roll back (see ds-harden history)');
    const finish = (r: Omit<RollbackResult, 'schemaVersion' | 'command' | 'id'>) => {
      const result: RollbackResult = { schemaVersion: 1, command: 'rollback', id: entry.id, ...r };
      if (o.json) io.out(formatRollbackJson(result));
      else say(formatRollbackText(result, style));
      return result.exitCode;
    };
    if (entry.state === 'rolled-back') return finish({ outcome: 'already', exitCode: EXIT.OK, files: [], restarted: [], notes: [] });
    // every file is resolved inside --root from its host path — never from the absolute path in the manifest, which
    // names the file where the apply ran (the tree may have been copied since, or the manifest written by anyone)
    for (const f of entry.files) {
      const hostPath = f.hostPath ?? hostPathInside(host.root, f.path);
      if (!hostPath) {
        throw new UserError(
          `journal entry ${entry.id} names ${f.path}, which is not below --root ${host.root}; ds-harden restores only files inside the root. ` +
            'Pass the --root the apply ran with (or restore the file from the backup in the journal by hand).',
          EXIT.REFUSED,
        );
      }
      const local = host.writePath(hostPath).local;
      f.path = local;
      f.realPath = local;
      f.hostPath = hostPath;
    }
    // refuse to overwrite edits made after the apply
    for (const f of entry.files) {
      const read = readBoundedFileSync(f.realPath);
      const cur = read.ok ? sha256(read.data) : read.code === 'ENOENT' ? undefined : `unreadable:${read.code}`;
      const known = [f.sha256After, f.sha256Before].filter(Boolean);
      if (cur !== undefined && !known.includes(cur) && !o.force) {
        throw new UserError(`${f.path} changed after apply ${entry.id}; restoring would discard those edits. Re-run with --force to restore anyway.`, EXIT.REFUSED);
      }
    }
    // never restore into a state DS cannot start with: an original the service user cannot read keeps a readable mode
    const notes: string[] = [];
    const passwd = await host.read('/etc/passwd');
    const group = await host.read('/etc/group');
    const user = passwd.ok ? findAccount(passwd.text, group.ok ? group.text : '', 'ds') : undefined;
    for (const f of entry.files) {
      if (!user || f.restoreStat || f.uid === undefined || f.gid === undefined || f.mode === undefined) continue;
      if (!canRead({ uid: f.uid, gid: f.gid, mode: f.mode }, user)) {
        f.restoreStat = { uid: f.uid, gid: user.gid, mode: f.mode | 0o040 };
        notes.push(`${f.path} was not readable by ${user.name} before the apply; it is restored with group ${user.name} and mode ${(f.mode | 0o040).toString(8).padStart(4, '0')} so DS can start.`);
      }
    }
    const env = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    // a compose apply changed files on the Docker host: no DS service runs here; the container is re-created by hand
    const compose = entry.command === 'apply --compose';
    if (compose) notes.push(`the files of the compose deployment are restored; re-create the container so it gets them back (${entry.note ?? 'docker compose up -d SERVICE'}: docker compose up -d SERVICE in its project directory)`);
    const services = compose ? undefined : await connectServices(o, env, (l) => say(`${l}\n`));
    const health = compose ? undefined : makeHealth(o);
    const running = entry.restarted ?? (services ? await services.running() : []);
    // the integrator end, when the apply set it: put the app's old values back too
    let integrator;
    if (entry.integrator?.state === 'set') {
      const { Occ } = await import('../adapters/integrator/occ.js');
      const { integratorUndoStep } = await import('../apply/integrator.js');
      const values = (await journal.loadIntegratorBackup(entry)) as Record<string, string | null>;
      integrator = integratorUndoStep(new Occ(entry.integrator.occ, { env }), entry.integrator.kind, values, (l) => say(style.dim(`${l}\n`)), 150_000);
    }
    const { rollBack } = await import('../apply/transaction.js');
    const outcome = await rollBack(entry, { reason: `rollback requested (${entry.id})`, failed: [], logs: [] }, entry.files.length > 0, running, {
      journal,
      ...(integrator ? { integrator } : {}),
      ...(services ? { services } : {}),
      ...(health && running.length ? { health } : {}),
      settleMs: o.settleMs ?? (services ? DEFAULT_SETTLE_MS[services.kind] : 0),
      restartAll: false,
      progress: (l) => say(style.dim(`${l}\n`)),
    });
    // an apply killed between writing its temp file and the rename leaves `.local.json.ds-harden-*.tmp` (with the
    // new secret) next to the file; we hold the lock, so no write is in flight
    for (const f of entry.files) {
      const gone = await removeStaleTemps(f.path).catch(() => []);
      for (const t of gone) notes.push(`removed ${t}, left over by the interrupted apply`);
    }
    const files = entry.files.map((f) => f.hostPath ?? f.path);
    if (outcome.kind === 'rolled-back' && outcome.integrator?.restored) notes.push(`the integrator's previous jwt_secret and jwt_header are restored (${entry.integrator?.occ.join(' ')})${outcome.integrator.recheck ? `; its check ${outcome.integrator.recheck.ok ? 'passes' : `fails: ${outcome.integrator.recheck.message}`}` : ''}`);
    if (outcome.kind === 'rolled-back') return finish({ outcome: 'rolled-back', exitCode: EXIT.OK, files, restarted: running, notes });
    const error = outcome.kind === 'rollback-failed' ? outcome.rollbackError : 'unexpected outcome';
    const logs = outcome.kind === 'rollback-failed' ? outcome.failure.logs : [];
    return finish({ outcome: 'rollback-failed', exitCode: EXIT.ROLLBACK_FAILED, files, restarted: [], notes, error, logs });
  } finally {
    await lock.release();
  }
}
