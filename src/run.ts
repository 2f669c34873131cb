/** run(argv, io) → exit code. Never exits the process; main.ts does. */
import type { Io } from './cli/io.js';
import { EXIT } from './cli/exit-codes.js';
import { Interrupted, PromptCancelled, UsageError, UserError } from './cli/errors.js';
import { buildProgram, CommanderError } from './cli/program.js';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const result = { code: EXIT.OK as number };
  const program = buildProgram(io, result);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      // on a terminal, a bare `ds-harden` offers the wizard; elsewhere it is a usage error, as always
      if (!io.stdinIsTTY || !io.stdoutIsTTY) return EXIT.USAGE;
      const prompter = await io.prompter();
      if (!(await prompter.confirm({ message: 'Set up this Document Server step by step now (ds-harden wizard)?', default: true }))) return EXIT.USAGE;
      await program.parseAsync(['wizard'], { from: 'user' });
      return result.code;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE; // commander already printed the message
    }
    if (e instanceof Interrupted) {
      io.err(INTERRUPTED_NOTE);
      return interruptedCode(e.signal);
    }
    if (e instanceof PromptCancelled) {
      io.err('\nCancelled: nothing was changed.\n');
      return EXIT.CANCELLED;
    }
    if (e instanceof UsageError) {
      io.err(`ds-harden: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof UserError) {
      io.err(`ds-harden: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.err(`ds-harden: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env.DS_HARDEN_DEBUG) io.err(`${err?.stack ?? ''}\n`);
    else io.err('(set DS_HARDEN_DEBUG=1 for details; please report this)\n');
    return EXIT.INTERNAL;
  }
}

/** What a user sees after Ctrl-C before anything was changed (here and in main.ts for a command without a handler). */
export const INTERRUPTED_NOTE = '\ninterrupted; nothing was changed\n';

/** 128 + the signal's number, as shells report a process ended by it: SIGINT 130, SIGTERM 143. */
export function interruptedCode(signal: string): number {
  return signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.CANCELLED;
}
