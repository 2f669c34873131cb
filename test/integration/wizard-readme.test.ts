/**
 * The README's first-install session is a recorded run, kept true here: the wizard in a real terminal (tmux) on a
 * stock DS 9.3 tree whose DocService and FileConverter (the stand-ins) run under a real supervisord, with Nextcloud's
 * occ (the stand-in that really signs and downloads). The screen, with the volatile parts made stable (the test
 * harness's flags and paths, journal ids, ports), must equal the README's block.
 * It is also the wizard's run with Nextcloud's occ: both ends get the same secret, which never reaches occ's argv or
 * environment. UPDATE_README=1 writes the recording into the README instead.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { BIN } from './apply-env.js';
import { REPO } from '../helpers/context.js';
import { Term } from '../support/tmux.js';
import { allRunning, setupDs } from './apply-env.js';
import { makeNc } from './standin-nc.js';

const README = path.join(REPO, 'README.md');
const START = '<!-- wizard-session:start (recorded by test/integration/wizard-readme.test.ts; UPDATE_README=1 re-records) -->';
const END = '<!-- wizard-session:end -->';
const OCC_SHOWN = 'sudo -u www-data php /var/www/nextcloud/occ';
const JOURNAL = /\b\d{8}-\d{6}-[0-9a-f]+\b/g;

/** The README's block (between the markers, inside the ```text fence). */
function readmeSession(text: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  expect(a, 'README has the wizard session markers').toBeGreaterThan(-1);
  const block = text.slice(a + START.length, b);
  const m = /```text\n([\s\S]*?)```/.exec(block);
  expect(m, 'README wizard session block').not.toBeNull();
  return m![1]!;
}

/**
 * Journal ids and ports differ on every run, and so does the number of service-state samples in the settle window
 * (one line each while nothing changes): compare ids and ports as placeholders, repeated lines once.
 */
function stable(text: string): string {
  return text
    .replace(JOURNAL, '<journal id>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .split('\n')
    .filter((l, i, all) => i === 0 || l !== all[i - 1])
    .join('\n');
}

describe('README: the wizard session', () => {
  it('is what a first install on a stock 9.3 tree with Nextcloud shows', { timeout: 180_000 }, async (ctx) => {
    const ds = await setupDs({ local: null });
    ctx.onTestFinished(() => ds.cleanup());
    const nc = makeNc(ds);
    const t = new Term({ dir: path.dirname(ds.root), cwd: REPO, env: { NO_COLOR: '1', ...nc.env }, width: 240 });
    ctx.onTestFinished(() => t.kill());
    // what the admin types is `sudo ds-harden wizard`; the harness adds where the tree, supervisord and DS are
    const harness = ['--root', ds.root, '--supervisor-conf', ds.sup.conf, '--health-url', ds.healthUrl];
    t.start([process.execPath, BIN, 'wizard', ...harness]);

    const steps: [string, (() => void)][] = [
      ['? Which integrator uses this Document Server?', () => t.press('Enter')],
      ["? Nextcloud's address(es) as DS sees them", () => (t.type('192.168.10.20'), t.press('Enter'))],
      ['? The storage URL DS calls back', () => t.press('Enter')],
      ['? JWT secret:', () => t.press('Enter')],
      ['? JWT header:', () => t.press('Enter')],
      ['? Filter incoming API requests by address too (useforrequest)?', () => t.press('Enter')],
      ["? How to run Nextcloud's occ here", () => (t.type(nc.occ), t.press('Enter'))],
      ['? Apply this plan now?', () => (t.type('y'), t.press('Enter'))],
    ];
    for (const [prompt, act] of steps) {
      await t.waitFor(prompt, { timeoutMs: 30_000 });
      act();
      await t.waitFor('✔ ' + prompt.slice(2), { timeoutMs: 60_000 });
    }
    expect(await t.exitCode(120_000)).toBe(10);
    const screen = t.screen();
    const secret = nc.state().app.jwt_secret!;
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(screen).not.toContain(secret);
    // both ends changed together: DS verifies with the secret the app signs with, in the same header
    const co = JSON.parse(fs.readFileSync(ds.local, 'utf8')).services.CoAuthoring;
    expect(co.secret.inbox.string).toBe(secret);
    expect(nc.state().app.jwt_header).toBe('Authorization');
    // the secret reached occ only on stdin (config:import), never in an argv or environment
    for (const c of nc.calls()) {
      expect(c.argv.join(' ')).not.toContain(secret);
      expect(JSON.stringify(c.env)).not.toContain(secret);
    }
    expect(nc.calls().some((c) => c.argv.includes('config:import') && c.stdin.includes(secret))).toBe(true);
    expect(await allRunning(ds)).toEqual({ 'ds:converter': 'RUNNING', 'ds:docservice': 'RUNNING' });

    // what the admin sees on a real host: the harness's flags and paths are not part of it
    let recorded = '$ sudo ds-harden wizard\n' + screen;
    for (const [flag, value] of [['--root', ds.root], ['--supervisor-conf', ds.sup.conf], ['--health-url', ds.healthUrl]] as const) {
      recorded = recorded.split(` ${flag} ${value}`).join('');
    }
    recorded = recorded.split(nc.occ).join(OCC_SHOWN).replace(/^ {2}ds-harden apply /m, '  sudo ds-harden apply ');
    expect(recorded).not.toContain(ds.root);
    expect(recorded).toContain(`--nextcloud-occ '${OCC_SHOWN}'`);

    const text = fs.readFileSync(README, 'utf8');
    if (process.env.UPDATE_README) {
      const a = text.indexOf(START);
      const b = text.indexOf(END);
      fs.writeFileSync(README, text.slice(0, a + START.length) + '\n```text\n' + recorded + '```\n' + text.slice(b));
      return;
    }
    expect(stable(recorded)).toBe(stable(readmeSession(text)));
  });
});
