/**
 * Apply journal: before ds-harden changes any file it records the file's exact
 * bytes and owner/mode in a backup, so a failed or interrupted apply can be
 * rolled back — also by a later run after a crash.
 *
 * Layout (the CLI passes `<root>/var/lib/ds-harden`):
 *
 *   <dir>/                          mode 0700
 *   <dir>/<id>/                     mode 0700, id = YYYYMMDD-HHMMSS-<4 hex> (UTC)
 *   <dir>/<id>/manifest.json        mode 0600, JournalEntry + format tag; hashes/paths/stat only
 *   <dir>/<id>/backup-<n>-<name>    mode 0600, original bytes (may contain JWT secrets)
 *
 * Every backup and manifest write goes through writeFileAtomic (temp + fsync +
 * rename + directory fsync). The journal does not lock: callers hold the
 * ds-harden lock (lock.ts) around begin … setState('committed').
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { errCode, fsyncDir, readFileStat, resolveTarget, sha256, writeFileAtomic } from './atomic-write.js';

export type JournalState =
  | 'prepared'
  | 'written'
  | 'restarting'
  | 'verified'
  | 'committed'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed';

export const JOURNAL_STATES: readonly JournalState[] = [
  'prepared',
  'written',
  'restarting',
  'verified',
  'committed',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
];

/** States after which nothing is left to recover. */
const FINISHED_STATES: ReadonlySet<JournalState> = new Set<JournalState>(['committed', 'rolled-back']);

export interface JournalFile {
  /** The path as the caller named it (may be a symlink). */
  path: string;
  /**
   * The same file as a path on the DS host, i.e. relative to --root ("/etc/onlyoffice/documentserver/local.json").
   * A rollback resolves this inside the root it is given — never `path`, which names this machine's file when the
   * apply ran (the tree may have been copied since, or the manifest written by someone else).
   */
  hostPath?: string;
  /** The symlink-free file that writes to `path` replace. */
  realPath: string;
  existed: boolean;
  sha256Before?: string;
  sha256After?: string;
  uid?: number;
  gid?: number;
  mode?: number;
  /** File name inside the entry dir. */
  backup?: string;
  /**
   * Owner and mode a restore gives the file instead of uid/gid/mode: set when the original was not readable by
   * the DS service user, so a rollback restores the old bytes without stopping DS at the restart.
   */
  restoreStat?: { uid: number; gid: number; mode: number };
}

/** The integrator end of a change (Nextcloud/ownCloud through occ), so a rollback restores both ends. */
export interface JournalIntegrator {
  kind: string;
  /** The occ command prefix as the user gave it (argv words; holds no secret). */
  occ: string[];
  /** saved: old values backed up; set: new values written; restored: old values put back. */
  state: 'saved' | 'set' | 'restored';
  /** File name inside the entry dir holding the old values (mode 0600; may hold the old secret). */
  backup: string;
}

export interface JournalEntry {
  id: string;
  createdAt: string;
  command: string;
  state: JournalState;
  files: JournalFile[];
  integrator?: JournalIntegrator;
  restarted?: string[];
  note?: string;
  history: { state: JournalState; at: string }[];
}

/** An entry directory whose manifest could not be read or is not a valid entry. */
export interface CorruptJournalEntry {
  id: string;
  dir: string;
  error: string;
}

export interface RestoreResult {
  /** Files rewritten from backup, or removed because they did not exist before. */
  restored: string[];
  /** Files already identical to the backup (bytes, owner, mode) or already absent. */
  unchanged: string[];
}

const MANIFEST = 'manifest.json';
const FORMAT = 'ds-harden-journal/1';
const ID_RE = /^\d{8}-\d{6}-[0-9a-f]{4}$/;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;


