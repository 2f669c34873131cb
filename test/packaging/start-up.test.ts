/**
 * What `check` loads at start-up (scripts/BENCH-NOTES.md): the built program, run as a user runs it, with a preload that
 * records every chunk the launcher compiles and every Node built-in loaded (test/support/record-loads.cjs). The
 * assertions are about pieces a check of an ordinary host does not need; each is also shown to be loaded when it is
 * needed, so that the probe itself is known to see it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { runProgram, tempDir } from './helpers.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');
const COMPOSE = path.join(REPO, 'fixtures/installs/compose-9.2');
const RECORDER = path.join(REPO, 'test/support/record-loads.cjs');
/** A message of the YAML library (yaml@2), so present in whichever chunk holds it. */
const YAML_TEXT = 'Implicit keys need to be on a single line';

function loads(args: readonly string[]): { code: number; chunks: string[]; builtins: string[]; yaml: boolean } {
  const record = path.join(tempDir('dsh-loads-'), 'loads.json');
  const r = runProgram([process.execPath, '-r', RECORDER, BIN], args, { ...process.env, DSH_RECORD_LOADS: record });
  expect(r.stderr).toBe('');
  const { chunks, builtins } = JSON.parse(fs.readFileSync(record, 'utf8')) as { chunks: string[]; builtins: string[] };
  const yaml = chunks.some((f) => fs.readFileSync(path.join(REPO, 'dist', path.basename(f)), 'utf8').includes(YAML_TEXT));
  return { code: r.code, chunks, builtins, yaml };
}

describe('check at start-up', () => {
  it('on a host with no compose file loads neither the compose reader nor YAML, nor crypto or child_process', () => {
    const r = loads(['check', '--root', EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.chunks.length).toBeGreaterThan(2);
    expect(r.yaml).toBe(false);
    expect(r.builtins).not.toContain('crypto');
    expect(r.builtins).not.toContain('child_process');
  });

  it('loads YAML when a compose file is next to the root, and crypto for SARIF', () => {
    expect(loads(['check', '--root', COMPOSE]).yaml).toBe(true);
    expect(loads(['check', '--root', EXAMPLE, '--format', 'sarif']).builtins).toContain('crypto');
  });
});
