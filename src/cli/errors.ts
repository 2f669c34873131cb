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
