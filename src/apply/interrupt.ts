/**
 * Ctrl-C (SIGINT) and SIGTERM during a run that changes things (apply, rotate-secret, the wizard's runs, rollback), in
 * two phases:
 *
 * - before the transaction (taking the lock, loading, planning, reading the integrator, the health check before the
 *   change): nothing has been changed, so the run ends at once — {@link InterruptGate.race} rejects with
 *   `Interrupted`, the caller's `finally` releases the lock, and the front end says "interrupted; nothing was changed"
 *   (exit 130). Work still in flight can never start the transaction: {@link InterruptGate.enterTransaction} throws.
 * - once the transaction started: the first signal aborts {@link InterruptGate.signal} (the transaction rolls back and
 *   restarts what it restarted), later ones are acknowledged but not obeyed — the rollback always finishes.
 */
import { Interrupted } from '../cli/errors.js';

export class InterruptGate {
  private readonly controller = new AbortController();
  private phase: 'before' | 'transaction' | 'interrupted' = 'before';
  private interruptedBy = 'SIGINT';
  private rejectEarly: (e: Interrupted) => void = () => undefined;
  private readonly early: Promise<never>;
  private readonly off: () => void;

  /**
   * `onInterrupt` installs a handler for SIGINT/SIGTERM and returns its remover (Io.onInterrupt); `alert` shows a line
   * at once (stderr for the CLI).
   */
  constructor(onInterrupt: (handler: (signal: string) => void) => () => void, alert: (line: string) => void) {
    this.early = new Promise<never>((_, reject) => {
      this.rejectEarly = reject;
    });
    this.early.catch(() => undefined); // observed through race(); never an unhandled rejection
    this.off = onInterrupt((sig) => {
      if (this.phase === 'before') {
        this.phase = 'interrupted';
        this.interruptedBy = sig;
        this.rejectEarly(new Interrupted(sig));
      } else if (this.phase === 'transaction') {
        if (!this.controller.signal.aborted) {
          alert(`${sig}: rolling back, please wait…`);
          this.controller.abort(sig);
        } else alert(`${sig}: still rolling back; ds-harden finishes the rollback before it exits.`);
      }
    });
  }

  /** `work` (the part before the transaction, or the whole run), ended by an interrupt that comes before the transaction. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.early]);
  }

  /**
   * The transaction starts: from now on an interrupt aborts the returned signal (roll back) instead of ending the run.
   * Throws `Interrupted` when an interrupt came before — the run has already ended, nothing may be changed.
   */
  enterTransaction(): AbortSignal {
    if (this.phase === 'interrupted') throw new Interrupted(this.interruptedBy);
    this.phase = 'transaction';
    return this.controller.signal;
  }

  /** Remove the handler (a later signal gets the process's default: "interrupted; nothing was changed"). */
  close(): void {
    this.off();
  }
}
