#!/usr/bin/env node
/**
 * Test stand-in for `systemctl` (and, with FAKE_SYSTEMCTL_AS=journalctl, for `journalctl`).
 *
 * Environment:
 *   FAKE_SYSTEMCTL_STATE  JSON state file (required), rewritten after every call that changes it
 *   FAKE_SYSTEMCTL_LOG    argv log, one JSON line per invocation: {tool, argv, LC_ALL, LANG}
 *                         (default: <state>.argv.log)
 *   FAKE_SYSTEMCTL_AS     "journalctl" to behave as journalctl
 *
 * State file:
 *   {
 *     "down": "System has not been booted with systemd …",   // optional: every systemctl call fails (exit 1)
 *     "nextPid": 4000,                                         // optional
 *     "journal": { "ds-docservice.service": ["line", …] },    // for journalctl -u
 *     "units": {
 *       "ds-docservice.service": {
 *         "activeState": "active", "subState": "running", "mainPid": 1234, "nRestarts": 0,
 *         "execMainStatus": 0, "startMono": 123,
 *         // scenario knobs:
 *         "crashLoop": true,          // after restart: activating/auto-restart, MainPID 0, NRestarts +1 on every show
 *         "crashAfterShows": 3,       // after restart: healthy for 3 shows, then once a new MainPID and NRestarts +1
 *         "stuckActivating": true,    // after restart: activating/start, MainPID 0 (never comes up)
 *         "omitNRestarts": true,      // behave like systemd < 235: no NRestarts property
 *         "restartExitCode": 1, "restartStderr": "…"   // restart fails for this unit
 *         "crashLoopIf": { "file": "/…/local.json", "text": "…" }  // at restart: crashLoop = the file contains text
 *       }
 *     }
 *   }
 * Like real systemd, `restart` exits 0 as soon as the process is "forked" (Type=simple), whatever happens next,
 * and `show` prints properties in systemd's order (not in -p order), one blank-line separated block per unit.
 * Unknown units: show → LoadState=not-found; restart → "Unit … not found." exit 5. NRestarts is kept by restart.
 */
import fs from 'node:fs';

const statePath = process.env.FAKE_SYSTEMCTL_STATE;
const tool = process.env.FAKE_SYSTEMCTL_AS === 'journalctl' ? 'journalctl' : 'systemctl';
const argv = process.argv.slice(2);

if (!statePath) {
  process.stderr.write('fake-systemctl: FAKE_SYSTEMCTL_STATE is not set\n');
  process.exit(2);
}
const logPath = process.env.FAKE_SYSTEMCTL_LOG || `${statePath}.argv.log`;
fs.appendFileSync(logPath, `${JSON.stringify({ tool, argv, LC_ALL: process.env.LC_ALL ?? null, LANG: process.env.LANG ?? null })}\n`);

const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
state.units ??= {};
state.nextPid ??= 4000;

