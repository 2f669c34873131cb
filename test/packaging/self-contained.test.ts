/**
 * The built program does not reach outside itself (issue 11): it runs from a copy of bin/, dist/ and
 * package.json with no node_modules anywhere above it, and its JSON reports are identical to those of the dev
 * tree's build and of the TypeScript source — on the broken-input fixtures and on every real DS release.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../scripts/build.mjs';
import { ETC_REL, makeRoot, runCli } from '../helpers/cli.js';
import { REPO, SHARED_CONFIGS, releases } from '../helpers/context.js';
import { copyBuild, noNodeModulesAbove, runProgram, runSource, tempDir } from './helpers.js';

const LOCAL = `${ETC_REL}/local.json`;
const broken = (name: string) => fs.readFileSync(path.join(REPO, 'fixtures/broken', name));

let copy: string;
beforeAll(() => {
  copy = copyBuild();
  expect(noNodeModulesAbove(path.dirname(copy))).toBe(true);
});

/** The copy, the dev tree's build and the source agree on `args`; returns the copy's result. */
async function sameEverywhere(args: string[]) {
  const fromCopy = runProgram([process.execPath, copy], args);
  const dev = runCli(args);
  const source = await runSource(args);
  expect(fromCopy.stderr).toBe(dev.stderr);
  expect(fromCopy.stdout).toBe(dev.stdout);
  expect(fromCopy.code).toBe(dev.code);
  expect(source).toEqual({ code: dev.code, stdout: dev.stdout, stderr: dev.stderr });
  return fromCopy;
}

describe('the bundle from a copy with no node_modules', () => {
  it('parses a DS 9.x local.json with a trailing comma with the bundled JSON5 (no false "cannot parse")', async () => {
    const root = makeRoot('v9.3.0', { [LOCAL]: broken('trailing-comma.json') });
    const r = await sameEverywhere(['check', '--root', root, '--format', 'json']);
    const report = JSON.parse(r.stdout) as { layers: { file: string; status: string }[]; findings: { ruleId: string }[] };
    expect(report.layers.find((l) => l.file.endsWith('/local.json'))?.status).toBe('loaded');
    expect(report.findings.map((f) => f.ruleId)).not.toContain('DSH100');
    // and the text report says the same
    expect(runProgram([process.execPath, copy], ['check', '--root', root]).stdout).not.toContain('DSH100');
  });

  const fixtures = fs.readdirSync(path.join(REPO, 'fixtures/broken')).filter((f) => f.endsWith('.json'));
  for (const release of ['v8.3.3', 'v9.3.0']) {
    it.each(fixtures)(`broken input %s on ${release}: identical JSON report and exit code`, async (fixture) => {
      const root = makeRoot(release, { [LOCAL]: broken(fixture) });
      await sameEverywhere(['check', '--root', root, '--ds-version', release.slice(1), '--format', 'json']);
    });
  }

  const withServer = releases().filter((r) => fs.existsSync(path.join(SHARED_CONFIGS, r, 'server/default.json')));
  it.each(withServer)('stock %s: identical JSON report and exit code', async (release) => {
    const r = await sameEverywhere(['check', '--root', makeRoot(release), '--format', 'json']);
    expect(r.code).toBe(1); // the stock defaults have JWT off: the copy really ran the rules
  });
});

describe('nothing outside the bundle is ever loaded', () => {
  it('the build refuses a bundle that would require a package, whichever it is', async () => {
    await expect(buildDist({ outdir: tempDir('dsh-dist-'), external: ['json5'] })).rejects.toThrow(/not self-contained[\s\S]*requires "json5"/);
    await expect(buildDist({ outdir: tempDir('dsh-dist-'), external: ['commander'] })).rejects.toThrow(/not self-contained[\s\S]*requires "commander"/);
  });

  it('the build refuses a require() or import() of a name it cannot see', async () => {
    for (const code of ['export const lib: unknown = require(String(process.argv[2]));', 'export const lib = import(String(process.argv[2]));']) {
      const entry = path.join(tempDir('dsh-src-'), 'entry.ts');
      fs.writeFileSync(entry, code);
      await expect(buildDist({ outdir: tempDir('dsh-dist-'), entry })).rejects.toThrow(/will not be bundled/);
    }
  });

  it('a parser missing from the bundle is an internal error, never a false "cannot parse" finding, even with node_modules beside it', async () => {
    const dir = tempDir('dsh-nojson5-');
    await buildDist({ outdir: path.join(dir, 'dist'), external: ['json5'], check: false });
    fs.cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules')); // json5 is right there
    const bin = [process.execPath, path.join(dir, 'bin/ds-harden.cjs')];

    const r = runProgram(bin, ['check', '--root', makeRoot('v9.3.0', { [LOCAL]: broken('trailing-comma.json') }), '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ds-harden: internal error: .*"json5".*not part of it/);
    expect(r.stdout).toBe('');

    // JSON5 is loaded only for a file that is not strict JSON: a strict local.json never needs it
    const strict = runProgram(bin, ['check', '--root', makeRoot('v9.3.0', { [LOCAL]: '{"services": {}}\n' }), '--format', 'json']);
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(1);
  });
});
