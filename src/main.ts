/** The process boundary: the only module that touches argv, env, stdio and the exit code. */
import { writeSync } from 'node:fs';
import type { Io } from './cli/io.js';
import type { Style } from './formatters/style.js';
import { INTERRUPTED_NOTE, interruptedCode, run } from './run.js';
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

/**
 * Writes straight to file descriptor `fd` (1 or 2), synchronously and in order, without the stream objects
 * behind process.stdout/stderr (making them costs a few ms of every start). A reader that went away
 * (`ds-harden check | head`) ends the output quietly. A descriptor left non-blocking by the parent (EAGAIN) gets
 * the rest through Node's stream, which waits for it.
 */
function writer(fd: 1 | 2): (s: string) => void {
  let mode: 'sync' | 'stream' | 'closed' = 'sync';
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  return (s) => {
    if (mode === 'stream') stream().write(s);
    if (mode !== 'sync') return;
    const buf = Buffer.from(s, 'utf8');
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') mode = 'closed';
        else if (code === 'EAGAIN') {
          mode = 'stream';
          stream().write(buf.subarray(off));
        } else throw e;
        return;
      }
    }
  };
}

/**
 * Ctrl-C and SIGTERM: the newest handler a command installed (a change in progress decides what an interrupt means:
 * roll back, or end before anything was written); without one nothing is being changed, so say so and end now.
 */
const interruptHandlers: ((signal: string) => void)[] = [];
let interruptedBy: NodeJS.Signals | undefined;
function onSignal(sig: NodeJS.Signals): void {
  interruptedBy = sig;
  const handler = interruptHandlers[interruptHandlers.length - 1];
  if (handler) return handler(sig);
  io.err(INTERRUPTED_NOTE);
  endBy(sig);
}
/**
 * End the process by `sig` itself, as an interrupted program should (the shell reports 128 + its number: 130, 143, and
 * a calling script learns it was interrupted): our handlers removed, the signal sent again. Nothing in flight — a
 * request, a child, a timer — keeps it alive. Output is written synchronously, so none is lost.
 */
function endBy(sig: NodeJS.Signals): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, sig);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const io: Io = {
  out: writer(1),
  err: writer(2),
  env: process.env,
  cwd: process.cwd(),
  // getters: process.stdout and process.stdin make streams (a few ms each), needed only to ask a terminal
  get stdoutIsTTY() {
    return Boolean(process.stdout.isTTY);
  },
  get stdinIsTTY() {
    return Boolean(process.stdin.isTTY);
  },
  style: makeStyle,
  onInterrupt(handler) {
    // the latest handler gets the signal (a run's phases replace each other); removing it restores the one before
    interruptHandlers.push(handler);
    return () => {
      const i = interruptHandlers.lastIndexOf(handler);
      if (i >= 0) interruptHandlers.splice(i, 1);
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
    // a signal ended the run before anything changed (run.ts said so): end by it now, whatever is still in flight
    if (interruptedBy && code === interruptedCode(interruptedBy)) endBy(interruptedBy);
  },
  (e: unknown) => {
    io.err(`ds-harden: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 3;
  },
);
