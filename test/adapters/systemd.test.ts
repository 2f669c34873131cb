/**
 * systemd adapter against test/support/fake-systemctl.mjs (a stand-in that behaves like systemd 252 with
 * DS-shaped units: Type=simple, Restart=always, `restart` exits 0 whatever happens next).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Systemd, SHOW_PROPERTIES, parseShow, canonicalUnitName, type UnitState } from '../../src/adapters/services/systemd.js';

const FAKE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/fake-systemctl.mjs');
const DS = 'ds-docservice.service';
const CONV = 'ds-converter.service';
const SECRET = 'jwt-Secret-0123456789abcdefghijklmnopqrstuv';

/**
 * Real output of `systemctl --user show -p Id,LoadState,ActiveState,SubState,MainPID,NRestarts,ExecMainStatus,
 * ExecMainStartTimestampMonotonic ds-docservice.service ds-converter.service ds-old.service` on systemd 252
 * (Debian 12), with units modelled on DS: ds-docservice/ds-converter as 8.0+ (`sh -c 'exec … 2>&1 | tee -a …'`),
 * ds-old as 7.3–7.5 (`sh -c 'exec … >>out.log 2>>err.log'`) whose program exits 1 at start (after one
 * RestartSec=30 cycle). Note the property order is systemd's, not the -p order.
 */
const REAL_SHOW = `MainPID=5388
NRestarts=0
ExecMainStartTimestampMonotonic=1182776511
ExecMainStatus=0
Id=ds-docservice.service
LoadState=loaded
ActiveState=active
SubState=running

MainPID=4777
NRestarts=0
ExecMainStartTimestampMonotonic=1140627506
ExecMainStatus=0
Id=ds-converter.service
LoadState=loaded
ActiveState=active
SubState=running

MainPID=0
NRestarts=1
ExecMainStartTimestampMonotonic=1175520477
ExecMainStatus=1
Id=ds-old.service
LoadState=loaded
ActiveState=activating
SubState=auto-restart
`;

/** Real output for a unit that does not exist (same systemd 252, exit 0). */
const REAL_NOT_FOUND = `MainPID=0
NRestarts=0
ExecMainStartTimestampMonotonic=0
ExecMainStatus=0
Id=nosuch.service
LoadState=not-found
ActiveState=inactive
SubState=dead
`;

/** What `systemctl show` prints (stderr, exit 1) in a container where systemd is not PID 1 (observed). */
const NOT_BOOTED = "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down";

interface FakeUnit {
  activeState?: string;
  subState?: string;
  mainPid?: number;
  nRestarts?: number;
  execMainStatus?: number;
  startMono?: number;
  crashLoop?: boolean;
  crashAfterShows?: number;
  stuckActivating?: boolean;
  omitNRestarts?: boolean;
  restartExitCode?: number;
  restartStderr?: string;
}

let dir: string;
let statePath: string;
let logPath: string;
let shim: string;

async function setState(state: { units: Record<string, FakeUnit>; down?: string; journal?: Record<string, string[]> }): Promise<void> {
  await writeFile(statePath, JSON.stringify({ nextPid: 4000, ...state }));
}

async function readState(): Promise<{ units: Record<string, FakeUnit & { showsSinceRestart?: number }> }> {
  return JSON.parse(await readFile(statePath, 'utf8'));
}

/** Every invocation the fake saw. */
async function calls(): Promise<{ tool: string; argv: string[]; LC_ALL: string | null; LANG: string | null }[]> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', FAKE_SYSTEMCTL_STATE: statePath, FAKE_SYSTEMCTL_LOG: logPath, ...extra };
}

function sd(extraEnv: Record<string, string> = {}): Systemd {
  return new Systemd({ systemctl: shim, journalctl: path.join(dir, 'journalctl'), env: env(extraEnv) });
}

