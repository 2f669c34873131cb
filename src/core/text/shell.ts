/**
 * A command line a user can copy into a POSIX shell: each argument single-quoted when it holds anything but
 * safe characters. Used for the hints ds-harden prints (rollback, the next step, the wizard's equivalent command).
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `argv` joined for a shell. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
