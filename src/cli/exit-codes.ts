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
  /** apply: refused before changing anything (validation, override layer, lock, interrupted journal). */
  REFUSED: 4,
  /** apply: the configuration changed and the services are healthy (dry-run: changes pending). */
  CHANGED: 10,
  /** apply/rollback: the change failed and was rolled back; the server runs as before. */
  ROLLED_BACK: 20,
  /** apply/rollback: the change failed and restoring it failed too — act now. */
  ROLLBACK_FAILED: 21,
  /**
   * Ctrl-C before anything was changed (a wizard question, planning, a read-only command), or closed input at a
   * wizard question. 128 + SIGINT, as shells report it.
   */
  CANCELLED: 130,
  /** SIGTERM before anything was changed. 128 + SIGTERM. */
  TERMINATED: 143,
} as const;
