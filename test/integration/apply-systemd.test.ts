/**
 * apply under systemd (DS ≥ 7.3 deb/rpm), with a stand-in systemctl/journalctl on PATH that behaves like
 * Restart=always units: `systemctl restart` exits 0 even when the service then crash-loops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/context.js';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';

const FAKE = path.join(REPO, 'test/support/fake-systemctl.mjs');
const SECRET = 'Jd8Ks2Lq5Wn1Xr7Tz3Vb9Yc4Fh6Gm0Pa';
const ORIGINAL = '{\n  "services": { "CoAuthoring": {} }\n}\n';

function setup(crashWith?: string) {
  const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: ORIGINAL });
  const local = path.join(root, ETC_REL, 'local.json');
  const bin = path.join(root, 'fakebin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\nexec '${process.execPath}' '${FAKE}' "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'journalctl'), `#!/bin/sh\nFAKE_SYSTEMCTL_AS=journalctl exec '${process.execPath}' '${FAKE}' "$@"\n`, { mode: 0o755 });
  const state = path.join(root, 'systemd-state.json');
  const unit = (pid: number) => ({ activeState: 'active', subState: 'running', mainPid: pid, nRestarts: 0, execMainStatus: 0, startMono: 1 });
  fs.writeFileSync(
    state,
    JSON.stringify({
      nextPid: 5000,
      journal: { 'ds-docservice.service': ['Error: Configuration property "services.CoAuthoring.x" is not defined'] },
      units: {
        'ds-docservice.service': { ...unit(101), ...(crashWith ? { crashLoopIf: { file: local, text: crashWith } } : {}) },
        'ds-converter.service': unit(102),
        'ds-metrics.service': unit(103),
      },
    }),
  );
  const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_SYSTEMCTL_STATE: state, FAKE_SYSTEMCTL_LOG: path.join(root, 'argv.log'), DSH_SECRET: SECRET };
  const args = ['apply', '--root', root, '--allow', '10.0.0.5', '--secret-env', 'DSH_SECRET', '--service-manager', 'systemd', '--no-health', '--settle', '1.5'];
  return { root, local, env, args, argvLog: () => fs.readFileSync(path.join(root, 'argv.log'), 'utf8') };
}

describe('apply under systemd', () => {
  it('restarts only the running config readers (not ds-metrics) and commits', () => {
    const t = setup();
    const r = runCli(t.args, { env: t.env });
    expect(r.code, r.stdout + r.stderr).toBe(10);
    const restarts = t.argvLog().split('\n').filter((l) => l.includes('"restart"'));
    expect(restarts.join('\n')).toContain('ds-docservice.service');
    expect(restarts.join('\n')).toContain('ds-converter.service');
    expect(restarts.join('\n')).not.toContain('ds-metrics');
    expect(t.argvLog()).not.toContain(SECRET);
    expect(fs.readFileSync(t.local, 'utf8')).toContain('"0:0:0:0:0:0:0:1"');
  });

  it('sees a crash loop that `systemctl restart` hides, and rolls back', () => {
    const t = setup('0:0:0:0:0:0:0:1');
    const r = runCli(t.args, { env: t.env });
    expect(r.code, r.stdout + r.stderr).toBe(20);
    expect(r.stdout).toMatch(/ds-docservice\.service .*auto-restart/);
    expect(r.stdout).toContain('Configuration property "services.CoAuthoring.x" is not defined');
    expect(fs.readFileSync(t.local, 'utf8')).toBe(ORIGINAL);
    expect(r.stdout).toContain('rolled back');
  });
});
