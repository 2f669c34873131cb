/**
 * Acceptance of `ds-harden apply` / `rollback` / `history` (issue #3) against a REAL supervisord running the
 * stand-in DocService (test/support/standin-ds.cjs, which loads the config dir with DS's own `config` library).
 * Each test has its own DS tree, supervisord and port (test/integration/apply-env.ts). Crash safety (SIGKILL at
 * every step of the transaction) is in apply-crash.test.ts.
 *
 * Needs root (a `ds` system user is created when missing) and Debian's supervisor (test/global-setup.ts).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { OLD_LOCAL, SECRET, SECRET_ENV, allRunning, commandService, health, manifests, stateOf, waitFor, withDs } from './apply-env.js';

const T = 120_000;
const ALL_RUNNING = { 'ds:converter': 'RUNNING', 'ds:docservice': 'RUNNING' };
const NEW_RULES = [
  { address: '10.0.0.5', allowed: true },
  { address: '127.0.0.1', allowed: true },
  { address: '0:0:0:0:0:0:0:1', allowed: true },
  { address: '*', allowed: false },
];

const read = (p: string) => fs.readFileSync(p);
const all = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
const CoAuthoring = (text: string | Buffer) => (JSON5.parse(String(text)) as { services: { CoAuthoring: Record<string, any> } }).services.CoAuthoring;

describe.concurrent('apply against a real supervisord', () => {
  it('success: exit 10, rules and secret in local.json, RUNNING, healthy, JWT enforced; the same command again changes nothing', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' }); // JWT off before
      const before = await ds.states();
      const r = await ds.run(ds.applyArgs);
      expect(r.code, all(r)).toBe(10);
      expect(r.stdout).toMatch(/done: .*local\.json updated, ds:docservice, ds:converter restarted and healthy/);
      const id = /journal (\S+) — undo with: ds-harden rollback \1/.exec(r.stdout)?.[1];
      expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);

      const text = read(ds.local).toString('utf8');
      const co = CoAuthoring(text);
      expect(co.ipfilter.rules).toEqual(NEW_RULES);
      for (const slot of ['inbox', 'outbox', 'session']) expect(co.secret[slot]).toEqual({ string: SECRET });
      expect(co.token.enable).toEqual({ browser: true, request: { inbox: true, outbox: true } });
      expect(JSON5.parse(text)['x-site-note']).toBe('kept by ds-harden');
      expect(co.sql).toEqual({ dbHost: 'localhost', dbName: 'onlyoffice', dbUser: 'onlyoffice' });

      const after = await ds.states();
      expect(Object.fromEntries([...after].map(([k, v]) => [k, v.state]))).toEqual(ALL_RUNNING);
      expect(after.get('ds:docservice')!.pid).not.toBe(before.get('ds:docservice')!.pid); // restarted
      expect(after.get('ds:converter')!.pid).not.toBe(before.get('ds:converter')!.pid);
      expect(await health(ds)).toBe('200 true');
      // the stand-in loaded the new file: unsigned CommandService is refused, signed with the new secret works
      expect(await commandService(ds)).toEqual({ error: 6 });
      expect(await commandService(ds, SECRET)).toEqual({ error: 0, version: '9.3.0.0' });

      // idempotent re-run: exit 0, not written (bytes and mtime), not restarted (pids), no journal entry
      const st0 = fs.statSync(ds.local);
      const bytes0 = read(ds.local);
      const journal0 = fs.readdirSync(ds.journalDir);
      const r2 = await ds.run(ds.applyArgs);
      expect(r2.code, all(r2)).toBe(0);
      expect(r2.stdout).toContain('nothing to change: the configuration already matches.');
      expect(read(ds.local).equals(bytes0)).toBe(true);
      const st1 = fs.statSync(ds.local);
      expect([st1.mtimeMs, st1.ino]).toEqual([st0.mtimeMs, st0.ino]);
      const again = await ds.states();
      expect(again.get('ds:docservice')!.pid).toBe(after.get('ds:docservice')!.pid);
      expect(again.get('ds:converter')!.pid).toBe(after.get('ds:converter')!.pid);
      expect(fs.readdirSync(ds.journalDir)).toEqual(journal0);
    });
  });

  it('history lists applies; rollback (no id) restores the last apply\'s original bytes and restarts; --json apply says "changed"', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const fast = [...ds.applyArgs, '--settle', '1'];
      const empty = await ds.run(['history', '--root', ds.root]);
      expect([empty.code, empty.stdout]).toEqual([0, 'no applies recorded yet.\n']);

      const a1 = await ds.run(fast);
      expect(a1.code, all(a1)).toBe(10);
      const id1 = fs.readdirSync(ds.journalDir)[0]!;
      const h1 = await ds.run(['history', '--root', ds.root]);
      expect(h1.code).toBe(0);
      expect(h1.stdout).toMatch(new RegExp(`^${id1}\\s+committed\\s+apply\\s+/etc/onlyoffice/documentserver/local\\.json\\n$`));

      const pid = (await ds.states()).get('ds:docservice')!.pid;
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      expect(rb.stdout).toContain(`from ${id1}; ds:docservice, ds:converter restarted and healthy.`);
      expect(read(ds.local).toString('utf8')).toBe(OLD_LOCAL);
      const st = await ds.states();
      expect(Object.fromEntries([...st].map(([k, v]) => [k, v.state]))).toEqual(ALL_RUNNING);
      expect(st.get('ds:docservice')!.pid).not.toBe(pid);
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' }); // JWT off again: old file loaded

      const a2 = await ds.run([...fast, '--json']);
      expect(a2.code, all(a2)).toBe(10);
      const j = JSON.parse(a2.stdout) as Record<string, unknown>;
      expect(j).toMatchObject({ command: 'apply', outcome: 'changed', changed: true, exitCode: 10, dryRun: false, restarted: ['ds:docservice', 'ds:converter'] });
      expect(a2.stdout).not.toContain(SECRET);
      const hj = await ds.run(['history', '--root', ds.root, '--json']);
      const entries = (JSON.parse(hj.stdout) as { entries: { id: string; state: string; command: string }[] }).entries;
      expect(entries.map((e) => [e.id, e.state])).toEqual([
        [j.journalId, 'committed'],
        [id1, 'rolled-back'],
      ]);
      // rolling back again (no id) takes the newest apply that is not rolled back
      const rb2 = await ds.run(['rollback', ...ds.common, '--settle', '1', '--json']);
      expect(rb2.code, all(rb2)).toBe(0);
      expect(JSON.parse(rb2.stdout)).toMatchObject({ command: 'rollback', id: j.journalId, outcome: 'rolled-back' });
      expect(read(ds.local).toString('utf8')).toBe(OLD_LOCAL);
      // and a rolled-back entry is not rolled back twice
      const rb3 = await ds.run(['rollback', String(j.journalId), ...ds.common]);
      expect([rb3.code, rb3.stdout]).toEqual([0, `${j.journalId} is already rolled back.\n`]);
    });
  });
});

describe.concurrent('apply fails → automatic rollback to the original bytes', () => {
  it('a config the service rejects at start (supervisor spawn error): exit 20, original bytes, RUNNING, error log shown', { timeout: T }, async (ctx) => {
    await withDs(ctx, { fault: { kind: 'reject' } }, async (ds) => {
      const orig = read(ds.local);
      const r = await ds.run(ds.applyArgs);
      expect(r.code, all(r)).toBe(20);
      expect(read(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' }); // the old file is what runs
      // supervisorctl reports "spawn error" when the program dies within startsecs; on a loaded machine the start
      // itself can take longer, and the settle window sees BACKOFF instead — the same failure, observed either way
      const reason = /failed: (restart failed: ds:docservice spawn error|services did not stay up: ds:docservice (BACKOFF|FATAL|EXITED|STARTING)[^\n]*)/;
      expect(r.stdout).toMatch(reason);
      expect(r.stdout).toContain('--- what ds:docservice wrote to err.log (stderr) after the restart ---');
      expect(r.stdout).toContain('Error: Configuration property "services.CoAuthoring.ipfilter.rulesCompiled" is not defined');
      expect(r.stdout).toMatch(/rolled back: the original file is restored and ds:docservice, ds:converter are running again \(journal \S+\)/);
      const h = await ds.run(['history', '--root', ds.root]);
      expect(h.stdout).toMatch(/\S+\s+rolled-back\s+apply\s+\/etc\/onlyoffice\/documentserver\/local\.json\s+— (restart failed: ds:docservice spawn error|services did not stay up: ds:docservice)/);
    });
  });

  it('a service that dies after startsecs is caught in the settle window (--settle 4): exit 20, original bytes, RUNNING', { timeout: T }, async (ctx) => {
    await withDs(ctx, { fault: { kind: 'exit-after:2500' } }, async (ds) => {
      const orig = read(ds.local);
      const r = await ds.run([...ds.applyArgs, '--settle', '4', '--json']);
      expect(r.code, all(r)).toBe(20);
      const j = JSON.parse(r.stdout) as { outcome: string; failure: { reason: string; failed: { name: string }[]; logs: { name: string; stream: string; tail: string }[] } };
      expect(j.outcome).toBe('rolled-back');
      expect(j.failure.reason).toMatch(/^services did not stay up: ds:docservice /);
      expect(j.failure.failed.map((f) => f.name)).toEqual(['ds:docservice']);
      expect(j.failure.logs.find((l) => l.stream === 'stderr')?.tail).toContain('injected crash after 2500 ms');
      expect(r.stderr).toContain('waiting 4 s for the services to settle');
      expect(read(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
      // caught by the settle window itself (the reason above), not by a health timeout; how fast is bench:apply's business
    });
  });

  it('healthcheck answers false with the new config: exit 20, original bytes, RUNNING and healthy again', { timeout: T }, async (ctx) => {
    await withDs(ctx, { fault: { kind: 'unhealthy' } }, async (ds) => {
      const orig = read(ds.local);
      const r = await ds.run([...ds.applyArgs, '--settle', '1', '--health-timeout', '3']);
      expect(r.code, all(r)).toBe(20);
      expect(r.stdout).toContain('failed: healthcheck failed: healthcheck answered false');
      expect(r.stdout).toContain('rolled back: the original file is restored');
      expect(read(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect(await health(ds)).toBe('200 true');
    });
  });

  it('SIGINT while waiting for the services to settle: exit 20, original bytes, RUNNING', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const orig = read(ds.local);
      const run = ds.start([...ds.applyArgs, '--settle', '8']);
      await waitFor('"waiting … for the services to settle"', () => /waiting 8 s for the services to settle/.test(run.output()), 60_000);
      const pidNew = (await ds.states()).get('ds:docservice')!.pid;
      expect(await commandService(ds)).toEqual({ error: 6 }); // the new file is live at this point
      run.child.kill('SIGINT');
      const t0 = Date.now();
      // the settle window is cut short: the rollback starts before the 8 s window would have ended
      await waitFor('rollback to start', () => run.output().includes('rolling back: interrupted by SIGINT'), 7_500);
      expect(Date.now() - t0).toBeLessThan(7_500);
      const r = await run.done;
      expect(r.code, all(r)).toBe(20);
      expect(r.stderr).toContain('SIGINT: rolling back, please wait');
      expect(r.stdout).toContain('failed: interrupted by SIGINT');
      expect(read(ds.local).equals(orig)).toBe(true);
      expect(await allRunning(ds)).toEqual(ALL_RUNNING);
      expect((await ds.states()).get('ds:docservice')!.pid).not.toBe(pidNew); // restarted onto the old file
      expect(await commandService(ds)).toEqual({ error: 0, version: '9.3.0.0' });
      expect(await health(ds)).toBe('200 true');
    });
  });
});

describe.concurrent('what apply leaves alone', () => {
  it('a deliberately stopped program stays stopped; --restart-all starts it (supervisorctl restart all starts every program)', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      expect((await ds.sup.ctl(['stop', 'ds:converter'])).stdout).toContain('ds:converter: stopped');
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(10);
      expect(r.stdout).toContain('restarting ds:docservice (supervisor)');
      expect(r.stdout).toMatch(/local\.json updated, ds:docservice restarted and healthy/);
      expect(await stateOf(ds)).toEqual({ 'ds:converter': 'STOPPED', 'ds:docservice': 'RUNNING' });

      // rollback restarts what the apply restarted, nothing more
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      expect(await stateOf(ds)).toEqual({ 'ds:converter': 'STOPPED', 'ds:docservice': 'RUNNING' });

      // --restart-all runs the literal `supervisorctl restart all`: real supervisor stops the running programs and
      // then starts *every* program in the config, so the stopped converter comes up (with the new file)
      const r2 = await ds.run([...ds.applyArgs, '--settle', '1', '--restart-all']);
      expect(r2.code, all(r2)).toBe(10);
      expect(r2.stdout).toContain('restarting: supervisorctl restart all');
      expect(await stateOf(ds)).toEqual(ALL_RUNNING);
    });
  });

  it('owner, group and mode of local.json are kept (ds:ds 0640); a symlinked local.json stays a symlink and its target gets the bytes', { timeout: T }, async (ctx) => {
    ensureDsUser();
    const ids = { uid: Number(execFileSync('id', ['-u', 'ds'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'ds'], { encoding: 'utf8' })) };
    // the tree gets the host's passwd/group, so ds-harden also checks that user ds can read the new file
    const files = { 'etc/passwd': fs.readFileSync('/etc/passwd'), 'etc/group': fs.readFileSync('/etc/group') };
    await withDs(ctx, { files }, async (ds) => {
      fs.chownSync(ds.local, ids.uid, ids.gid);
      fs.chmodSync(ds.local, 0o640);
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(10);
      const st = fs.statSync(ds.local);
      expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) }).toEqual({ ...ids, mode: '640' });
      expect(read(ds.local).toString()).toContain(SECRET);
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      const st2 = fs.statSync(ds.local);
      expect({ uid: st2.uid, gid: st2.gid, mode: (st2.mode & 0o7777).toString(8) }).toEqual({ ...ids, mode: '640' });
    });

    await withDs(ctx, { local: null, files: { ...files, 'etc/onlyoffice/real/local.json': OLD_LOCAL } }, async (ds) => {
      const target = path.join(ds.root, 'etc/onlyoffice/real/local.json');
      fs.symlinkSync('../real/local.json', ds.local);
      fs.chownSync(target, ids.uid, ids.gid);
      fs.chmodSync(target, 0o640);
      // supervisord started before the link existed: restart once so the stand-in runs on the linked file
      await ds.sup.ctl(['restart', 'all']);
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(10);
      expect(fs.lstatSync(ds.local).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(ds.local)).toBe('../real/local.json');
      expect(CoAuthoring(read(target)).secret.inbox).toEqual({ string: SECRET });
      const st = fs.statSync(target);
      expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) }).toEqual({ ...ids, mode: '640' });
      expect(await commandService(ds)).toEqual({ error: 6 }); // DS read the new bytes through the link
      // nothing was left next to the link or the target
      expect(fs.readdirSync(path.dirname(target))).toEqual(['local.json']);
      expect(fs.readdirSync(ds.etc).sort()).toEqual(['default.json', 'local.json', 'production-linux.json']);
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      expect(fs.lstatSync(ds.local).isSymbolicLink()).toBe(true);
      expect(read(target).toString('utf8')).toBe(OLD_LOCAL);
    });
  });

  it('comments, tab indentation, CRLF line endings and unknown keys survive byte for byte outside the edited spans', { timeout: T }, async (ctx) => {
    const lines = [
      '// local.json — edited by hand, keep this header',
      '{',
      '\t/* database: do not touch */',
      '\t"services": {',
      '\t\t"CoAuthoring": {',
      '\t\t\t"sql": {',
      '\t\t\t\t"dbHost": "localhost", // the local PostgreSQL',
      '\t\t\t\t"dbName": "onlyoffice"',
      '\t\t\t},',
      '\t\t\t"x-unknown-block": { "keep": [1, 2, 3], "nested": { "deep": "yes" } },',
      '\t\t\t"token": {',
      '\t\t\t\t"enable": {',
      '\t\t\t\t\t"browser": false, /* off for now */',
      '\t\t\t\t\t"request": { "inbox": false, "outbox": false }',
      '\t\t\t\t}',
      '\t\t\t}',
      '\t\t}',
      '\t},',
      '\t// trailing unknown key',
      '\t"x-site-note": "kept"',
      '}',
      '',
    ];
    const orig = lines.join('\r\n');
    await withDs(ctx, { local: orig }, async (ds) => {
      const r = await ds.run([...ds.applyArgs, '--settle', '1']);
      expect(r.code, all(r)).toBe(10);
      expect(await commandService(ds)).toEqual({ error: 6 }); // DS parsed the edited file and enforces JWT
      const out = read(ds.local).toString('utf8');
      // CRLF everywhere, no bare LF, and new lines indented with tabs like the rest
      expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const outLines = out.split('\r\n');
      expect(outLines.filter((l) => /^ +\S/.test(l))).toEqual([]);
      // the edited spans: the two token.enable lines, and the line a new member is appended after (it gets a comma)
      const edited = new Set([12, 13, 15]);
      const kept = lines.filter((_, i) => !edited.has(i));
      // every other line is there unchanged and in the same order
      let at = 0;
      for (const l of kept) {
        const found = outLines.indexOf(l, at);
        expect(found, `line ${JSON.stringify(l)} kept in order`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      expect(outLines).toContain('\t\t\t\t\t"browser": true, /* off for now */');
      expect(outLines).toContain('\t\t\t\t\t"request": { "inbox": true, "outbox": true }');
      const co = CoAuthoring(out);
      expect(co['x-unknown-block']).toEqual({ keep: [1, 2, 3], nested: { deep: 'yes' } });
      expect(co.ipfilter.rules).toEqual(NEW_RULES);
      expect(co.secret.session).toEqual({ string: SECRET });
      // and rollback gives back the exact bytes
      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      expect(read(ds.local).toString('utf8')).toBe(orig);
    });
  });
});

