/** Typed failures, caught in one place (run.ts) and turned into exit codes. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on (bad input, refused change); message is shown as is, no stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * The user left an interactive question (Ctrl-C, or the terminal closed its input) before confirming a change:
 * nothing was written. run.ts turns it into exit 130 (EXIT.CANCELLED).
 */
export class PromptCancelled extends Error {
  override readonly name = 'PromptCancelled';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/**
 * Ctrl-C (SIGINT) or SIGTERM arrived before a change began: nothing was changed. run.ts prints
 * "interrupted; nothing was changed" and exits 128 + the signal's number (130, 143), as shells report it.
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signal: string) {
    super(`interrupted (${signal})`);
  }
}
