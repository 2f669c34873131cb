/**
 * What a user asks `apply` to do, validated — the same for every front end: flags, a `--policy` file, the wizard's
 * answers and rotate-secret all become one ApplyRequest through validateRequest(), so a value the schema refuses is
 * refused everywhere with exit 2 and the field named.
 *
 * The schema is JSON Schema (draft-07), published as schemas/policy.schema.json (kept identical to POLICY_SCHEMA
 * by test/apply/request.test.ts), checked with ajv. What only DS's semantics can decide (is this address something
 * ipfilter can match?) is checked after the schema, with the rules of core/ds/ipfilter.ts.
 */
import { UsageError } from '../cli/errors.js';
import { analyzeAddress, normalizeRuleAddress } from '../core/ds/ipfilter.js';
import { parseStrictJson } from '../core/parse/ds-parse.js';
import { excerpt } from '../core/text/excerpt.js';
import { httpUrlProblem } from '../core/text/url.js';
import { POLICY_SCHEMA } from './policy-schema.js';

export { POLICY_SCHEMA };

/** The desired change as given by the user (before the secret is read and before anything is planned). */
export interface ApplyRequest {
  /** Integrator addresses to allow: IPs, IP globs (10.1.*), CIDRs that map to a glob, host names. */
  readonly allow?: readonly string[];
  /** Nextcloud's StorageUrl as DS reaches it (http/https). */
  readonly storageUrl?: string;
  /** Read the JWT secret from this file (a path; the secret itself never is an argument). */
  readonly secretFile?: string;
  /** Read the JWT secret from this environment variable. */
  readonly secretEnv?: string;
  /** Keep a strong existing secret, else generate one. */
  readonly generateSecret?: boolean;
  /** With generateSecret: replace even a strong secret. */
  readonly rotate?: boolean;
  /** JWT header name for inbox and outbox (Nextcloud's jwt_header). */
  readonly header?: string;
  readonly useforrequest?: boolean;
  /** HTTP status for refused requests (400–599). */
  readonly errorcode?: number;
  /** Which integrator shares DS's secret (its end is changed with DS's, or the steps are printed). */
  readonly integrator?: 'nextcloud' | 'owncloud' | 'seafile' | 'other';
  /** How to run the integrator's occ: a command prefix such as "sudo -u www-data php /var/www/nextcloud/occ". */
  readonly occ?: string;
  /** A reverse proxy in front of DS overwrites X-Forwarded-For (and DS's ports are reachable only through it). */
  readonly behindProxy?: boolean;
}

/** Policy key → the flag a user typed, for messages about flags. */
const FLAG_OF: Readonly<Record<string, string>> = {
  allow: '--allow',
  storageUrl: '--storage-url',
  secretFile: '--secret-file',
  secretEnv: '--secret-env',
  generateSecret: '--generate-secret',
  rotate: '--rotate',
  header: '--header',
  useforrequest: '--useforrequest',
  errorcode: '--errorcode',
  integrator: '--integrator',
  occ: '--nextcloud-occ',
  behindProxy: '--behind-proxy',
};

type Validator = ((v: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] | null };
let compiled: Validator | undefined;

async function validator(): Promise<Validator> {
  if (compiled) return compiled;
  const { default: Ajv } = await import('ajv');
  const ajv = new (Ajv as unknown as new (o: object) => { compile(s: object): Validator })({ allErrors: true, strict: true });
  compiled = ajv.compile(POLICY_SCHEMA);
  return compiled;
}

function shownValue(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v) : JSON.stringify(v);
  return `${typeof v === 'string' ? 'the string' : Array.isArray(v) ? 'an array' : v === null ? 'null' : `the ${typeof v}`} ${s}`;
}

/**
 * The text of a `--policy` file → its JSON value (a UTF-8 byte order mark, as Notepad writes, is dropped). Throws
 * UsageError naming `file:line:column`, what is wrong and what to do, with the line and a caret under the place to edit.
 */
export function parsePolicyText(file: string, raw: string): unknown {
  const r = parseStrictJson(raw);
  if (r.ok) return r.value;
  const e = r.error;
  const at = e.likely ?? e;
  const hint = e.hint.charAt(0).toUpperCase() + e.hint.slice(1);
  throw new UsageError(
    `--policy ${file}:${at.line}:${at.column}: not valid JSON: ${e.cause}. ${hint}, then run the command again ` +
      `(a policy file is JSON: {"allow": ["10.0.0.5"], "generateSecret": true}).\n${excerpt(r.text, at.line, at.column)}`,
  );
}

/**
 * Check `input` (a parsed policy file, or flags gathered into the same shape) and return it typed.
 * `origin` names where it came from: 'flags' (messages name --flags) or the policy file's path.
 * Throws UsageError naming the field, what it holds and what is expected.
 */