const healthy = (pid: number, extra: FakeUnit = {}): FakeUnit => ({
  activeState: 'active',
  subState: 'running',
  mainPid: pid,
  nRestarts: 0,
  execMainStatus: 0,
  startMono: 1_000_000 + pid,
  ...extra,
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dsh-systemd-'));
  statePath = path.join(dir, 'state.json');
  logPath = path.join(dir, 'argv.log');
  // The shim pins the node binary that runs the tests; the fake itself is also executable (used via PATH below).
  shim = path.join(dir, 'systemctl-shim');
  await writeFile(shim, `#!/bin/sh\nexec '${process.execPath}' '${FAKE}' "$@"\n`);
  await chmod(shim, 0o755);
  const jshim = path.join(dir, 'journalctl');
  await writeFile(jshim, `#!/bin/sh\nFAKE_SYSTEMCTL_AS=journalctl exec '${process.execPath}' '${FAKE}' "$@"\n`);
  await chmod(jshim, 0o755);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseShow', () => {
  it('parses real systemd 252 output (properties in systemd order, one block per unit)', () => {
    const states = parseShow(REAL_SHOW);
    expect(states).toEqual<UnitState[]>([
      { name: DS, loadState: 'loaded', activeState: 'active', subState: 'running', mainPid: 5388, nRestarts: 0, execMainStatus: 0, execMainStartTimestampMonotonic: 1182776511 },
      { name: CONV, loadState: 'loaded', activeState: 'active', subState: 'running', mainPid: 4777, nRestarts: 0, execMainStatus: 0, execMainStartTimestampMonotonic: 1140627506 },
      {
        name: 'ds-old.service',
        loadState: 'loaded',
        activeState: 'activating',
        subState: 'auto-restart',
        mainPid: 0,
        nRestarts: 1,
        execMainStatus: 1,
        execMainStartTimestampMonotonic: 1175520477,
      },
    ]);
  });

  it('tolerates CRLF, extra blank lines, junk lines and values containing "="; maps to requested names', () => {
    const messy = `\r\n\r\n${REAL_SHOW.replace(/\n/g, '\r\n').replace('SubState=running', 'SubState=running\r\nnot a property\r\nDescription=a=b')}\r\n\r\n`;
    const states = parseShow(messy, ['ds-docservice', 'ds-converter', 'ds-old']);
    expect(states.map((s) => [s.name, s.activeState, s.subState, s.mainPid])).toEqual([
      [DS, 'active', 'running', 5388],
      [CONV, 'active', 'running', 4777],
      ['ds-old.service', 'activating', 'auto-restart', 0],
    ]);
  });

  it('matches blocks by Id when the block count differs, and marks units without a block unknown', () => {
    const states = parseShow(REAL_NOT_FOUND + '\n' + REAL_SHOW.split('\n\n')[1], ['nosuch', 'ds-metrics', CONV]);
    expect(states.map((s) => [s.name, s.loadState, s.activeState])).toEqual([
      ['nosuch.service', 'not-found', 'inactive'],
      ['ds-metrics.service', 'unknown', 'unknown'],
      [CONV, 'loaded', 'active'],
    ]);
    // systemd < 235 has no NRestarts; empty values do not become NaN
    const [old] = parseShow('Id=x.service\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=\nExecMainStartTimestampMonotonic=\n');
    expect(old).toEqual({ name: 'x.service', loadState: 'loaded', activeState: 'active', subState: 'running', mainPid: 0, nRestarts: 0, execMainStatus: 0 });
    expect(canonicalUnitName('ds-docservice')).toBe(DS);
    expect(canonicalUnitName('ds.target')).toBe('ds.target');
  });
});

