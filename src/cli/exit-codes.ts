/** The one exit-code table (computed from results, never while rendering). */
export const EXIT = {
  /** check: nothing at or above --fail-on. */
  OK: 0,
  /** check: findings at or above --fail-on. */
  FINDINGS: 1,
  /** bad flag, missing argument, no such directory. */
  USAGE: 2,
  /** a bug or an unexpected environment failure. */
  INTERNAL: 3,
} as const;