export async function validateRequest(input: unknown, origin: 'flags' | { policyFile: string }): Promise<ApplyRequest> {
  const where = (key: string) => (origin === 'flags' ? (FLAG_OF[key] ?? key) : `--policy ${origin.policyFile}: "${key}"`);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new UsageError(`--policy ${origin === 'flags' ? '' : origin.policyFile}: expected a JSON object such as {"allow": ["10.0.0.5"], "generateSecret": true}`);
  }
  const validate = await validator();
  if (!validate(input)) {
    const msgs: string[] = [];
    for (const e of validate.errors ?? []) {
      const seg = e.instancePath.split('/').filter(Boolean);
      const key = seg[0];
      if (e.keyword === 'additionalProperties') {
        const extra = String(e.params.additionalProperty);
        msgs.push(`${origin === 'flags' ? extra : `--policy ${origin.policyFile}: "${extra}"`} is not a known key (known: ${Object.keys(POLICY_SCHEMA.properties).join(', ')})`);
        continue;
      }
      if (!key) continue;
      const value = seg.reduce<unknown>((o, s) => (o as Record<string, unknown>)[s], input);
      const item = seg.length > 1 ? ` item ${Number(seg[1]) + 1}` : '';
      let expected = e.message ?? 'is invalid';
      if (e.keyword === 'type') expected = `must be ${String(e.params.type) === 'integer' ? 'a whole number' : `a ${String(e.params.type)}`}${e.params.type === 'boolean' ? ' (true or false, without quotes — DS reads the string "false" as true)' : ''}`;
      if (e.keyword === 'pattern' && key === 'header') expected = 'must be an HTTP header name: 1–64 letters, digits or !#$%&\'*+.^_`|~- (e.g. Authorization or AuthorizationJwt)';
      if (e.keyword === 'pattern' && key === 'secretEnv') expected = 'must be an environment variable name (letters, digits, _; not starting with a digit)';
      if (e.keyword === 'minimum' || e.keyword === 'maximum') expected = 'must be an HTTP error status between 400 and 599 (403 is DS\'s default)';
      if (e.keyword === 'maxLength' || e.keyword === 'maxItems' || e.keyword === 'minLength') expected = e.message ?? expected;
      if (e.keyword === 'enum') expected = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
      msgs.push(`${where(key)}${item}: ${shownValue(value)} ${expected}`);
    }
    throw new UsageError([...new Set(msgs)].join('\n'));
  }
  const req = input as ApplyRequest;
  if (req.occ !== undefined && req.integrator !== undefined && req.integrator !== 'nextcloud' && req.integrator !== 'owncloud') {
    throw new UsageError(`${where('occ')}: occ belongs to Nextcloud or ownCloud, not ${req.integrator}`);
  }
  if (req.storageUrl !== undefined) checkStorageUrl(req.storageUrl, where('storageUrl'));
  (req.allow ?? []).forEach((a, i) => {
    const at = origin === 'flags' ? where('allow') : `${where('allow')} item ${i + 1}`;
    checkAllowInput(a, at);
    if (req.useforrequest === true && analyzeAddress(normalizeRuleAddress(a)).some((x) => x.kind === 'hostname')) {
      throw new UsageError(
        `${at} ${JSON.stringify(a)}: a host name cannot match incoming requests (${origin === 'flags' ? '--useforrequest' : '"useforrequest": true'}: DS compares the client's IP address). Give the integrator's IP address.`,
      );
    }
  });
  return req;
}

/** Flags override the policy file; allow lists are joined (policy first). */
export function mergeRequests(policy: ApplyRequest, flags: ApplyRequest): ApplyRequest {
  const out: Record<string, unknown> = { ...policy };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k !== 'allow') out[k] = v;
  const allow = [...(policy.allow ?? []), ...(flags.allow ?? [])];
  if (allow.length) out.allow = allow;
  else delete out.allow;
  return out as ApplyRequest;
}

function checkStorageUrl(url: string, where: string): void {
  const problem = httpUrlProblem(url, { use: 'DS calls the storage', example: 'https://nextcloud.example.org/' });
  if (problem) throw new UsageError(`${where} ${JSON.stringify(url)}: ${problem}`);
}

/**
 * An --allow value must be one address or pattern DS can match, typed as such: no separators, spaces, control
 * characters or regular-expression syntax (DS escapes everything but `*`, so `(5|6)` matches only itself), a form DS
 * can express (normalizeRuleAddress: a valid IP, a glob, a CIDR with an exact glob — not 10.0.0.256 or 10.0.0.0/12),
 * and never a pattern that matches every client — an allow-all rule first would undo the final deny.
 * Throws UsageError (exit 2) naming `where` and the value, with what to write instead. The one check of an address
 * for flags, policy files and the wizard's answers.
 */
export function checkAllowInput(raw: string, where: string): void {
  const q = JSON.stringify(raw);
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw)) throw new UsageError(`${where} ${q}: contains a space or control character (one address per --allow)`);
  if (/[,;|]/.test(raw)) throw new UsageError(`${where} ${q}: one address per --allow (repeat the flag for more)`);
  if (!/^[0-9A-Za-z.:*\/-]+$/.test(raw)) {
    throw new UsageError(`${where} ${q}: only IP addresses, IP globs with *, CIDRs and host names are allowed (DS compares literally; there is no regular-expression syntax)`);
  }
  if (/^[-.]/.test(raw)) throw new UsageError(`${where} ${q}: not an address or host name`);
  let glob: string;
  try {
    glob = normalizeRuleAddress(raw);
  } catch (e) {
    // the reason names the value and the form to write (core/ds/ipfilter.ts)
    throw new UsageError(`${where}: ${(e as Error).message}${/separate rules/.test((e as Error).message) ? ' — one --allow (or "allow" item) each' : ''}`);
  }
  if (glob.replace(/[*.:]/g, '') === '') {
    throw new UsageError(`${where} ${q}: matches every client; an allow-all rule before the final deny would let everyone in. Give the integrators' addresses.`);
  }
}
