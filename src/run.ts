/** run(argv, io) → exit code. Never exits the process; main.ts does. */
import type { Io } from './cli/io.js';
import { EXIT } from './cli/exit-codes.js';
import { UsageError, UserError } from './cli/errors.js';
import { buildProgram, CommanderError } from './cli/program.js';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const result = { code: EXIT.OK as number };
  const program = buildProgram(io, result);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE; // commander already printed the message
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
