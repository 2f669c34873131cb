/**
 * Issue #6 against a REAL supervisord and the stand-in DocService: never make DS worse, tell the truth about the
 * rollback, read the service definitions from the supervisor configuration that is restarted, show what the
 * failing program wrote after the restart (and nothing older), and never lose a concurrent change.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { OLD_LOCAL, SECRET, SECRET_ENV, allRunning, commandService, health, waitFor, withDs } from './apply-env.js';

const T = 120_000;
const ALL_RUNNING = { 'ds:converter': 'RUNNING', 'ds:docservice': 'RUNNING' };
const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

function ensureDsUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['ds'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'ds'], { stdio: 'inherit' });
  }
  return { uid: Number(execFileSync('id', ['-u', 'ds'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'ds'], { encoding: 'utf8' })) };
}

/** The tree gets this host's passwd and group, so ds-harden knows the service user. */
function hostAccounts(): Record<string, string> {
  return { 'etc/passwd': fs.readFileSync('/etc/passwd', 'utf8'), 'etc/group': fs.readFileSync('/etc/group', 'utf8') };
}

describe.concurrent('never make DS worse', () => {
  it('local.json unreadable by ds while DS still runs: apply repairs its mode, DS comes back; rollback keeps it readable', { timeout: T }, async (ctx) => {
    const ds0 = ensureDsUser();
    await withDs(ctx, { user: 'ds', files: hostAccounts() }, async (ds) => {
      expect(await health(ds)).toBe('200 true');
      // DS read local.json at start; now someone makes it root:root 0600 (DS would not survive a restart)
      fs.chownSync(ds.local, 0, 0);
      fs.chmodSync(ds.local, 0o600);
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(10);
      expect(r.stdout).toMatch(/local\.json is not readable by the DS service user ds \(uid 0, gid 0, mode 0600\): DS would fail at its next restart\. The new file gets uid 0, gid \d+, mode 0640/);
      const st = fs.statSync(ds.local);
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([0, ds0.gid, 0o640]);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
      expect(await commandService(ds, SECRET)).toEqual({ error: 0, version: '9.3.0.0' });

      // a rollback restores the old bytes, but not the mode that would stop DS at the restart
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
      const st2 = fs.statSync(ds.local);
      expect([st2.gid, st2.mode & 0o040]).toEqual([ds0.gid, 0o040]);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
    });
  });

  it('another layer DS cannot read: refused before anything is written or restarted', { timeout: T }, async (ctx) => {
    ensureDsUser();
    await withDs(ctx, { user: 'ds', files: hostAccounts() }, async (ds) => {
      const lpl = path.join(ds.etc, 'local-production-linux.json');
      fs.writeFileSync(lpl, '{}\n');
      fs.chmodSync(lpl, 0o600); // root-only: DS (ds) would crash at its next start, whatever apply writes
      const pid = (await ds.states()).get('ds:docservice')!.pid;
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(4);
      expect(r.stdout).toContain('DS could not restart even without this change: the service user ds cannot read /etc/onlyoffice/documentserver/local-production-linux.json');
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
      expect((await ds.states()).get('ds:docservice')!.pid).toBe(pid);
    });
  });
});

