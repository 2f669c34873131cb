/**
 * A real terminal for tests that use ds-harden as a person does: tmux 3.x runs the command in a pane of fixed size
 * on its own server socket (`tmux -L <unique>`), keys are typed with send-keys, the screen is read with
 * capture-pane (the whole history, wrapped lines joined). Tests wait on screen content, never on sleeps.
 * The command runs through `sh -c '…; echo $? > rcFile'`, so the exit code is read from a file; the pane stays
 * open after the command ends (remain-on-exit) so the last screen can still be read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../../src/core/text/shell.js';

export interface TermOptions {
  /** Directory for the tmux config and the exit-code file. */
  readonly dir: string;
  readonly cwd: string;
  /** Extra environment for the command (the tmux server gets the test process's environment). */
  readonly env?: Record<string, string>;
  readonly width?: number;
  readonly height?: number;
}

export class Term {
  readonly socket = `dsh-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly rcFile: string;
  private started = false;

  constructor(private readonly o: TermOptions) {
    this.rcFile = path.join(o.dir, `${this.socket}.rc`);
  }

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Start `argv` in a new session (the terminal is `width`×`height`, 200×50 by default). */
  start(argv: readonly string[]): void {
    this.startShell(argv.map(shellQuote).join(' '));
  }

  /** Start a shell command line (for redirections); its exit code is recorded like start()'s. */
  startShell(command: string): void {
    const conf = path.join(this.o.dir, `${this.socket}.conf`);
    fs.writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 20000\nset -g status off\n');
    // the shell outlives a Ctrl-C that the program handles itself (a caught signal is reset to default in the child)
    const script = `trap 'true' INT; ${command}; echo $? > ${shellQuote(this.rcFile)}`;
    const env = Object.entries(this.o.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux(['-f', conf, 'new-session', '-d', '-s', 'wizard', '-x', String(this.o.width ?? 200), '-y', String(this.o.height ?? 50), '-c', this.o.cwd, ...env, 'sh', '-c', script]);
    this.started = true;
  }

  /** Type text literally (no key names). */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 'wizard', '-l', text]);
  }

  /** Press keys by tmux name: Enter, Down, Up, BSpace, C-c, C-u … */
  press(...keys: string[]): void {
    for (const k of keys) this.tmux(['send-keys', '-t', 'wizard', k]);
  }

  /** Everything the terminal showed, top of the history to the cursor, wrapped lines joined, trailing blanks trimmed. */
  screen(): string {
    const text = this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', 'wizard']);
    return text
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => !/^Pane is dead \(/.test(l)) // tmux's remain-on-exit notice, not the program's output
      .join('\n')
      .replace(/\n+$/, '\n');
  }

  /** Wait until the screen matches `what` (after `from` characters, to skip earlier matches); returns the screen. */
  async waitFor(what: string | RegExp, opts: { timeoutMs?: number; from?: number } = {}): Promise<string> {
    const end = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      const s = this.screen();
      const tail = s.slice(opts.from ?? 0);
      if (typeof what === 'string' ? tail.includes(what) : what.test(tail)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(what)} on the screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Wait for the command to end; its exit code. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (fs.existsSync(this.rcFile)) {
        const t = fs.readFileSync(this.rcFile, 'utf8').trim();
        if (t !== '') return Number(t);
      }
      if (Date.now() > end) throw new Error(`the command did not end within ${timeoutMs} ms; screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Kill the session and its server (idempotent). */
  kill(): void {
    if (!this.started) return;
    this.started = false;
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}