describe('Systemd via fake systemctl', () => {
  it('available(): true when ds-docservice is a unit; false without that unit, when systemd is not PID 1, or without systemctl', async () => {
    await setState({ units: { [DS]: healthy(100) } });
    expect(await sd().available()).toBe(true);
    expect((await calls()).at(-1)?.argv).toEqual(['show', '-p', 'LoadState', DS]);

    await setState({ units: { [CONV]: healthy(101) } }); // systemd answers, but DS is not installed as units
    expect(await sd().available()).toBe(false);

    await setState({ units: {}, down: NOT_BOOTED });
    expect(await sd().available()).toBe(false);
    await expect(sd().show([DS])).rejects.toMatchObject({ name: 'SystemdUnavailableError', reason: 'no-systemd', exitCode: 1 });

    const missing = new Systemd({ systemctl: path.join(dir, 'no-such-systemctl'), env: env() });
    expect(await missing.available()).toBe(false);
    await expect(missing.show([DS])).rejects.toMatchObject({ reason: 'not-installed' });
  });

  it('show()/running(): exact argv, states in requested order, unknown units not-found, only active ones running', async () => {
    await setState({ units: { [DS]: healthy(100), [CONV]: { activeState: 'inactive', subState: 'dead', mainPid: 0 } } });
    const states = await sd().show(['ds-docservice', CONV, 'nosuch']);
    expect((await calls()).at(-1)?.argv).toEqual(['show', '-p', SHOW_PROPERTIES.join(','), 'ds-docservice', CONV, 'nosuch']);
    expect(SHOW_PROPERTIES.join(',')).toBe('Id,LoadState,ActiveState,SubState,MainPID,NRestarts,ExecMainStatus,ExecMainStartTimestampMonotonic');
    expect(states.map((s) => [s.name, s.loadState, s.activeState, s.mainPid])).toEqual([
      [DS, 'loaded', 'active', 100],
      [CONV, 'loaded', 'inactive', 0],
      ['nosuch.service', 'not-found', 'inactive', 0],
    ]);
    expect(await sd().running()).toEqual([DS]);
    expect((await calls()).at(-1)?.argv.slice(3)).toEqual([DS, CONV]);
  });

  it('default binary name is found through PATH (the fake is executable on its own)', async () => {
    const bin = path.join(dir, 'bin');
    await (await import('node:fs/promises')).mkdir(bin);
    await symlink(FAKE, path.join(bin, 'systemctl'));
    await setState({ units: { [DS]: healthy(100) } });
    const s = new Systemd({ env: env({ PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` }) });
    expect(await s.available()).toBe(true);
    expect(await s.running([DS])).toEqual([DS]);
  });

  it('healthy restart → watch ok; NRestarts left over from earlier crashes is not held against the new run', async () => {
    await setState({ units: { [DS]: healthy(100, { nRestarts: 7 }), [CONV]: healthy(101, { nRestarts: 2 }) } });
    const s = sd();
    const r = await s.restart([DS, CONV]);
    expect(r).toEqual({ exitCode: 0, output: '' });
    expect((await calls()).at(-1)?.argv).toEqual(['--no-ask-password', 'restart', DS, CONV]);
    const progress: UnitState[][] = [];
    const w = await s.watch([DS, CONV], { settleMs: 1300, intervalMs: 100, onProgress: (st) => progress.push(st) });
    expect(w.failed).toEqual([]);
    expect(w.ok).toBe(true);
    expect(w.samples).toBeGreaterThanOrEqual(5);
    expect(w.elapsedMs).toBeGreaterThanOrEqual(1300);
    expect(progress).toHaveLength(w.samples);
    expect(progress.at(-1)!.map((u) => [u.name, u.mainPid, u.nRestarts])).toEqual([
      [DS, 4000, 7],
      [CONV, 4001, 2],
    ]);
  });

  it('crash loop: restart exits 0, watch fails early on activating (auto-restart) / NRestarts', async () => {
    await setState({ units: { [DS]: healthy(100, { crashLoop: true }), [CONV]: healthy(101) } });
    const s = sd();
    const r = await s.restart([DS, CONV]);
    expect(r.exitCode).toBe(0); // exactly like Restart=always + Type=simple
    const w = await s.watch([DS, CONV], { settleMs: 10_000, intervalMs: 100 });
    expect(w.ok).toBe(false);
    expect(w.elapsedMs).toBeLessThan(3000); // stopped early, not after settleMs
    expect(w.failed).toHaveLength(1);
    expect(w.failed[0]!.name).toBe(DS);
    expect(w.failed[0]!.state).toBe('activating/auto-restart');
    expect(w.failed[0]!.reason).toMatch(/auto-restart/);
    expect(w.failed[0]!.reason).toMatch(/NRestarts=1, counted when the restart happens/);
    expect(w.failed[0]!.reason).toMatch(/tee/); // ExecMainStatus=0 explained
  });

  it('crash loop is caught through NRestarts even with a baseline taken right after restart', async () => {
    await setState({ units: { [DS]: healthy(100, { crashLoop: true, nRestarts: 3 }) } });
    const s = sd();
    await s.restart([DS]);
    const baseline = await s.show([DS]);
    expect(baseline[0]!.nRestarts).toBe(4);
    const w = await s.watch([DS], { settleMs: 5000, intervalMs: 50, baseline });
    expect(w.ok).toBe(false);
    expect(w.samples).toBe(1);
    expect(w.failed[0]!.reason).toContain('NRestarts 4 -> 5');
  });

  it('crash after N samples → fails on the MainPID change (systemd < 235: no NRestarts at all)', async () => {
    await setState({ units: { [DS]: healthy(100, { crashAfterShows: 3, omitNRestarts: true }) } });
    const s = sd();
    expect((await s.restart([DS])).exitCode).toBe(0);
    const w = await s.watch([DS], { settleMs: 10_000, intervalMs: 50 });
    expect(w.ok).toBe(false);
    expect(w.samples).toBe(4); // healthy for 3 shows, the 4th sees the new process
    expect(w.failed).toEqual([{ name: DS, state: 'active/running', reason: expect.stringMatching(/^MainPID changed 4000 -> 4001/) }]);
    expect(w.failed[0]!.reason).not.toMatch(/NRestarts/);
  });

  it('crash after N samples with NRestarts: both the MainPID change and NRestarts are reported', async () => {
    await setState({ units: { [DS]: healthy(100, { crashAfterShows: 2 }), [CONV]: healthy(101) } });
    const s = sd();
    await s.restart([DS, CONV]);
    const w = await s.watch([DS, CONV], { settleMs: 10_000, intervalMs: 50 });
    expect(w.ok).toBe(false);
    expect(w.failed.map((f) => f.name)).toEqual([DS]);
    expect(w.failed[0]!.reason).toMatch(/MainPID changed 4000 -> 4002/);
    expect(w.failed[0]!.reason).toMatch(/NRestarts increased 0 -> 1/);
  });

  it('abort signal → ok:false with reason "aborted", promptly', async () => {
    await setState({ units: { [DS]: healthy(100) } });
    const s = sd();
    await s.restart([DS]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    // a long interval: the abort has to cut the pause between samples short
    const w = await s.watch([DS], { settleMs: 20_000, intervalMs: 5000, signal: ac.signal });
    expect(w.ok).toBe(false);
    expect(w.failed).toEqual([{ name: DS, state: 'active/running', reason: 'aborted' }]);
    expect(w.elapsedMs).toBeLessThan(2000);
    expect(w.samples).toBeGreaterThanOrEqual(1);

    const pre = new AbortController();
    pre.abort();
    const w2 = await s.watch([DS], { settleMs: 20_000, signal: pre.signal });
    expect(w2).toMatchObject({ ok: false, samples: 0, failed: [{ name: DS, state: 'unknown', reason: 'aborted' }] });
  });

  it('a unit that never reaches active/running is tolerated for the first second only', async () => {
    await setState({ units: { [DS]: healthy(100, { stuckActivating: true }) } });
    const s = sd();
    await s.restart([DS]);
    const t = Date.now();
    const w = await s.watch([DS], { settleMs: 10_000, intervalMs: 100 });
    expect(w.ok).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t).toBeLessThan(4000);
    expect(w.samples).toBeGreaterThan(3);
    expect(w.failed[0]).toMatchObject({ name: DS, state: 'activating/start', reason: expect.stringMatching(/expected active \(running\)/) });

    // a settle window shorter than the grace period still requires active/running at the end
    await s.restart([DS]);
    const w2 = await s.watch([DS], { settleMs: 200, intervalMs: 50 });
    expect(w2.ok).toBe(false);
    expect(w2.failed[0]!.reason).toMatch(/after 200 ms/);
  });

  it('a unit that does not exist fails watch at once; restart of it exits 5 with systemd’s message', async () => {
    await setState({ units: { [DS]: healthy(100) } });
    const s = sd();
    const r = await s.restart([DS, 'ds-nosuch.service']);
    expect(r.exitCode).toBe(5);
    expect(r.output).toBe('Failed to restart ds-nosuch.service: Unit ds-nosuch.service not found.');
    const w = await s.watch([DS, 'ds-nosuch'], { settleMs: 5000, intervalMs: 50 });
    expect(w.samples).toBe(1);
    expect(w.failed).toEqual([{ name: 'ds-nosuch.service', state: 'inactive/dead', reason: 'unit is not loaded (LoadState=not-found)' }]);
  });

  it('restart failure (e.g. no root) is returned, not thrown', async () => {
    await setState({ units: { [DS]: healthy(100, { restartExitCode: 4, restartStderr: 'Failed to restart ds-docservice.service: Access denied' }) } });
    expect(await sd().restart([DS])).toEqual({ exitCode: 4, output: 'Failed to restart ds-docservice.service: Access denied' });
  });

  it('logTail(): journalctl -u <unit> -n <lines> --no-pager -o cat; empty string when journalctl is missing', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    lines.push("Error: Cannot parse config file: '/etc/onlyoffice/documentserver/local.json'");
    await setState({ units: { [DS]: healthy(100) }, journal: { [DS]: lines } });
    const tail = await sd().logTail(DS, 3);
    expect(tail.split('\n')).toEqual(['line 29', 'line 30', "Error: Cannot parse config file: '/etc/onlyoffice/documentserver/local.json'"]);
    expect((await calls()).at(-1)).toMatchObject({ tool: 'journalctl', argv: ['-u', DS, '-n', '3', '--no-pager', '-o', 'cat'] });
    expect((await sd().logTail(DS)).split('\n')).toHaveLength(20);

    const noJournal = new Systemd({ systemctl: shim, journalctl: path.join(dir, 'no-journalctl'), env: env() });
    expect(await noJournal.logTail(DS)).toBe('');
  });

  it('never puts the environment (secrets) in argv, and always runs with LC_ALL=C', async () => {
    await setState({ units: { [DS]: healthy(100), [CONV]: healthy(101) }, journal: { [DS]: ['x'] } });
    const s = sd({ LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8', JWT_SECRET: SECRET, DS_SECRET: SECRET });
    await s.available();
    await s.running();
    await s.restart([DS, CONV]);
    const baseline = await s.show([DS, CONV]);
    expect((await s.watch([DS, CONV], { settleMs: 200, intervalMs: 50, baseline })).ok).toBe(true);
    await s.logTail(DS);
    const seen = await calls();
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const c of seen) {
      expect(c.argv.join(' ')).not.toContain(SECRET);
      expect(c.argv.join(' ')).not.toMatch(/secret/i);
      expect(c.LC_ALL).toBe('C');
      expect(c.LANG).toBe('C');
    }
    expect(new Set(seen.map((c) => (c.tool === 'journalctl' ? 'journalctl' : c.argv.find((a) => !a.startsWith('-')))))).toEqual(
      new Set(['show', 'restart', 'journalctl']),
    );
  });

  it('rejects unit names that could be read as options or split words, before running anything', async () => {
    await setState({ units: { [DS]: healthy(100) } });
    const s = sd();
    for (const bad of ['--force', '-H', 'a b', '', 'x\ny']) {
      await expect(s.restart([bad])).rejects.toThrow(TypeError);
      await expect(s.show([DS, bad])).rejects.toThrow(TypeError);
    }
    await expect(s.restart([])).rejects.toThrow(TypeError);
    await expect(s.watch([], { settleMs: 0 })).rejects.toThrow(TypeError);
    expect(await calls()).toEqual([]);
    const st = await readState();
    expect(st.units[DS]!.mainPid).toBe(100);
  });
});