describe.concurrent('Ctrl-C', () => {
  it('a double Ctrl-C to the process group during the settle window: exit 20 (not 21), original bytes, DS healthy', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const orig = fs.readFileSync(ds.local);
      // own process group, like a shell job: the terminal's SIGINT goes to every process in it
      const run = ds.start([...ds.applyArgs, '--settle', '8'], {}, { detached: true });
      await waitFor('"waiting … for the services to settle"', () => /waiting 8 s for the services to settle/.test(run.output()), 60_000);
      process.kill(-run.child.pid!, 'SIGINT');
      await waitFor('rollback to start', () => run.output().includes('rolling back: interrupted by SIGINT'), 4_000);
      process.kill(-run.child.pid!, 'SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      process.kill(-run.child.pid!, 'SIGINT');
      const r = await run.done;
      expect(r.code, all(r)).toBe(20);
      expect(r.stderr).toContain('SIGINT: still rolling back');
      expect(all(r)).not.toContain('Traceback');
      expect(all(r)).not.toContain('ROLLBACK FAILED');
      expect(fs.readFileSync(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' });
    });
  });

  it('Ctrl-C while `supervisorctl restart` runs reaches only ds-harden (children have their own group): exit 20, RUNNING', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const orig = fs.readFileSync(ds.local);
      const run = ds.start([...ds.applyArgs, '--settle', '1'], {}, { detached: true });
      await waitFor('"restarting …"', () => run.output().includes('restarting ds:docservice, ds:converter (supervisor)'), 60_000, 5);
      const group = execFileSync('ps', ['-o', 'pid,pgid,args', '-g', String(run.child.pid)], { encoding: 'utf8' });
      process.kill(-run.child.pid!, 'SIGINT');
      const r = await run.done;
      expect(group).not.toMatch(/supervisorctl/);
      expect(r.code, all(r)).toBe(20);
      expect(r.stderr).toContain('SIGINT: rolling back, please wait');
      expect(all(r)).not.toContain('Traceback');
      expect(fs.readFileSync(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' });
    });
  });
});

