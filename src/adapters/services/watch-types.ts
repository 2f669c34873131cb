/** What watching services through a settle window reports — the same shape for supervisor and systemd. */

export interface WatchFailure {
  name: string;
  /** supervisor: the process state (FATAL, BACKOFF, …); systemd: "activeState/subState" */
  state: string;
  reason: string;
}

export interface WatchResult {
  ok: boolean;
  failed: WatchFailure[];
  samples: number;
  elapsedMs: number;
}
