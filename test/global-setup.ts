/**
 * Once per test run: make sure the real components the integration tests drive are installed
 * (a fresh machine passes with `npm test` alone). Debian packages come from apt-get, as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A temp directory for this test run; removed when the run ends. */
    tmpBase: string;
  }
}

function have(cmd: string): boolean {
  // sbin is not on every PATH (haproxy, nginx and apache2 live in /usr/sbin)
  return spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Command → Debian package, for every real component the integration tests start. */
const COMPONENTS: readonly [string, string][] = [
  ['supervisord', 'supervisor'],
  ['haproxy', 'haproxy'],
  ['nginx', 'nginx'],
  ['apache2', 'apache2'],
  // the wizard is tested in a real terminal
  ['tmux', 'tmux'],
];

export default function setup(project: TestProject): () => void {
  const tmpBase = fs.mkdtempSync(path.join(os.tmpdir(), 'dsh-test-'));
  project.provide('tmpBase', tmpBase);
  // the launcher's V8 code cache (bin/ds-harden.cjs) goes below the run's temp dir, not to ~/.cache
  process.env.DS_HARDEN_CODE_CACHE = path.join(tmpBase, 'code-cache');
  const teardown = () => fs.rmSync(tmpBase, { recursive: true, force: true });
  const missing = COMPONENTS.filter(([cmd]) => !have(cmd!)).map(([, pkg]) => pkg!);
  if (missing.length === 0) return teardown;
  if (process.getuid?.() !== 0) {
    throw new Error(`integration tests need ${missing.join(', ')}: install them (apt-get install -y ${missing.join(' ')}) or run as root`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  return teardown;
}