function save() {
  const tmp = `${statePath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, statePath);
}

const SUFFIX = /\.(service|socket|target|timer|mount|automount|path|slice|scope|device|swap)$/;
const canon = (n) => (SUFFIX.test(n) ? n : `${n}.service`);
const nowMono = () => Number(process.hrtime.bigint() / 1000n);
const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);

if (tool === 'journalctl') {
  // journalctl -u <unit> -n <lines> --no-pager -o cat
  let unit;
  let n = 10;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-u') unit = argv[++i];
    else if (argv[i] === '-n') n = Number(argv[++i]);
  }
  const lines = (unit && state.journal?.[canon(unit)]) || [];
  if (lines.length === 0) out('-- No entries --\n');
  else out(`${lines.slice(-n).join('\n')}\n`);
  process.exit(0);
}

if (state.down) {
  err(`${state.down}\n`);
  process.exit(1);
}

// options may come before or after the verb; the first non-option word is the verb
const props = [];
const words = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-p' || a === '--property') props.push(...argv[++i].split(','));
  else if (a.startsWith('--property=')) props.push(...a.slice(11).split(','));
  else if (a.startsWith('-p') && a.length > 2) props.push(...a.slice(2).split(','));
  else if (a.startsWith('-')) continue; // --no-ask-password, --no-pager, …
  else words.push(a);
}
const [verb, ...units] = words;

/** Advance a unit's scenario by one `show`. */
function tick(u) {
  if (!u.restarted) return;
  u.showsSinceRestart = (u.showsSinceRestart ?? 0) + 1;
  if (u.crashLoop) {
    u.activeState = 'activating';
    u.subState = 'auto-restart';
    u.mainPid = 0;
    u.execMainStatus = 0; // 8.0+ units: tee's exit status
    u.nRestarts = (u.nRestarts ?? 0) + 1;
  } else if (u.stuckActivating) {
    u.activeState = 'activating';
    u.subState = 'start';
    u.mainPid = 0;
  } else if (typeof u.crashAfterShows === 'number' && !u.crashedOnce && u.showsSinceRestart > u.crashAfterShows) {
    u.crashedOnce = true;
    u.mainPid = state.nextPid++;
    u.nRestarts = (u.nRestarts ?? 0) + 1;
    u.startMono = nowMono();
  }
}

function block(name, wanted) {
  const id = canon(name);
  const u = state.units[id];
  const values = u
    ? {
        MainPID: u.mainPid ?? 0,
        NRestarts: u.omitNRestarts ? undefined : (u.nRestarts ?? 0),
        ExecMainStartTimestampMonotonic: u.startMono ?? 0,
        ExecMainStatus: u.execMainStatus ?? 0,
        Id: id,
        LoadState: u.loadState ?? 'loaded',
        ActiveState: u.activeState ?? 'inactive',
        SubState: u.subState ?? 'dead',
      }
    : { MainPID: 0, NRestarts: 0, ExecMainStartTimestampMonotonic: 0, ExecMainStatus: 0, Id: id, LoadState: 'not-found', ActiveState: 'inactive', SubState: 'dead' };
  // systemd's own order (Service properties first, then Unit properties), as seen on systemd 252
  return Object.entries(values)
    .filter(([k, v]) => v !== undefined && (wanted.length === 0 || wanted.includes(k)))
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}

switch (verb) {
  case 'show': {
    const list = units.length ? units : ['-.slice'];
    for (const n of list) {
      const u = state.units[canon(n)];
      if (u) tick(u);
    }
    out(list.map((n) => block(n, props)).join('\n'));
    save();
    process.exit(0);
  }
  case 'is-active': {
    let any = false;
    for (const n of units) {
      const s = state.units[canon(n)]?.activeState ?? 'inactive';
      if (s === 'active') any = true;
      out(`${s}\n`);
    }
    process.exit(any ? 0 : 3);
  }
  case 'restart': {
    if (units.length === 0) {
      err('Too few arguments.\n');
      process.exit(1);
    }
    let code = 0;
    for (const n of units) {
      const id = canon(n);
      const u = state.units[id];
      if (!u) {
        err(`Failed to restart ${id}: Unit ${id} not found.\n`);
        code = 5;
        continue;
      }
      if (u.restartExitCode) {
        err(`${u.restartStderr ?? `Failed to restart ${id}.`}\n`);
        code = u.restartExitCode;
        continue;
      }
      u.activeState = 'active';
      u.subState = 'running';
      u.mainPid = state.nextPid++;
      u.execMainStatus = 0;
      u.startMono = nowMono();
      u.restarted = true;
      u.showsSinceRestart = 0;
      if (u.crashLoopIf) {
        // like a DS binary that cannot start with the configuration it finds at start-up
        u.crashLoop = fs.existsSync(u.crashLoopIf.file) && fs.readFileSync(u.crashLoopIf.file, 'utf8').includes(u.crashLoopIf.text);
      }
      u.crashedOnce = false;
    }
    save();
    process.exit(code);
  }
  default:
    err(`Unknown command verb ${verb ?? '(none)'}.\n`);
    process.exit(1);
}
