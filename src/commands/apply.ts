/**
 * `ds-harden apply`: desired state → plan → validate → [dry-run report] → lock → transaction → report.
 * Writes only local.json; never leaves the server worse than it found it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { loadFromRoot } from './check.js';
import { gatherHostFacts } from '../adapters/host-facts.js';
import { rules } from '../core/rules/index.js';
import { planApply, planSecrets, reusableSecret, type DesiredState, type Plan, type Refusal } from '../core/plan/plan.js';
import { validateCandidate } from '../core/plan/validate.js';
import { unifiedDiff } from '../core/plan/diff.js';
import { evaluateIpFilter, simulate } from '../core/ds/ipfilter.js';
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { K } from '../core/ds/keys.js';
import { isSecretPath, mask, maskSecretLines, scrubText } from '../core/redact.js';
import { canRead } from '../core/ds/accounts.js';
import type { Style } from '../formatters/style.js';
import type { TxOutcome } from '../apply/transaction.js';
import { connectServices, makeHealth, type ServiceOptions } from './services.js';

export interface ApplyOptions extends ServiceOptions {
  readonly root: string;
  readonly configDir?: string;
  readonly dsVersion?: string;
  readonly hostname?: string;
  readonly allow: readonly string[];
  readonly secretFile?: string;
  readonly secretEnv?: string;
  readonly generateSecret: boolean;
  readonly rotate: boolean;
  readonly header?: string;
  readonly useforrequest?: boolean;
  readonly errorcode?: number;
  readonly policy?: string;
  readonly dryRun: boolean;
  readonly normalize: boolean;
  readonly json: boolean;
  readonly showSecrets: boolean;
  readonly noColor: boolean;
  readonly stateDir: string;
  /** Extra addresses for the simulation (e.g. the Nextcloud storage host's IP). */
  readonly testAddresses: readonly string[];
  /** Nextcloud's StorageUrl as DS reaches it: callbacks and downloads go there and pass ipfilter. */
  readonly storageUrl?: string;
}

const DEFAULT_STATE_DIR = '/var/lib/ds-harden';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 40 characters from [A-Za-z0-9], uniformly, from the OS CSPRNG (≈ 238 bits). */
export function generateSecret(length = 40): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

interface Policy {
  allow?: string[];
  storageUrl?: string;
  secretFile?: string;
  secretEnv?: string;
  generateSecret?: boolean;
  header?: string;
  useforrequest?: boolean;
  errorcode?: number;
}