describe.concurrent('the service definitions of --supervisor-conf', () => {
  it('a NODE_CONFIG in the program environment is found: check reports JWT off, apply refuses to write what it overrides', { timeout: T }, async (ctx) => {
    const nodeConfig = JSON.stringify({ services: { CoAuthoring: { token: { enable: { request: { inbox: false } } } } } });
    await withDs(ctx, { docserviceEnv: { NODE_CONFIG: nodeConfig } }, async (ds) => {
      const c = await ds.run(['check', '--root', ds.root, '--supervisor-conf', ds.sup.conf, '--format', 'json']);
      expect(c.code, all(c)).toBe(1);
      const report = JSON.parse(c.stdout) as { layers: { file: string }[]; findings: { ruleId: string; key?: string; message: string; location?: { file: string; line: number; column: number } }[] };
      expect(report.layers.map((l) => l.file)).toContain(`NODE_CONFIG in ${ds.sup.conf}`);
      const inbox = report.findings.find((f) => f.key === 'services.CoAuthoring.token.enable.request.inbox');
      // located where supervisord reads it: the program's environment= line, at the column of NODE_CONFIG
      const at = inbox!.location!;
      expect(at.file).toBe(ds.sup.conf);
      expect(fs.readFileSync(ds.sup.conf, 'utf8').split('\n')[at.line - 1]!.slice(at.column - 1)).toMatch(/^NODE_CONFIG='\{/);
      expect(inbox!.message).toContain(`NODE_CONFIG in ${ds.sup.conf}:${at.line}`);
      const r = await ds.run(ds.applyArgs);
      expect(r.code, all(r)).toBe(4);
      expect(r.stdout).toContain(`services.CoAuthoring.token.enable.request.inbox would be written to local.json, but NODE_CONFIG in ${ds.sup.conf} loads later and overrides it`);
      expect(fs.readFileSync(ds.local, 'utf8')).toBe(OLD_LOCAL);
      // DS really runs with JWT off for incoming requests
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' });
    });
  });
});

describe.concurrent('the failure report', () => {
  it('shows the cause the program wrote to out.log after the restart, and not a stale err.log line', { timeout: T }, async (ctx) => {
    await withDs(ctx, { fault: { kind: 'no-listen' } }, async (ds) => {
      const errLog = path.join(path.dirname(ds.sup.conf), 'docservice', 'err.log');
      fs.appendFileSync(errLog, 'Error: a stale start-up error from 15 minutes ago\n');
      const r = await ds.run([...ds.applyArgs, '--settle', '1', '--health-timeout', '4', '--json']);
      expect(r.code, all(r)).toBe(20);
      const j = JSON.parse(r.stdout) as { failure: { reason: string; logs: { name: string; stream: string; tail: string }[] } };
      expect(j.failure.reason).toMatch(/^healthcheck failed/);
      const out = j.failure.logs.find((l) => l.name === 'ds:docservice' && l.stream === 'stdout');
      expect(out?.tail).toContain('getTableColumns error: error: password authentication failed for user "onlyoffice"');
      expect(r.stdout).not.toContain('stale start-up error');
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
    });
  });

  it('progress is shown while apply waits for an unhealthy DS', { timeout: T }, async (ctx) => {
    await withDs(ctx, { fault: { kind: 'unhealthy' } }, async (ds) => {
      const r = await ds.run([...ds.applyArgs, '--settle', '1', '--health-timeout', '3']);
      expect(r.code, all(r)).toBe(20);
      expect(r.stdout).toMatch(/probing the healthcheck\n/);
      expect(r.stdout).toMatch(/waiting 1 s for the services to settle/);
    });
  });
});

describe.concurrent('no lost update', () => {
  const CoAuthoring = (p: string) => (JSON5.parse(fs.readFileSync(p, 'utf8')) as { services: { CoAuthoring: Record<string, any> } }).services.CoAuthoring;
  const SECRET_B = 'Bq8wN3mX5vT1rY7uK2pL9sD4fG6hJ0zC3aE5';

  it('two applies with different secrets started together or offset by a little: never two commits from one file state; the loser refuses', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      for (const offset of [0, 15, 60]) {
        const a = ds.start([...ds.applyArgs, '--settle', '1', '--json']);
        await new Promise((r) => setTimeout(r, offset));
        const b = ds.start([...ds.applyArgs, '--settle', '1', '--json'], { [SECRET_ENV]: SECRET_B });
        const [ra, rb] = await Promise.all([a.done, b.done]);
        const results = [ra, rb].map((r) => ({ code: r.code, doc: JSON.parse(r.stdout) as { outcome: string; refusals: { code: string }[] } }));
        // each run commits, refuses (the other holds the lock, or changed the file under it), or — when it planned
        // after the other committed the same value — finds nothing to change; never anything else
        expect(results.every((x) => [0, 4, 10].includes(x.code)), JSON.stringify(results)).toBe(true);
        const refused = results.filter((x) => x.code === 4);
        for (const x of refused) expect(['locked', 'changed-since-read']).toContain(x.doc.refusals[0]?.code);
        const journal = fs.readdirSync(ds.journalDir).map((id) => JSON.parse(fs.readFileSync(path.join(ds.journalDir, id, 'manifest.json'), 'utf8')));
        const commits = journal.filter((e) => e.state === 'committed');
        const befores = commits.map((e) => e.files[0].sha256Before);
        expect(new Set(befores).size).toBe(befores.length);
        // the file holds the secret of the last commit
        const secret = CoAuthoring(ds.local).secret.inbox.string;
        expect([SECRET, SECRET_B]).toContain(secret);
        expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      }
    });
  });

  it('an edit of local.json between plan and write: apply refuses and the edit stays', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      for (const step of ['planned', 'atomic:temp-written']) {
        const marker = path.join(ds.root, `pause-${step.replace(/\W/g, '_')}`);
        const resume = `${marker}.go`;
        const run = ds.start([...ds.applyArgs, '--settle', '1'], { DS_HARDEN_TEST_PAUSE_AT: step, DS_HARDEN_TEST_PAUSE_FILE: marker, DS_HARDEN_TEST_RESUME_FILE: resume });
        await waitFor(`pause at ${step}`, () => fs.existsSync(marker), 60_000);
        const edited = fs.readFileSync(ds.local, 'utf8').replace('{', `{\n  "editedBy": "${step}",`);
        fs.writeFileSync(ds.local, edited);
        fs.writeFileSync(resume, '');
        const r = await run.done;
        expect(r.code, all(r)).toBe(4);
        expect(r.stdout).toMatch(/changed (after ds-harden read it|while ds-harden was working)/);
        expect(fs.readFileSync(ds.local, 'utf8')).toBe(edited);
        expect(fs.readdirSync(ds.etc).filter((n) => n.includes('.ds-harden-'))).toEqual([]);
      }
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
    });
  });
});
