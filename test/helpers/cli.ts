/** Run the built CLI (bin/ds-harden.cjs → dist/) as a user would, on a temporary DS tree. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { REPO, SHARED_CONFIGS } from './context.js';

export const BIN = path.join(REPO, 'bin/ds-harden.cjs');
export const ETC_REL = 'etc/onlyoffice/documentserver';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    input: opts.input ?? '',
    timeout: 60_000,
    // a report on thousands of rules is larger than spawnSync's 1 MiB default (which kills the child)
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** runCli without blocking this process (for a test that serves HTTP the CLI calls back). */
export function runCliAsync(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A temporary DS host tree: the real upstream server config of `release` (from ../shared/ds-configs, never
 * copied into the repo) plus `files` (host path relative to the root → content).
 */
export function makeRoot(release: string | undefined, files: Record<string, string | Buffer> = {}): string {
  // below the run's temp dir (removed at the end of the run); os.tmpdir() when used outside vitest
  let base = os.tmpdir();
  try {
    base = inject('tmpBase') ?? base;
  } catch {
    /* not inside a vitest worker */
  }
  const root = fs.mkdtempSync(path.join(base, 'dsh-root-'));
  const etc = path.join(root, ETC_REL);
  fs.mkdirSync(etc, { recursive: true });
  if (release) {
    for (const name of ['default.json', 'production-linux.json']) {
      const src = path.join(SHARED_CONFIGS, release, 'server', name);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(etc, name));
    }
  }
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return root;
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  location?: { file: string; line: number; column: number };
  key?: string;
  remediation?: string;
}

export function findingsOf(r: CliResult): JsonFinding[] {
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

/**
 * The exit status a shell reports (`$?`) for a child that ended with `code`, or was ended by `signal`: 128 + the
 * signal's number (SIGINT 130, SIGTERM 143), as an interrupted program ends by re-raising the signal.
 */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? os.constants.signals[signal] : 0);
}

/** No Node stack trace ever reaches the user. */
export function expectNoStack(text: string): boolean {
  return !/^\s+at .+\(.+:\d+:\d+\)$/m.test(text) && !/node:internal/.test(text);
}
