/**
 * Crash safety of `ds-harden apply` (issue #3): the process is SIGKILLed at each step of the transaction
 * (DS_HARDEN_TEST_PAUSE_AT makes apply write a marker file and block there). local.json must then hold exactly
 * the old or exactly the new bytes; the next apply takes over the dead run's lock, finds the unfinished journal
 * entry and refuses (exit 4) naming `ds-harden rollback <ID>`; that rollback restores the old bytes (exit 0),
 * and history lists the entry. Real supervisord + stand-in DocService, as in apply.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ETC_REL, makeRoot } from '../helpers/cli.js';
import { OLD_LOCAL, SECRET, SECRET_ENV, allRunning, cli, commandService, health, setupDs, waitFor } from './apply-env.js';

const T = 120_000;

/** The bytes a finished apply writes (same input, same flags → same bytes), made on a tree without services. */
let NEW_LOCAL = '';
beforeAll(async () => {
  const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: OLD_LOCAL });
  try {
    const r = await cli(['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', SECRET_ENV, '--service-manager', 'none'], { [SECRET_ENV]: SECRET });
    expect(r.code, r.stdout + r.stderr).toBe(10);
    NEW_LOCAL = fs.readFileSync(path.join(root, ETC_REL, 'local.json'), 'utf8');
    expect(NEW_LOCAL).toContain(SECRET);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// where the bytes are when the process dies at each step
const STEPS: [step: string, bytes: 'old' | 'new'][] = [
  ['prepared', 'old'], // backup taken, nothing written
  ['atomic:temp-written', 'old'], // new bytes in a temp file next to local.json, not renamed yet
  ['atomic:renamed', 'new'], // renamed over local.json, the journal does not know yet
  ['written', 'new'], // journal says written
  ['restarting', 'new'], // journal says restarting; the services still run the old file
];

describe.concurrent('SIGKILL during apply', () => {
  it.for(STEPS)('at %s: local.json is exactly the %s bytes; next apply refuses (exit 4) naming the rollback; rollback restores', { timeout: T }, async ([step, expected], ctx) => {
    const ds = await setupDs();
    ctx.onTestFinished(() => ds.cleanup());
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-pause-')), 'marker');
    ctx.onTestFinished(() => fs.rmSync(path.dirname(marker), { recursive: true, force: true }));
    const pids = await ds.states();

    const run = ds.start([...ds.applyArgs, '--settle', '1'], { DS_HARDEN_TEST_PAUSE_AT: step, DS_HARDEN_TEST_PAUSE_FILE: marker });
    let exited = false;
    void run.done.then(() => (exited = true));
    await waitFor(`pause marker at ${step}`, () => exited || fs.existsSync(marker), 60_000);
    expect(exited, `apply ended before reaching ${step}:\n${run.output()}`).toBe(false);
    // still there a moment later: the pause really blocks (the process does not just end)
    await new Promise((r) => setTimeout(r, 300));
    expect(exited, `apply did not stay paused at ${step}:\n${run.output()}`).toBe(false);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');

    // never partial: exactly the old or exactly the new bytes
    const now = fs.readFileSync(ds.local, 'utf8');
    expect(now === OLD_LOCAL ? 'old' : now === NEW_LOCAL ? 'new' : `partial/other:\n${now}`).toBe(expected);
    // nothing was restarted
    const after = await ds.states();
    expect(after.get('ds:docservice')!.pid).toBe(pids.get('ds:docservice')!.pid);
    const lockPath = path.join(ds.root, 'var/lib/ds-harden/apply.lock');
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: run.child.pid, command: 'apply' }); // the dead run's lock
    const ids = fs.readdirSync(ds.journalDir);
    expect(ids).toHaveLength(1);
    const id = ids[0]!;

    // the next apply takes the stale lock over, finds the unfinished entry and refuses
    const again = await ds.run(ds.applyArgs);
    expect(again.code, again.stdout + again.stderr).toBe(4);
    expect(again.stdout).toContain(`note: a previous run (pid ${run.child.pid}, apply) died holding the lock.`);
    expect(again.stdout).toMatch(new RegExp(`refused — nothing was changed:\\n  - a previous apply \\(${id}\\) stopped in state "\\S+" without finishing\\. Restore its backup with: ds-harden rollback ${id} --root \\S+`));
    expect(fs.existsSync(lockPath)).toBe(false); // released
    expect(fs.readFileSync(ds.local, 'utf8')).toBe(now); // the refusal wrote nothing
    expect(fs.readdirSync(ds.journalDir)).toEqual([id]);

    const temps = fs.readdirSync(ds.etc).filter((n) => /^\.local\.json\.ds-harden-[0-9a-f]+\.tmp$/.test(n));
    expect(temps).toHaveLength(step === 'atomic:temp-written' ? 1 : 0);

    const rb = await ds.run(['rollback', id, ...ds.common, '--settle', '1']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(rb.stdout).toContain(`restored /`);
    for (const t of temps) expect(rb.stdout).toContain(`removed ${path.join(ds.etc, t)}, left over by the interrupted apply`);
    expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
    // no leftover temp file (it would hold the new secret) next to local.json
    expect(fs.readdirSync(ds.etc).sort()).toEqual(['default.json', 'local.json', 'production-linux.json']);
    expect(await allRunning(ds)).toEqual({ 'ds:converter': 'RUNNING', 'ds:docservice': 'RUNNING' });
    expect(await health(ds)).toBe('200 true');
    expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' }); // the old file is what runs

    const h = await ds.run(['history', '--root', ds.root]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(new RegExp(`^${id}\\s+rolled-back\\s+apply\\s+/etc/onlyoffice/documentserver/local\\.json`, 'm'));

    // recovered: apply works again
    const ok = await ds.run([...ds.applyArgs, '--settle', '1']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(10);
    expect(fs.readFileSync(ds.local, 'utf8')).toBe(NEW_LOCAL);
  });
});
