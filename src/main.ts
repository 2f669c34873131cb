/** The process boundary: the only module that touches argv, env, stdio and the exit code. */
import type { Io } from './cli/io.js';
import type { Style } from './formatters/style.js';
import { run } from './run.js';
import { PLAIN } from './formatters/style.js';

async function makeStyle(noColorFlag: boolean): Promise<Style> {
  const env = process.env;
  // chalk does not honour NO_COLOR (toolchain-notes): decide here.
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb') return PLAIN;
  if (!process.stdout.isTTY && !env.FORCE_COLOR) return PLAIN;
  const { Chalk } = await import('chalk');
  const c = new Chalk(env.FORCE_COLOR === '0' ? { level: 0 } : {});
  if (c.level === 0) return PLAIN;
  return { bold: c.bold, dim: c.dim, red: c.red, yellow: c.yellow, green: c.green, cyan: c.cyan, magenta: c.magenta };
}

// `ds-harden history | head`: once the reader is gone, drop further output instead of dying with EPIPE — a
// running apply must still finish (or roll back) its transaction.
let stdoutGone = false;
let stderrGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutGone = true;
  else throw e;
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stderrGone = true;
  else throw e;
});

const io: Io = {
  out: (s) => void (stdoutGone || process.stdout.write(s)),
  err: (s) => void (stderrGone || process.stderr.write(s)),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  style: makeStyle,
  onInterrupt(handler) {
    const h = (sig: NodeJS.Signals) => handler(sig);
    process.on('SIGINT', h);
    process.on('SIGTERM', h);
    return () => {
      process.off('SIGINT', h);
      process.off('SIGTERM', h);
    };
  },
  async prompter() {
    const { openPrompter } = await import('./adapters/prompter.js');
    return openPrompter({ input: process.stdin, output: process.stdout });
  },
};

run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ds-harden: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 3;
  },
);