async function readPolicy(file: string, cwd: string): Promise<Policy> {
  const p = path.resolve(cwd, file);
  let text: string;
  try {
    text = await fs.readFile(p, 'utf8');
  } catch (e) {
    throw new UsageError(`--policy ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--policy ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`--policy ${file}: expected a JSON object`);
  const known = ['allow', 'storageUrl', 'secretFile', 'secretEnv', 'generateSecret', 'header', 'useforrequest', 'errorcode'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length) throw new UsageError(`--policy ${file}: unknown key(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return v as Policy;
}

async function resolveSecret(o: ApplyOptions, policy: Policy, io: Io, current: string | undefined): Promise<{ value?: string; source: string }> {
  const file = o.secretFile ?? policy.secretFile;
  const env = o.secretEnv ?? policy.secretEnv;
  const gen = o.generateSecret || policy.generateSecret === true;
  const given = [file, env, gen ? 'g' : undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError('choose one of --secret-file, --secret-env, --generate-secret');
  let value: string | undefined;
  let source = '';
  if (file) {
    try {
      value = (await fs.readFile(path.resolve(io.cwd, file), 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`--secret-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    source = `file ${file}`;
  } else if (env) {
    value = io.env[env];
    if (value === undefined || value === '') throw new UsageError(`--secret-env ${env}: the variable is not set or empty`);
    source = `environment variable ${env}`;
  } else if (gen) {
    if (current && !o.rotate) return { value: current, source: 'the existing strong secret (kept; --rotate replaces it)' };
    return { value: generateSecret(), source: 'generated (40 random characters)' };
  } else {
    return { source: '' };
  }
  if (value.length < 32) throw new UsageError(`the secret from ${source} is ${value.length} characters long; use at least 32 (e.g. --generate-secret)`);
  if (/\s/.test(value)) throw new UsageError(`the secret from ${source} contains white space; Nextcloud's jwt_secret field would not keep it`);
  return { value, source };
}

function sampleAddress(glob: string): string | undefined {
  if (glob === '*') return undefined;
  if (/^[\d.*]+$/.test(glob)) {
    const parts = glob.split('.');
    const filled = parts.flatMap((p) => (p === '*' ? Array(Math.max(1, 5 - parts.length)).fill('7') : [p]));
    return filled.slice(0, 4).join('.');
  }
  if (/^[0-9a-f:*]+$/i.test(glob)) return glob.replace(/\*/g, '7');
  return undefined;
}

type SimTarget = { label: string; ip?: string; hostname?: string };

/**
 * The integrator's storage host as DS's outgoing check sees it (ds-facts §3.3): the host name and the one address
 * it resolves to. DS refuses callbacks and downloads to a denied host, which breaks saving — no health check notices.
 */
async function storageTarget(url: string | undefined): Promise<SimTarget | undefined> {
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new UsageError(`--storage-url ${url}: not a URL (e.g. https://nextcloud.example.org/)`);
  }
  if (isIP(host)) return { label: 'storage/callback host (--storage-url)', ip: host };
  const ip = await lookup(host).then((r) => r.address, () => undefined);
  return { label: `storage/callback host (--storage-url${ip ? '' : ', not resolvable here'})`, hostname: host, ...(ip ? { ip } : {}) };
}

function simulationTable(plan: Plan, o: ApplyOptions, style: Style, storage?: SimTarget): string {
  if (!plan.rules) return '';
  const targets: SimTarget[] = storage ? [storage] : [];
  for (const r of plan.rules) {
    if (!r.allowed) continue;
    const loopback = r.address === '127.0.0.1' || r.address === '0:0:0:0:0:0:0:1';
    const ip = /[*]/.test(r.address) ? sampleAddress(r.address) : r.address;
    if (loopback) targets.push({ label: 'loopback (health checks, nginx)', ip: r.address });
    else if (ip && /^[\d.:a-f]+$/i.test(ip)) targets.push({ label: r.address === ip ? 'integrator' : `integrator (${r.address})`, ip });
    else targets.push({ label: 'integrator host name', hostname: r.address });
  }
  for (const a of o.testAddresses) targets.push({ label: 'test address', ip: a });
  targets.push({ label: 'public address', ip: '203.0.113.50' }, { label: 'LAN address', ip: '192.168.77.77' }, { label: 'IPv6 loopback (::1)', ip: '::1' });
  const rows = simulate(plan.rules, targets, 403);
  const lines = [style.bold('ipfilter simulation (first match wins; no match = allowed):')];
  for (const r of rows) {
    const verdict = r.verdict.decision === 'allowed' ? style.green('allowed') : r.verdict.decision === 'denied' ? style.red('denied ') : style.yellow('error  ');
    const rule = r.verdict.matchedIndex !== undefined ? `rule #${r.verdict.matchedIndex + 1} ${JSON.stringify(plan.rules[r.verdict.matchedIndex])}` : 'no rule matches';
    lines.push(`  ${verdict}  ${r.target.padEnd(28)} ${style.dim(`${r.label}; ${rule}`)}`);
  }
  return lines.join('\n') + '\n';
}

function shown(key: string, v: unknown, showSecrets: boolean): string {
  if (!showSecrets && isSecretPath(key)) return mask(v);
  const s = JSON.stringify(v);
  return s === undefined ? '(unset)' : s.length > 90 ? s.slice(0, 87) + '...' : s;
}

function refusalText(refusals: readonly Refusal[]): string {
  return refusals.map((r) => `  - ${r.location ? `${r.location.file}:${r.location.line}:${r.location.column}: ` : ''}${r.message}`).join('\n');
}

export async function runApply(o: ApplyOptions, io: Io): Promise<number> {
  const policy = o.policy ? await readPolicy(o.policy, io.cwd) : {};
  const { loaded, host } = await loadFromRoot(o, io.cwd);
  const style = await io.style(o.noColor || o.json);
  const say = (s: string) => (o.json ? io.err(s) : io.out(s));
  const scrubbed: string[] = [];
  const out = (s: string) => say(scrubText(s, scrubbed));

  const secret = await resolveSecret(o, policy, io, reusableSecret(loaded));
  if (secret.value) scrubbed.push(secret.value);
  const allow = [...(policy.allow ?? []), ...o.allow];
  const desired: DesiredState = {
    ...(allow.length ? { allow } : {}),
    ...(secret.value ? { secret: secret.value } : {}),
    ...((o.header ?? policy.header) ? { header: (o.header ?? policy.header)! } : {}),
    ...((o.useforrequest ?? policy.useforrequest) !== undefined ? { useforrequest: (o.useforrequest ?? policy.useforrequest)! } : {}),
    ...((o.errorcode ?? policy.errorcode) !== undefined ? { errorcode: (o.errorcode ?? policy.errorcode)! } : {}),
  };
  if (Object.keys(desired).length === 0) {
    throw new UsageError('nothing to apply: give --allow ADDRESS (repeatable) and/or a secret (--secret-file, --secret-env or --generate-secret)');
  }
  if (desired.errorcode !== undefined && (!Number.isInteger(desired.errorcode) || desired.errorcode < 400 || desired.errorcode > 599)) {
    throw new UsageError(`--errorcode ${desired.errorcode}: use an HTTP error status between 400 and 599 (403 is DS's default)`);
  }

  const plan = planApply(loaded, desired, { normalize: o.normalize });
  for (const s of planSecrets(plan, loaded)) scrubbed.push(s);
  const facts = await gatherHostFacts(host, loaded);
  const validation = plan.refusals.length === 0 && plan.changes.length > 0
    ? await validateCandidate(host, loaded, plan, rules, facts)
    : undefined;
  const refusals = [...plan.refusals, ...(validation?.refusals ?? [])];
  const storage = await storageTarget(o.storageUrl ?? policy.storageUrl);
  if (storage && plan.rules) {
    const v = evaluateIpFilter(plan.rules, storage);
    if (v.decision !== 'allowed') {
      refusals.push({
        code: 'bad-address',
        message:
          `the new ipfilter rules would refuse DS's callbacks and downloads to the storage host ${storage.hostname ?? storage.ip}${storage.ip && storage.hostname ? ` (${storage.ip})` : ''}: ` +
          `Nextcloud could open documents but not save them. Add --allow ${storage.ip ?? storage.hostname}.`,
      });
    }
  }

  const notes = [...plan.notes, ...dockerNotes(facts.docker === true, plan)];
  const summary = {
    schemaVersion: 1,
    command: 'apply',
    target: plan.target,
    dryRun: o.dryRun,
    secretSource: secret.source || undefined,
    changes: plan.changes.map((c) => ({ key: c.key, from: isSecretPath(c.key) && !o.showSecrets ? mask(c.from) : c.from, to: isSecretPath(c.key) && !o.showSecrets ? mask(c.to) : c.to })),
    notes,
  };
  const finish = (outcome: string, code: number, extra: Record<string, unknown> = {}) => {
    if (o.json) io.out(scrubText(JSON.stringify({ ...summary, outcome, changed: outcome === 'changed', exitCode: code, ...extra }, null, 2), scrubbed) + '\n');
    return code;
  };

  if (!o.json) {
    out(style.bold(`ds-harden apply — ${plan.target}`) + style.dim(`  (DS ${loaded.version.label})`) + '\n');
    if (secret.source) out(`secret: ${secret.source}\n`);
  }
  // An apply that died half-way must be dealt with first — also when the file already holds its new bytes
  // (then the plan says "nothing to change" although the services may still run the old file).
  const { Journal } = await import('../adapters/journal.js');
  const { acquireLock, LockBusyError } = await import('../adapters/lock.js');
  const stateDir = host.local(o.stateDir);
  const journal = new Journal(path.join(stateDir, 'journal'));
  const interrupted = async () => {
    const pending = await journal.latestIncomplete();
    if (!pending) return undefined;
    const msg =
      `a previous apply (${pending.id}) stopped in state "${pending.state}" without finishing. ` +
      `Restore its backup with: ds-harden rollback ${pending.id}${o.root !== '/' ? ` --root ${o.root}` : ''}${o.stateDir !== DEFAULT_STATE_DIR ? ` --state-dir ${o.stateDir}` : ''}  (or inspect with ds-harden history)`;
    return { pending, msg };
  };
  const refuseInterrupted = (x: { pending: { id: string }; msg: string }) => {
    out(style.red(`refused: ${x.msg}\n`));
    return finish('refused', EXIT.REFUSED, { refusals: [{ code: 'interrupted-apply', message: x.msg }], pendingJournal: x.pending.id });
  };
  /** The lock, or the exit code of a refusal (another run holds it). A dead holder's lock is taken over. */
  const takeLock = async (): Promise<{ lock: Awaited<ReturnType<typeof acquireLock>> } | { code: number }> => {
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
    try {
      const lock = await acquireLock(path.join(stateDir, 'apply.lock'), { command: 'apply' });
      if (lock.staleFrom) out(style.yellow(`note: a previous run (pid ${lock.staleFrom.pid}, ${lock.staleFrom.command}) died holding the lock.\n`));
      return { lock };
    } catch (e) {
      if (e instanceof LockBusyError) {
        out(style.red(`refused: ${e.message}\n`));
        return { code: finish('refused', EXIT.REFUSED, { refusals: [{ code: 'locked', message: e.message }] }) };
      }
      throw e;
    }
  };
  const early = await interrupted().catch(() => undefined); // unreadable state dir: the locked check below decides
  if (early && o.dryRun) out(style.yellow(`note: ${early.msg}\n`));
  else if (early) {
    // under the lock: a live run is "in progress" (not "stopped"), a dead run's lock is taken over
    const t = await takeLock();
    if ('code' in t) return t.code;
    try {
      const late = await interrupted();
      if (late) return refuseInterrupted(late);
    } finally {
      await t.lock.release();
    }
  }
  if (refusals.length > 0) {
    out(style.red('refused — nothing was changed:\n') + refusalText(refusals) + '\n');
    return finish('refused', EXIT.REFUSED, { refusals });
  }
  if (plan.changes.length === 0) {
    out(style.green('nothing to change: the configuration already matches.\n'));
    return finish('no-change', EXIT.OK);
  }
  if (!o.json) {
    out(`changes to ${plan.target}:\n`);
    for (const c of plan.changes) out(`  ${c.key}: ${shown(c.key, c.from, o.showSecrets)} → ${shown(c.key, c.to, o.showSecrets)}\n`);
    for (const n of notes) out(style.yellow(`note: ${n}\n`));
    out(simulationTable(plan, o, style, storage));
    if (validation && validation.resolved.length) {
      out(`resolves: ${[...new Set(validation.resolved.map((f) => f.ruleId))].join(', ')}\n`);
    }
  }
  if (o.dryRun) {
    // known secrets show as ••••••(N chars); any other secret-looking value (dbPass, secretString …) is blanked
    const mk = (t: string) => (o.showSecrets ? t : maskSecretLines(scrubText(t, scrubbed)));
    const diff = unifiedDiff(mk(plan.before), mk(plan.after), plan.exists ? `${plan.target}` : '/dev/null', `${plan.target} (new)`);
    if (o.json) return finish('dry-run', EXIT.CHANGED, { diff });
    out(diff);
    out(style.dim('dry run: nothing was written.\n'));
    return EXIT.CHANGED;
  }

  // ---- the transaction ----
  const taken = await takeLock();
  if ('code' in taken) return taken.code;
  const lock = taken.lock;
  try {
    // again under the lock: a run that started meanwhile may have died
    const late = await interrupted();
    if (late) return refuseInterrupted(late);

    // supervisorctl/systemctl inherit this environment: not the variable that holds the secret (`ps e` shows it)
    const secretVar = o.secretEnv ?? policy.secretEnv;
    const serviceIo: Io = secretVar ? { ...io, env: Object.fromEntries(Object.entries(io.env).filter(([k]) => k !== secretVar)) } : io;
    const services = await connectServices(o, serviceIo, out);
    const health = makeHealth(o);
    const running = services ? await services.running() : [];
    if (services && running.length === 0 && !o.restartAll) {
      out(style.yellow(`note: no DocService/FileConverter is running under ${services.kind}; the file is written, nothing is restarted.\n`));
    }
    if (health && running.length > 0) {
      const pre = await health.check();
      if (!pre.ok) {
        const msg = `DS is not healthy before the change (${pre.detail}); fix that first, or pass --no-health to skip the check`;
        out(style.red(`refused: ${msg}\n`));
        return finish('refused', EXIT.REFUSED, { refusals: [{ code: 'unhealthy-before', message: msg }] });
      }
    }

    const { writeFileAtomic, sha256 } = await import('../adapters/atomic-write.js');
    const controller = new AbortController();
    const off = io.onInterrupt((sig) => {
      if (!controller.signal.aborted) {
        io.err(`\n${sig}: rolling back, please wait…\n`);
        controller.abort(sig);
      }
    });
    const pause = testPause(io);
    const { runTransaction } = await import('../apply/transaction.js');
    let outcome: TxOutcome;
    try {
      outcome = await runTransaction(host.local(plan.target), plan.after, running, {
        journal,
        async writeFile(localPath, data) {
          await writeFileAtomic(localPath, data, { ...(pause ? { pause } : {}), ...(plan.exists ? {} : newFileOwner(facts)) });
          return { sha256: sha256(data) };
        },
        async serviceCanRead(localPath) {
          const user = facts.serviceUser;
          if (!user) return undefined;
          const st = await fs.stat(localPath);
          return canRead({ uid: st.uid, gid: st.gid, mode: st.mode }, user);
        },
        ...(services ? { services } : {}),
        ...(health && running.length > 0 ? { health } : {}),
        settleMs: o.settleMs ?? (services?.kind === 'systemd' ? 35_000 : 3_000),
        restartAll: o.restartAll,
        progress: (l) => out(style.dim(`${l}\n`)), // on stderr with --json (see `say`), as --help promises
        signal: controller.signal,
        ...(pause ? { pause } : {}),
      });
    } finally {
      off();
    }
    return report(outcome, o, plan.changes.some((c) => c.key === K.secretInbox || c.key === K.inboxHeader), style, out, finish);
  } finally {
    await lock.release();
  }
}

/**
 * The official Docker image rewrites the JWT keys of local.json from JWT_ENABLED/JWT_SECRET/JWT_HEADER on every
 * container start (a new random secret when JWT_SECRET is unset), and /etc/onlyoffice is not a volume (ds-facts §2.8).
 */
export function dockerNotes(docker: boolean, plan: Plan): string[] {
  if (!docker || plan.changes.length === 0) return [];
  const out: string[] = [];
  if (plan.changes.some((c) => c.key.includes('.token.') || c.key.includes('.secret.'))) {
    out.push(
      'Docker image: its entrypoint rewrites the JWT settings of local.json from the container environment on every start. ' +
        'Set JWT_ENABLED=true, JWT_SECRET (the same secret) and JWT_HEADER in the container definition too, or the next restart undoes this (and without JWT_SECRET picks a new random one).',
    );
  }
  if (plan.changes.some((c) => c.key.includes('.ipfilter.'))) {
    out.push('Docker image: /etc/onlyoffice is not a volume, so the ipfilter rules survive `docker restart` but not re-creating the container; keep local.json in a mounted file.');
  }
  return out;
}

/** A new local.json gets root:ds 0640 when the ds group exists (readable by DS, not by everyone). */
function newFileOwner(facts: { serviceUser?: { gid: number } }): { mode: number; gid?: number; uid?: number } {
  return facts.serviceUser ? { mode: 0o640, uid: 0, gid: facts.serviceUser.gid } : { mode: 0o640 };
}

/** DS_HARDEN_TEST_PAUSE_AT=<step>: write a marker file and wait forever at that step (crash tests). */
function testPause(io: Io): ((step: string) => Promise<void>) | undefined {
  const at = io.env.DS_HARDEN_TEST_PAUSE_AT;
  const marker = io.env.DS_HARDEN_TEST_PAUSE_FILE;
  if (!at || !marker) return undefined;
  return async (step) => {
    if (step !== at) return;
    await fs.writeFile(marker, step);
    // a pending promise alone does not keep node alive: without a timer the process would exit 0 right here
    await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
  };
}

function report(
  outcome: TxOutcome,
  o: ApplyOptions,
  jwtChanged: boolean,
  style: Style,
  out: (s: string) => void,
  finish: (outcome: string, code: number, extra?: Record<string, unknown>) => number,
): number {
  if (outcome.kind === 'changed') {
    out(style.green(`done: ${outcome.entry.files[0]?.path ?? 'local.json'} updated${outcome.restarted.length ? `, ${outcome.restarted.join(', ')} restarted and healthy` : ''}.\n`));
    out(style.dim(`journal ${outcome.entry.id} — undo with: ds-harden rollback ${outcome.entry.id}\n`));
    if (jwtChanged) {
      out(
        `Nextcloud (ONLYOFFICE app settings) must now use the same secret and header. Read the secret with:\n` +
          `  sudo ds-harden check${o.root !== '/' ? ` --root ${o.root}` : ''} --explain ${K.secretInbox} --show-secrets\n`,
      );
    }
    return finish('changed', EXIT.CHANGED, { journalId: outcome.entry.id, restarted: outcome.restarted });
  }
  const f = outcome.failure;
  const logText = f.logs.map((l) => `--- last lines of ${l.name} error log ---\n${l.tail}`).join('\n');
  if (outcome.kind === 'rolled-back') {
    out(style.red(`failed: ${f.reason}\n`));
    if (logText) out(logText + '\n');
    out(style.yellow(`rolled back: the original file is restored${outcome.restarted.length ? ` and ${outcome.restarted.join(', ')} are running again` : ''} (journal ${outcome.entry.id}).\n`));
    return finish('rolled-back', EXIT.ROLLED_BACK, { journalId: outcome.entry.id, failure: { reason: f.reason, failed: f.failed, logs: f.logs } });
  }
  out(style.red(`failed: ${f.reason}\n`));
  if (logText) out(logText + '\n');
  out(style.red(`ROLLBACK FAILED: ${outcome.rollbackError}\nThe backup is in the journal: ds-harden rollback ${outcome.entry.id}${o.root !== '/' ? ` --root ${o.root}` : ''}\n`));
  return finish('rollback-failed', EXIT.ROLLBACK_FAILED, { journalId: outcome.entry.id, failure: { reason: f.reason, failed: f.failed, logs: f.logs }, rollbackError: outcome.rollbackError });
}
