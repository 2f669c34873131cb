/**
 * Nextcloud's (and ownCloud's) `occ`, run through a command prefix the user gives (`sudo -u www-data php
 * /var/www/nextcloud/occ`, `docker exec -i --user www-data nextcloud-aio-nextcloud php occ`). Always an argv array,
 * never a shell; the secret travels on stdin (config:import) and is read back from stdout, so it is never in any
 * process's argv or environment. Output that may hold a secret stays in memory and is never printed.
 */
import { execa } from 'execa';
import { parse as shellParse } from 'shell-quote';
import { UsageError } from '../../cli/errors.js';
import {
  NC_APP,
  NC_KEYS,
  importDocument,
  readCheckOutput,
  type AppValue,
  type CheckReport,
  type NcSettings,
} from '../../core/integrator/nextcloud.js';

export interface OccResult {
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Split `--nextcloud-occ "<prefix>"` into argv words. Refuses shell operators and variables (nothing runs a shell). */
export function parseOccPrefix(text: string, flag: string): string[] {
  if (/[$`]/.test(text)) throw new UsageError(`${flag}: no variables or command substitution ($, \`): give the command words literally`);
  const words = shellParse(text);
  if (words.some((w) => typeof w !== 'string')) {
    throw new UsageError(`${flag}: only the command words (e.g. "sudo -u www-data php /var/www/nextcloud/occ"); no pipes, redirections or ;`);
  }
  const argv = words as string[];
  if (argv.length === 0) throw new UsageError(`${flag}: empty command`);
  return argv;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Occ {
  constructor(
    readonly prefix: readonly string[],
    private readonly opts: { env: Record<string, string>; timeoutMs?: number },
  ) {}

  /** The prefix as the user would type it (for messages and the journal). */
  get label(): string {
    return this.prefix.join(' ');
  }

  /** Run `prefix + args`; `input` goes to stdin. Throws UsageError only when the command cannot start at all. */
  async run(args: readonly string[], o: { input?: string; timeoutMs?: number } = {}): Promise<OccResult> {
    const [cmd, ...rest] = this.prefix;
    const r = await execa(cmd!, [...rest, ...args], {
      reject: false,
      shell: false,
      detached: true, // a Ctrl-C at the terminal reaches ds-harden, which then undoes what occ did
      extendEnv: false,
      env: { ...this.opts.env, LC_ALL: 'C', LANG: 'C' },
      timeout: o.timeoutMs ?? this.opts.timeoutMs ?? 60_000,
      ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' as const }),
      stripFinalNewline: false,
    });
    const code = (r as { code?: string }).code;
    if (r.exitCode === undefined && !r.timedOut) {
      throw new UsageError(`cannot run occ (${this.label}): ${code === 'ENOENT' ? `${cmd}: command not found` : r.shortMessage ?? r.message}`);
    }
    return { ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: Boolean(r.timedOut) };
  }

  private async get(scope: 'app' | 'system', key: string): Promise<string | undefined> {
    const r = await this.run([`config:${scope}:get`, NC_APP, key]);
    if (r.exitCode === 0) return r.stdout.replace(/\r?\n$/, '');
    if (r.exitCode === 1) return undefined; // "not set"
    throw new Error(`occ config:${scope}:get ${NC_APP} ${key} failed (exit ${r.exitCode ?? 'timeout'}): ${firstLine(r.stderr || r.stdout)}`);
  }

  /** A key as the app resolves it: app config, then config.php's system array. */
  async value(key: string): Promise<AppValue> {
    const app = await this.get('app', key);
    if (app !== undefined && app !== '') return { value: app, source: 'app' };
    const sys = await this.get('system', key);
    if (sys !== undefined && sys !== '') return { value: sys, source: 'system' };
    return { source: 'unset' };
  }

  /** The app's settings ds-harden needs. */
  async settings(): Promise<NcSettings> {
    const out: Record<string, AppValue> = {};
    for (const key of Object.values(NC_KEYS)) out[key] = await this.value(key);
    return out as NcSettings;
  }

  /** The raw app-config value (not the system fallback), for backing it up. */
  async appValue(key: string): Promise<string | undefined> {
    return this.get('app', key);
  }

  /**
   * Set (or, with null, delete) app values with `config:import` from stdin, then read them back. occ reads stdin
   * without blocking, so input that has not arrived yet reads as empty: retried a few times, and the read-back
   * decides. Throws when the values are not in place afterwards (the message never contains a value).
   */
  async importValues(values: Readonly<Record<string, string | null>>): Promise<void> {
    const doc = importDocument(values);
    let last = '';
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await sleep(250 * attempt);
      const r = await this.run(['config:import'], { input: doc });
      if (r.exitCode !== 0) {
        last = `occ config:import exited ${r.exitCode ?? '(timeout)'}: ${firstLine(r.stderr || r.stdout)}`;
        continue;
      }
      let same = true;
      for (const [k, v] of Object.entries(values)) {
        const now = await this.get('app', k);
        if ((v === null ? undefined : v) !== now) same = false;
      }
      if (same) return;
      last = 'the values read back after config:import differ from those sent';
    }
    throw new Error(`could not set ${Object.keys(values).join(', ')} through occ (${this.label}): ${last}`);
  }

  /** `occ onlyoffice:documentserver --check` (the app's own test: healthcheck, signed command, conversion). */
  async check(timeoutMs: number): Promise<CheckReport> {
    const r = await this.run(['onlyoffice:documentserver', '--check'], { timeoutMs });
    return readCheckOutput(r.exitCode, `${r.stdout}\n${r.stderr}`, r.timedOut);
  }
}

function firstLine(s: string): string {
  return s.replace(/<\/?(info|error|comment)>/g, '').trim().split('\n')[0] ?? '';
}
