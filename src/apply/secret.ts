/**
 * Which JWT secret a change writes: read from a file or an environment variable, generated, or the strong existing
 * one kept. Strength is judged by core/ds/secret-strength.ts (the same judgement as check's DSH300–DSH302), so apply
 * never keeps or writes a secret that check would flag.
 */
import { randomInt } from 'node:crypto';
import { UsageError } from '../cli/errors.js';
import { judgeSecret } from '../core/ds/secret-strength.js';
import { stripBom } from '../core/parse/ds-parse.js';
import type { ApplyRequest } from './request.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Length of a generated secret, in characters of [A-Za-z0-9] (≈ 238 bits). */
export const GENERATED_SECRET_LENGTH = 40;

/**
 * `length` characters from [A-Za-z0-9], uniformly, from the OS CSPRNG. Only letters and digits: the Docker
 * entrypoint pastes the secret into a JS string and the snap's hooks into jq and sed programs (deploy-modes §2.2, §4).
 */
export function generateSecret(length = GENERATED_SECRET_LENGTH): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export interface ResolvedSecret {
  /** The secret to write; undefined when the request changes no secret. Never print it. */
  readonly value?: string;
  /** Where it came from, for the report: "file /root/jwt", "generated (40 random characters)", … */
  readonly source: string;
  /** True when the existing secret is kept (--generate-secret without --rotate and a strong current secret). */
  readonly kept: boolean;
}

export interface SecretSources {
  /** Read a regular file of at most a few kB (throws UsageError with a clear message otherwise). */
  readFile(path: string): Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The secret the request asks for. `current` is the secret DS uses now when all slots agree (see currentSecret).
 * Throws UsageError for a weak, empty or malformed secret (exit 2), naming its source but never the value.
 */
export async function resolveSecret(req: ApplyRequest, current: string | undefined, src: SecretSources): Promise<ResolvedSecret> {
  const given = [req.secretFile !== undefined, req.secretEnv !== undefined, req.generateSecret === true].filter(Boolean).length;
  if (given > 1) throw new UsageError('choose one of --secret-file, --secret-env, --generate-secret');
  if (req.rotate && !req.generateSecret) throw new UsageError('--rotate goes with --generate-secret (it replaces a strong existing secret with a new one)');
  let value: string;
  let source: string;
  if (req.secretFile !== undefined) {
    value = secretOfFileText(await src.readFile(req.secretFile));
    source = `file ${req.secretFile}`;
  } else if (req.secretEnv !== undefined) {
    const v = src.env[req.secretEnv];
    if (v === undefined || v === '') throw new UsageError(`--secret-env ${req.secretEnv}: the variable is not set or empty`);
    value = v;
    source = `environment variable ${req.secretEnv}`;
  } else if (req.generateSecret) {
    if (current !== undefined && !req.rotate && judgeSecret(current).ok) {
      return { value: current, source: 'the existing strong secret (kept; --rotate replaces it)', kept: true };
    }
    return { value: generateSecret(), source: `generated (${GENERATED_SECRET_LENGTH} random characters)`, kept: false };
  } else {
    return { source: '', kept: false };
  }
  checkProvidedSecret(value, source);
  return { value, source, kept: value === current };
}

/**
 * The secret a `--secret-file` holds: its text without one final line break (`echo x > file`, an editor's last
 * newline) and without a leading UTF-8 byte order mark (U+FEFF, which Windows Notepad writes at the start of a
 * "UTF-8" file) — neither is part of the secret the user typed. Everything else is kept, and then judged by
 * checkProvidedSecret. The one reading of a secret file, for apply, rotate-secret, the wizard and probe.
 */
export function secretOfFileText(text: string): string {
  return stripBom(text).text.replace(/\r?\n$/, '');
}

/** A secret given by the user must be printable ASCII without white space, and strong (as check judges it). */
export function checkProvidedSecret(value: string, source: string): void {
  if (value.includes('\0')) throw new UsageError(`the secret from ${source} contains a NUL byte; is it a binary file?`);
  if (/\s/.test(value)) throw new UsageError(`the secret from ${source} contains white space or a line break; the integrator's secret field would not keep it`);
  if (/[^\x21-\x7e]/.test(value)) throw new UsageError(`the secret from ${source} contains characters outside printable ASCII; use letters and digits (e.g. --generate-secret)`);
  const verdict = judgeSecret(value);
  if (!verdict.ok) {
    throw new UsageError(`the secret from ${source} is weak (${verdict.ruleId}): ${verdict.reason}. Use a random value, e.g. --generate-secret or openssl rand -hex 32`);
  }
}