describe('the secret never leaks', () => {
  it('not in the process list, stdout, stderr, history, history --json, journal manifests or --dry-run output', { timeout: T }, async (ctx) => {
    await withDs(ctx, {}, async (ds) => {
      const seen: string[] = [];
      // the dry run first: a diff with the secret masked
      for (const json of [false, true]) {
        const d = await ds.run([...ds.applyArgs, '--dry-run', ...(json ? ['--json'] : [])]);
        expect(d.code, all(d)).toBe(10);
        const diff = json ? (JSON.parse(d.stdout) as { diff: string }).diff : d.stdout;
        expect(diff).toMatch(/^\+ +"string": "•+\(40 chars\)"$/m);
        expect(diff).toMatch(/^\+ +"address": "0:0:0:0:0:0:0:1",$/m);
        seen.push(d.stdout, d.stderr);
      }
      expect(read(ds.local).toString('utf8')).toBe(OLD_LOCAL);

      // sample the process list every 50 ms while apply runs (ps runs outside the CLI's process tree)
      const samples: string[] = [];
      const environs: string[] = []; // environments of the supervisorctl children (root may read them)
      const run = ds.start([...ds.applyArgs, '--settle', '2']);
      let running = true;
      const sampler = (async () => {
        while (running) {
          const ps = await psArgs();
          samples.push(ps);
          for (const m of ps.matchAll(/^\s*(\d+) .*supervisorctl/gm)) {
            try {
              environs.push(fs.readFileSync(`/proc/${m[1]}/environ`, 'latin1'));
            } catch {
              /* already gone */
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const r = await run.done;
      running = false;
      await sampler;
      expect(r.code, all(r)).toBe(10);
      seen.push(r.stdout, r.stderr);
      expect(samples.length).toBeGreaterThan(20);
      // the sampler did see the run and its supervisorctl children: a leak in argv would have been caught
      expect(samples.some((s) => s.includes(`--secret-env ${SECRET_ENV}`))).toBe(true);
      expect(samples.some((s) => /supervisorctl -c \S+ status/.test(s))).toBe(true);
      expect(samples.filter((s) => s.includes(SECRET))).toEqual([]);
      // nor in the environment ds-harden hands to supervisorctl (`ps e` shows it): it needs no secret
      expect(environs.length).toBeGreaterThan(0);
      expect(environs.some((e) => e.includes('LC_ALL=C'))).toBe(true);
      expect(environs.filter((e) => e.includes(SECRET)).length, 'supervisorctl environments holding the secret').toBe(0);

      const rb = await ds.run(['rollback', ...ds.common, '--settle', '1']);
      expect(rb.code, all(rb)).toBe(0);
      seen.push(rb.stdout, rb.stderr);
      const a2 = await ds.run([...ds.applyArgs, '--settle', '1', '--json']);
      expect(a2.code, all(a2)).toBe(10);
      seen.push(a2.stdout, a2.stderr);
      for (const args of [['history'], ['history', '--json']]) {
        const h = await ds.run([...args, '--root', ds.root]);
        expect(h.code).toBe(0);
        expect(h.stdout).toMatch(/committed/);
        seen.push(h.stdout, h.stderr);
      }
      const ms = manifests(ds);
      expect(ms.length).toBe(2);
      seen.push(...ms);
      expect(seen.filter((s) => s.includes(SECRET))).toEqual([]);
      // the secret really is in the file (the needle is right)
      expect(read(ds.local).toString()).toContain(SECRET);
    });
  });
});

function psArgs(): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ps', ['-eo', 'pid,args'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', () => resolve(out));
  });
}

function ensureDsUser(): void {
  try {
    execFileSync('id', ['ds'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'ds'], { stdio: 'inherit' });
  }
}
