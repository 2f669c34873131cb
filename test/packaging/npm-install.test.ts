/**
 * Acceptance (issue 11): the packed tarball installs as one package and runs `check` from the install, both with
 * `npm install` into an empty folder and with `npx --yes <tarball>` on a clean npm cache. npm runs with a
 * temporary cache; the tarball has no dependencies, so nothing but the tarball is installed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { runProgram, tempDir } from './helpers.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const CHECK = ['check', '--root', EXAMPLE, '--format', 'json'];

interface PackResult {
  filename: string;
  size: number;
  files: { path: string }[];
}

function npm(args: string[], cwd: string, cache: string) {
  // --ignore-scripts: `prepack` would rebuild dist/ under the other tests' feet; `npm test` has just built it
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

let dir: string;
let tarball: string;
let pack: PackResult;
beforeAll(() => {
  dir = tempDir('dsh-pack-');
  [pack] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO, path.join(dir, 'pack-cache'))) as PackResult[];
  tarball = path.join(dir, pack!.filename);
});

describe('the npm package', () => {
  it('holds what runs, README, LICENSE and schemas, and declares no dependencies', () => {
    const paths = pack.files.map((f) => f.path);
    const bad = paths.filter((p) => !/^(bin\/ds-harden\.cjs|dist\/[^/]+\.(cjs|json|txt)|schemas\/[^/]+|README\.md|LICENSE|package\.json)$/.test(p));
    expect(bad).toEqual([]);
    for (const p of ['bin/ds-harden.cjs', 'dist/manifest.json', 'README.md', 'LICENSE', 'schemas/report.schema.json']) expect(paths).toContain(p);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'dist/manifest.json'), 'utf8')) as { files: Record<string, unknown> };
    for (const f of Object.keys(manifest.files)) expect(paths).toContain(`dist/${f}`);
    const pj = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pj.dependencies ?? {}).toEqual({});
  });

  it('npm install of the tarball into an empty folder adds exactly one package, whose ds-harden check matches the dev tree', () => {
    const app = tempDir('dsh-install-');
    const out = JSON.parse(npm(['install', '--json', '--no-package-lock', tarball], app, path.join(dir, 'install-cache'))) as { added: number };
    expect(out.added).toBe(1);
    expect(fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['ds-harden']);

    const installed = runProgram([path.join(app, 'node_modules/.bin/ds-harden')], CHECK);
    const dev = runCli(CHECK);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(1); // the example has high findings
    expect(installed.stdout).toBe(dev.stdout);
    expect(JSON.parse(installed.stdout).findings.length).toBeGreaterThan(0);
  });

  it('npx --yes <tarball> check runs from a clean npm cache', () => {
    const cwd = tempDir('dsh-npx-');
    fs.copyFileSync(tarball, path.join(cwd, pack.filename));
    const cache = path.join(cwd, 'npm-cache');
    const r = spawnSync('npx', ['--yes', `./${pack.filename}`, ...CHECK], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', npm_config_cache: cache, npm_config_update_notifier: 'false' },
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(runCli(CHECK).stdout);
    expect(fs.existsSync(path.join(cache, '_npx'))).toBe(true); // it really went through npx's own install
  });
});
