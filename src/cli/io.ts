/** What commands may use of the outside world's terminal: streams, env, colour. Built by main.ts. */
import type { Style } from '../formatters/style.js';
import type { Prompter } from '../adapters/prompter.js';

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Colour for stdout, decided from flags/env by makeStyle. */
  style(noColorFlag: boolean): Promise<Style>;
  /** Run `handler` on SIGINT/SIGTERM instead of dying; returns the function that removes it. */
  onInterrupt(handler: (signal: string) => void): () => void;
  /** Questions on this terminal (the wizard); loads the prompt library on first use. Only when both are TTYs. */
  prompter(): Promise<Prompter>;
}
