/**
 * Questions on a terminal, over @inquirer/prompts (the only module that imports it, and only when the wizard runs:
 * `check` must start fast). What the wizard asks and why lives in commands/wizard/; this adapter only draws the
 * prompts and turns the library's "the user left" errors into one typed cancel.
 *
 * @inquirer/prompts 8.7.5 (pinned: 8.8 raised the Node floor): Ctrl-C at a prompt, or a terminal that closes its
 * input, rejects the prompt with ExitPromptError; an aborted signal with AbortPromptError (toolchain-notes.md).
 * Both become PromptCancelled, which run.ts turns into exit 130. The library writes ANSI to pipes and takes a
 * default from a piped newline, so callers start prompts only when stdin and stdout are terminals.
 */
// a static, named import: this module is itself loaded only for the wizard (main.ts), and the bundler keeps only these
// three prompts (`sideEffects: false`) — a dynamic import() of the package would bundle every prompt, with the editor
// prompt's iconv-lite code tables (≈ 430 kB)
import { confirm, input, select } from '@inquirer/prompts';
import { PromptCancelled } from '../cli/errors.js';

/** One choice of a select question. */
export interface Choice<T extends string> {
  readonly value: T;
  /** What the list shows. */
  readonly name: string;
  /** Shown under the list while this choice is highlighted. */
  readonly description?: string;
}

/** A check of a typed answer: true, or the message shown under the prompt (the prompt stays open). */
export type Validate = (value: string) => true | string | Promise<true | string>;

/** The questions the wizard can ask. Every method rejects with PromptCancelled when the user leaves. */
export interface Prompter {
  select<T extends string>(q: { readonly message: string; readonly choices: readonly Choice<T>[]; readonly default?: T }): Promise<T>;
  /** A line of text; `default` is taken on a bare Enter (Tab puts it in the line for editing). */
  input(q: { readonly message: string; readonly default?: string; readonly validate?: Validate }): Promise<string>;
  confirm(q: { readonly message: string; readonly default: boolean }): Promise<boolean>;
}

/** The terminal the prompts use (main.ts passes process.stdin and process.stdout). */
export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/** ExitPromptError (Ctrl-C, closed input) and AbortPromptError → PromptCancelled; anything else is rethrown. */
export function asCancel(e: unknown): unknown {
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') return new PromptCancelled();
  return e;
}

async function guard<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    throw asCancel(e);
  }
}

/** Prompts on `terminal` (this module is loaded lazily, on first use of the wizard). */
export async function openPrompter(terminal: Terminal): Promise<Prompter> {
  const ctx = { input: terminal.input, output: terminal.output };
  return {
    select: (q) => guard(() => select({ message: q.message, choices: q.choices.map((c) => ({ ...c })), ...(q.default !== undefined ? { default: q.default } : {}), loop: false }, ctx)),
    input: (q) =>
      guard(() =>
        input(
          {
            message: q.message,
            ...(q.default !== undefined && q.default !== '' ? { default: q.default } : {}),
            ...(q.validate ? { validate: q.validate } : {}),
          },
          ctx,
        ),
      ),
    confirm: (q) => guard(() => confirm({ message: q.message, default: q.default }, ctx)),
  };
}
