/** Shared by the packaging tests: copies of the build away from node_modules, and the source run in-process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { REPO } from '../helpers/context.js';
import type { CliResult } from '../helpers/cli.js';
import { run } from '../../src/run.js';
import { PLAIN } from '../../src/formatters/style.js';

/** A fresh directory below the run's temp dir. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(inject('tmpBase'), prefix));
}

/** No node_modules in `dir` or any directory above it: nothing the built program could fall back on. */
export function noNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** What the reproduction copies: bin/, dist/ and package.json, into an empty folder. Returns the bin. */
export function copyBuild(): string {
  const dir = tempDir('dsh-copy-');
  for (const p of ['bin', 'dist', 'package.json']) fs.cpSync(path.join(REPO, p), path.join(dir, p), { recursive: true });
  return path.join(dir, 'bin/ds-harden.cjs');
}

/** Runs an executable (a bin script through this node, or the single executable itself). */
export function runProgram(cmd: readonly string[], args: readonly string[], env: Record<string, string | undefined> = process.env): CliResult {
  const r = spawnSync(cmd[0]!, [...cmd.slice(1), ...args], { encoding: 'utf8', cwd: REPO, env: { ...env, NO_COLOR: '1' }, input: '', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same command run from the TypeScript source, in this process: what the bundle must reproduce. */
export async function runSource(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
    env: { NO_COLOR: '1' },
    cwd: REPO,
    stdoutIsTTY: false,
    stdinIsTTY: false,
    style: async () => PLAIN,
    onInterrupt: () => () => undefined,
  });
  return { code, stdout, stderr };
}
