/**
 * Acceptance (issue 11): the linux-x64 single executable (npm run build:sea) runs `--version` and `check` on the
 * bundled example with no node on PATH, and reports exactly what the npm package reports: it runs the same
 * launcher and dist/ chunks, embedded. Built once and kept in node_modules/.cache, keyed on the launcher, dist/,
 * the Node binary and the build code (scripts/build-sea.mjs).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSea } from '../../scripts/build-sea.mjs';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { runProgram, tempDir } from './helpers.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const supported = process.platform === 'linux' && process.arch === 'x64';

let exe: string;
let env: Record<string, string>;
beforeAll(async () => {
  if (!supported) return;
  const built = await buildSea({ outdir: path.join(REPO, 'node_modules/.cache/ds-harden-sea'), reuse: true });
  // a copy in a folder of its own, run with a PATH in which there is no node at all
  const dir = tempDir('dsh-sea-');
  exe = path.join(dir, path.basename(built));
  fs.copyFileSync(built, exe);
  fs.copyFileSync(`${built}.sha256`, `${exe}.sha256`);
  fs.chmodSync(exe, 0o755);
  const emptyBin = tempDir('dsh-path-');
  env = { PATH: emptyBin, HOME: tempDir('dsh-home-'), LANG: 'C.UTF-8' };
  expect(spawnSync('/bin/sh', ['-c', 'command -v node'], { env }).status).not.toBe(0);
}, 300_000);

describe.skipIf(!supported)('standalone executable (linux-x64)', () => {
  it('matches its sha256 file, in sha256sum -c format', () => {
    const [sum, name] = fs.readFileSync(`${exe}.sha256`, 'utf8').trim().split(/\s+/);
    expect(name).toBe(path.basename(exe));
    expect(sum).toBe(createHash('sha256').update(fs.readFileSync(exe)).digest('hex'));
  });

  it('runs --version with no node on PATH', () => {
    const r = runProgram([exe], ['--version'], env);
    expect(r).toEqual({ code: 0, stdout: `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  });

  it('runs check on the bundled example with no node on PATH: the same reports and exit code as the npm package', () => {
    for (const format of ['json', 'sarif', 'text']) {
      const args = ['check', '--root', EXAMPLE, '--format', format];
      const r = runProgram([exe], args, env);
      const dev = runCli(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(dev.stdout);
    }
    expect(runProgram([exe], ['check', '--root', EXAMPLE], env).stdout).toContain('DSH');
    // the chunks it ran are dist's own: their code cache is filed under the manifest's sha256 of each (then the hash of
    // the place and Node's settings, the same for every chunk of one executable)
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'dist/manifest.json'), 'utf8')) as { entry: string; files: Record<string, { sha256: string }> };
    const cached = fs.readdirSync(path.join(env.HOME!, '.cache/ds-harden', `code-cache-${process.version}-${process.arch}`));
    const sha = (f: string) => /^([0-9a-f]{32})-[0-9a-f]{8}\.v8$/.exec(f)?.[1];
    expect(cached.map(sha)).toContain(manifest.files[manifest.entry]!.sha256.slice(0, 32));
    expect(cached.every((f) => Object.values(manifest.files).some((m) => m.sha256.slice(0, 32) === sha(f)))).toBe(true);
    expect(new Set(cached.map((f) => f.slice(33))).size).toBe(1);
  });

  it('loads the JSON5 parsers it bundles: a DS 9.x local.json with a trailing comma parses', () => {
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: fs.readFileSync(path.join(REPO, 'fixtures/broken/trailing-comma.json')) });
    const r = runProgram([exe], ['check', '--root', root, '--format', 'json'], env);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { layers: { file: string; status: string }[] };
    expect(report.layers.find((l) => l.file.endsWith('/local.json'))?.status).toBe('loaded');
    expect(r.stdout).toBe(runCli(['check', '--root', root, '--format', 'json']).stdout);
  });
});