function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function makeId(d: Date): string {
  const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${day}-${time}-${randomBytes(2).toString('hex')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isState(v: unknown): v is JournalState {
  return typeof v === 'string' && (JOURNAL_STATES as readonly string[]).includes(v);
}

function optType(o: Record<string, unknown>, key: string, type: 'string' | 'number' | 'boolean'): boolean {
  return o[key] === undefined || typeof o[key] === type;
}

/** Checks the shape of a parsed manifest; returns the reason it is invalid, or undefined. */
function validateEntry(v: unknown): string | undefined {
  if (!isObject(v)) return 'manifest is not a JSON object';
  if (v['format'] !== FORMAT) return `unknown manifest format ${JSON.stringify(v['format'])}`;
  if (typeof v['id'] !== 'string' || !ID_RE.test(v['id'])) return 'missing or malformed id';
  if (typeof v['createdAt'] !== 'string') return 'missing createdAt';
  if (typeof v['command'] !== 'string') return 'missing command';
  if (!isState(v['state'])) return `unknown state ${JSON.stringify(v['state'])}`;
  if (!Array.isArray(v['history'])) return 'missing history';
  for (const h of v['history']) {
    if (!isObject(h) || !isState(h['state']) || typeof h['at'] !== 'string') return 'malformed history item';
  }
  if (v['restarted'] !== undefined && !(Array.isArray(v['restarted']) && v['restarted'].every((s) => typeof s === 'string'))) {
    return 'malformed restarted list';
  }
  if (!optType(v, 'note', 'string')) return 'malformed note';
  const ig = v['integrator'];
  if (ig !== undefined) {
    if (!isObject(ig) || typeof ig['kind'] !== 'string' || !Array.isArray(ig['occ']) || !ig['occ'].every((a) => typeof a === 'string')) return 'malformed integrator';
    if (!['saved', 'set', 'restored'].includes(String(ig['state']))) return 'malformed integrator state';
    if (typeof ig['backup'] !== 'string' || !isSafeName(ig['backup'])) return 'malformed integrator backup';
  }
  if (!Array.isArray(v['files'])) return 'missing files';
  for (const f of v['files']) {
    if (!isObject(f)) return 'malformed file item';
    if (typeof f['path'] !== 'string' || typeof f['realPath'] !== 'string') return 'file item without path';
    if (typeof f['existed'] !== 'boolean') return `file ${f['path']}: missing "existed"`;
    for (const k of ['sha256Before', 'sha256After', 'backup', 'hostPath'])
      if (!optType(f, k, 'string')) return `file ${f['path']}: malformed ${k}`;
    if (typeof f['hostPath'] === 'string' && !f['hostPath'].startsWith('/')) return `file ${f['path']}: hostPath is not absolute`;
    for (const k of ['uid', 'gid', 'mode']) if (!optType(f, k, 'number')) return `file ${f['path']}: malformed ${k}`;
    if (f['existed'] === true && (typeof f['backup'] !== 'string' || typeof f['sha256Before'] !== 'string')) {
      return `file ${f['path']}: existed but has no backup`;
    }
    if (typeof f['backup'] === 'string' && !isSafeName(f['backup'])) return `file ${f['path']}: unsafe backup name`;
    const rs = f['restoreStat'];
    if (rs !== undefined && !(isObject(rs) && ['uid', 'gid', 'mode'].every((k) => typeof rs[k] === 'number' && Number.isInteger(rs[k])))) {
      return `file ${f['path']}: malformed restoreStat`;
    }
  }
  return undefined;
}

function isSafeName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** Only the declared fields, in a stable order: nothing else can leak into the manifest. */
function toManifest(entry: JournalEntry): Record<string, unknown> {
  return {
    format: FORMAT,
    id: entry.id,
    createdAt: entry.createdAt,
    command: entry.command,
    state: entry.state,
    files: entry.files.map((f) => ({
      path: f.path,
      hostPath: f.hostPath,
      realPath: f.realPath,
      existed: f.existed,
      sha256Before: f.sha256Before,
      sha256After: f.sha256After,
      uid: f.uid,
      gid: f.gid,
      mode: f.mode,
      backup: f.backup,
      restoreStat: f.restoreStat ? { uid: f.restoreStat.uid, gid: f.restoreStat.gid, mode: f.restoreStat.mode } : undefined,
    })),
    restarted: entry.restarted,
    integrator: entry.integrator ? { kind: entry.integrator.kind, occ: [...entry.integrator.occ], state: entry.integrator.state, backup: entry.integrator.backup } : undefined,
    note: entry.note,
    history: entry.history.map((h) => ({ state: h.state, at: h.at })),
  };
}

function fromManifest(v: Record<string, unknown>): JournalEntry {
  const { format: _format, ...rest } = v;
  return rest as unknown as JournalEntry;
}

function backupName(index: number, file: string): string {
  const base = path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'file';
  return `backup-${index}-${base}`;
}


/** One line, no file contents: "20250101-120000-ab12 committed apply (2 files: /etc/…/local.json, …)". */
export function describe(entry: JournalEntry): string {
  const files = entry.files.map((f) => (f.existed ? f.path : `${f.path} (new)`));
  const n = files.length === 1 ? '1 file' : `${files.length} files`;
  const list = files.length ? `: ${files.join(', ')}` : '';
  const restarted = entry.restarted?.length ? `; restarted ${entry.restarted.join(', ')}` : '';
  const note = entry.note ? `; ${entry.note.replace(/\s+/g, ' ')}` : '';
  return `${entry.id} ${entry.state} "${entry.command}" at ${entry.createdAt} (${n}${list})${restarted}${note}`;
}

export class Journal {
  readonly dir: string;

  /** Same as the module-level describe(). */
  describe(entry: JournalEntry): string {
    return describe(entry);
  }

  /** `root`: the --root the paths given to begin() lie below (their host paths are recorded relative to it). */
  constructor(dir: string, private readonly opts: { root?: string } = {}) {
    this.dir = path.resolve(dir);
  }

  /** `abs` as a path on the DS host (relative to the root), when it lies below the root. */
  private hostPathOf(abs: string): string | undefined {
    const root = this.opts.root === undefined ? undefined : path.resolve(this.opts.root);
    if (root === undefined) return undefined;
    if (root === '/') return abs;
    if (abs.startsWith(root + path.sep)) return '/' + path.relative(root, abs).split(path.sep).join('/');
    return undefined;
  }

  /** Directory of one entry. */
  entryDir(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`not a journal id: ${JSON.stringify(id)}`);
    return path.join(this.dir, id);
  }

  private async ensureDir(): Promise<void> {
    await fs.mkdir(path.dirname(this.dir), { recursive: true });
    try {
      await fs.mkdir(this.dir, { mode: DIR_MODE });
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
    }
    const st = await fs.lstat(this.dir);
    if (!st.isDirectory()) throw new Error(`journal directory ${this.dir} is not a directory`);
    if ((st.mode & 0o7777) !== DIR_MODE) await fs.chmod(this.dir, DIR_MODE);
  }

  private async writeManifest(entry: JournalEntry): Promise<void> {
    const json = `${JSON.stringify(toManifest(entry), null, 2)}\n`;
    await writeFileAtomic(path.join(this.entryDir(entry.id), MANIFEST), json, { mode: FILE_MODE });
  }

  /**
   * Start an entry: back up every file (bytes + owner/mode, or "did not exist")
   * and durably write the manifest in state 'prepared'. Call this before
   * writing any of `files`.
   */
  async begin(command: string, files: string[], opts: { restoreStat?: { uid: number; gid: number; mode: number } } = {}): Promise<JournalEntry> {
    // Read everything first, so a bad path fails before anything is created.
    const snapshots: { abs: string; realPath: string; data?: Buffer; uid?: number; gid?: number; mode?: number }[] = [];
    const seen = new Set<string>();
    for (const p of files) {
      const abs = path.resolve(p);
      if (seen.has(abs)) continue;
      seen.add(abs);
      const st = await readFileStat(abs);
      const realPath = st.realPath ?? (await resolveTarget(abs)).target;
      snapshots.push(
        st.exists && st.data
          ? { abs, realPath, data: st.data, uid: st.uid, gid: st.gid, mode: st.mode }
          : { abs, realPath },
      );
    }

    await this.ensureDir();
    const now = new Date();
    let id = makeId(now);
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.mkdir(path.join(this.dir, id), { mode: DIR_MODE });
        break;
      } catch (err) {
        if (errCode(err) !== 'EEXIST' || attempt >= 20) throw err;
        id = makeId(now);
      }
    }
    const entryDir = path.join(this.dir, id);
    const entry: JournalEntry = {
      id,
      createdAt: now.toISOString(),
      command,
      state: 'prepared',
      files: [],
      history: [{ state: 'prepared', at: now.toISOString() }],
    };
    try {
      await fs.chmod(entryDir, DIR_MODE);
      await fsyncDir(this.dir);
      for (const s of snapshots) {
        const hostPath = this.hostPathOf(s.abs);
        if (!s.data) {
          entry.files.push({ path: s.abs, ...(hostPath ? { hostPath } : {}), realPath: s.realPath, existed: false });
          continue;
        }
        const backup = backupName(entry.files.length, s.abs);
        await writeFileAtomic(path.join(entryDir, backup), s.data, { mode: FILE_MODE });
        entry.files.push({
          path: s.abs,
          ...(hostPath ? { hostPath } : {}),
          realPath: s.realPath,
          existed: true,
          sha256Before: sha256(s.data),
          uid: s.uid,
          gid: s.gid,
          mode: s.mode,
          backup,
          ...(opts.restoreStat ? { restoreStat: { ...opts.restoreStat } } : {}),
        });
      }
      await this.writeManifest(entry);
    } catch (err) {
      // Nothing has been applied yet, so a half-made entry is only debris.
      await fs.rm(entryDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    return entry;
  }

  /** Move `entry` to `state` (recorded in history) and persist it. Mutates and returns `entry`. */
  async setState(
    entry: JournalEntry,
    state: JournalState,
    patch?: { restarted?: string[]; note?: string },
  ): Promise<JournalEntry> {
    if (!isState(state)) throw new Error(`unknown journal state ${JSON.stringify(state)}`);
    const next: JournalEntry = {
      ...entry,
      state,
      history: [...entry.history, { state, at: new Date().toISOString() }],
    };
    if (patch?.restarted !== undefined) next.restarted = [...patch.restarted];
    if (patch?.note !== undefined) next.note = patch.note;
    // Persist first: if the write fails, the caller's object still matches the disk.
    await this.writeManifest(next);
    Object.assign(entry, next);
    return entry;
  }

  /**
   * Back up the integrator's current values (JSON, mode 0600 — it may hold the old secret, like a local.json
   * backup) and record the integrator in the manifest in state 'saved'.
   */
  async saveIntegrator(entry: JournalEntry, kind: string, occ: readonly string[], before: unknown): Promise<JournalEntry> {
    const backup = 'integrator-before.json';
    await writeFileAtomic(path.join(this.entryDir(entry.id), backup), `${JSON.stringify(before)}\n`, { mode: FILE_MODE });
    const next: JournalEntry = { ...entry, integrator: { kind, occ: [...occ], state: 'saved', backup } };
    await this.writeManifest(next);
    Object.assign(entry, next);
    return entry;
  }

  /** Move the integrator record to `state` and persist it. */
  async setIntegratorState(entry: JournalEntry, state: JournalIntegrator['state']): Promise<JournalEntry> {
    if (!entry.integrator) throw new Error(`journal ${entry.id} has no integrator`);
    const next: JournalEntry = { ...entry, integrator: { ...entry.integrator, state } };
    await this.writeManifest(next);
    Object.assign(entry, next);
    return entry;
  }

  /** The integrator's old values saved by saveIntegrator(). */
  async loadIntegratorBackup(entry: JournalEntry): Promise<unknown> {
    if (!entry.integrator) throw new Error(`journal ${entry.id} has no integrator`);
    return JSON.parse(await fs.readFile(path.join(this.entryDir(entry.id), entry.integrator.backup), 'utf8'));
  }

  /** Record the hash of what was written to `p` (matched by path or real path). */
  async recordAfter(entry: JournalEntry, p: string, sha256After: string): Promise<JournalEntry> {
    const abs = path.resolve(p);
    let idx = entry.files.findIndex((f) => f.path === abs);
    if (idx < 0) idx = entry.files.findIndex((f) => f.realPath === abs);
    if (idx < 0) throw new Error(`journal ${entry.id} does not cover ${p}`);
    const files = entry.files.map((f, i) => (i === idx ? { ...f, sha256After } : f));
    await this.writeManifest({ ...entry, files });
    entry.files[idx]!.sha256After = sha256After;
    return entry;
  }

  /** All entries (newest first) and the entry directories whose manifest is unreadable. */
  async scan(): Promise<{ entries: JournalEntry[]; corrupt: CorruptJournalEntry[] }> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { entries: [], corrupt: [] };
      throw err;
    }
    const entries: JournalEntry[] = [];
    const corrupt: CorruptJournalEntry[] = [];
    for (const name of names) {
      if (!ID_RE.test(name)) continue;
      const dir = path.join(this.dir, name);
      try {
        if (!(await fs.lstat(dir)).isDirectory()) continue;
      } catch {
        continue;
      }
      const res = await this.load(name);
      if ('entry' in res) entries.push(res.entry);
      else corrupt.push({ id: name, dir, error: res.error });
    }
    entries.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
    corrupt.sort((a, b) => b.id.localeCompare(a.id));
    return { entries, corrupt };
  }

  /** Readable entries, newest first. Corrupt manifests are skipped (see scan() to report them). */
  async list(): Promise<JournalEntry[]> {
    return (await this.scan()).entries;
  }

  /** The entry `id`; undefined when it does not exist; throws when its manifest is corrupt. */
  async get(id: string): Promise<JournalEntry | undefined> {
    if (!ID_RE.test(id)) return undefined;
    const res = await this.load(id);
    if ('entry' in res) return res.entry;
    if (res.missing) return undefined;
    throw new Error(`journal entry ${id} is corrupt: ${res.error}`);
  }

  /** Newest entry not committed and not rolled back (i.e. a run that must be recovered). */
  async latestIncomplete(): Promise<JournalEntry | undefined> {
    return (await this.list()).find((e) => !FINISHED_STATES.has(e.state));
  }

  private async load(id: string): Promise<{ entry: JournalEntry } | { error: string; missing: boolean }> {
    const file = path.join(this.dir, id, MANIFEST);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') {
        const dirExists = await fs.stat(path.join(this.dir, id)).then(() => true, () => false);
        return {
          error: dirExists ? 'manifest.json is missing (begin() was interrupted before it finished?)' : 'no such entry',
          missing: !dirExists,
        };
      }
      return { error: `cannot read manifest.json: ${errMessage(err)}`, missing: false };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return { error: `manifest.json is not valid JSON: ${errMessage(err)}`, missing: false };
    }
    const bad = validateEntry(parsed);
    if (bad) return { error: bad, missing: false };
    const entry = fromManifest(parsed as Record<string, unknown>);
    if (entry.id !== id) return { error: `manifest id ${entry.id} does not match its directory`, missing: false };
    return { entry };
  }

  /**
   * Put every file of `entry` back as it was before begin(): files that existed
   * get their backup bytes and original uid/gid/mode (written atomically,
   * through a symlink to its target); files that did not exist are unlinked.
   * Each file is then re-read and its sha256 compared with sha256Before.
   *
   * All files are attempted even if one fails; afterwards a single Error names
   * every file that could not be restored. The entry's state is not changed:
   * the caller sets 'rolling-back' before and 'rolled-back' / 'rollback-failed' after.
   */
  async restore(
    entry: JournalEntry,
    opts: { pause?: (step: string) => Promise<void> } = {},
  ): Promise<RestoreResult> {
    const entryDir = this.entryDir(entry.id);
    const result: RestoreResult = { restored: [], unchanged: [] };
    const failures: string[] = [];
    for (const f of entry.files) {
      try {
        const changed = f.existed ? await this.restoreExisting(entryDir, f, opts) : await this.restoreAbsent(f);
        (changed ? result.restored : result.unchanged).push(f.path);
      } catch (err) {
        failures.push(`${f.path}: ${errMessage(err)}`);
      }
    }
    if (failures.length) {
      throw new Error(
        `rollback of journal ${entry.id} failed for ${failures.length} file(s):\n  ${failures.join('\n  ')}` +
          (result.restored.length ? `\nrestored: ${result.restored.join(', ')}` : ''),
      );
    }
    return result;
  }

  private async restoreExisting(
    entryDir: string,
    f: JournalFile,
    opts: { pause?: (step: string) => Promise<void> },
  ): Promise<boolean> {
    if (!f.backup || !isSafeName(f.backup) || !f.sha256Before) {
      throw new Error('journal has no usable backup for this file');
    }
    const backupPath = path.join(entryDir, f.backup);
    let data: Buffer;
    try {
      data = await fs.readFile(backupPath);
    } catch (err) {
      throw new Error(`cannot read backup ${backupPath}: ${errMessage(err)}`);
    }
    const backupHash = sha256(data);
    if (backupHash !== f.sha256Before) {
      throw new Error(`backup ${backupPath} is damaged (sha256 ${backupHash}, expected ${f.sha256Before}); file left as is`);
    }
    const { target } = await resolveTarget(f.path);
    if (target !== f.realPath) {
      throw new Error(
        `${f.path} now resolves to ${target}, but the backup was taken of ${f.realPath}; ` +
          `not guessing which one to restore (backup: ${backupPath})`,
      );
    }
    const cur = await readFileStat(f.path);
    const want = f.restoreStat ?? { uid: f.uid, gid: f.gid, mode: f.mode };
    if (
      cur.exists &&
      cur.data &&
      sha256(cur.data) === f.sha256Before &&
      (want.uid === undefined || cur.uid === want.uid) &&
      (want.gid === undefined || cur.gid === want.gid) &&
      (want.mode === undefined || cur.mode === want.mode)
    ) {
      return false;
    }
    const writeOpts: Parameters<typeof writeFileAtomic>[2] = {};
    if (want.mode !== undefined) writeOpts.mode = want.mode;
    if (want.uid !== undefined) writeOpts.uid = want.uid;
    if (want.gid !== undefined) writeOpts.gid = want.gid;
    if (opts.pause) writeOpts.pause = opts.pause;
    await writeFileAtomic(f.path, data, writeOpts);

    const after = await readFileStat(f.path);
    const afterHash = after.data ? sha256(after.data) : '(missing)';
    if (!after.exists || afterHash !== f.sha256Before) {
      throw new Error(`after restore sha256 is ${afterHash}, expected ${f.sha256Before}`);
    }
    return true;
  }

  /**
   * The file did not exist before: remove what the apply created. The real path
   * is removed (not `path`), so when `path` was a dangling symlink the link
   * stays and the file created through it goes.
   */
  private async restoreAbsent(f: JournalFile): Promise<boolean> {
    let removed = false;
    try {
      const st = await fs.lstat(f.realPath);
      if (st.isDirectory()) throw new Error(`${f.realPath} is now a directory; not removing it`);
      await fs.unlink(f.realPath);
      removed = true;
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
    if (removed) await fsyncDir(path.dirname(f.realPath));
    const still = await fs.lstat(f.realPath).then(
      () => true,
      (err: unknown) => {
        if (errCode(err) === 'ENOENT') return false;
        throw err;
      },
    );
    if (still) throw new Error(`${f.realPath} did not exist before, but still exists after removal`);
    return removed;
  }

  /** Delete all but the newest `keep` committed entries; other states are never pruned. Returns removed ids. */
  async prune(keep: number): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < 0) throw new Error(`prune: keep must be a non-negative integer, got ${keep}`);
    const committed = (await this.list()).filter((e) => e.state === 'committed');
    const removed: string[] = [];
    for (const e of committed.slice(keep)) {
      await fs.rm(this.entryDir(e.id), { recursive: true, force: true });
      removed.push(e.id);
    }
    if (removed.length) await fsyncDir(this.dir);
    return removed;
  }
}
