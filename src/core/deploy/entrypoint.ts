/**
 * What the official image's entrypoint writes into local.json from the container environment, for the settings
 * ds-harden audits — evaluated exactly as `run-document-server.sh` of that image version does. Pure.
 *
 * Facts (ONLYOFFICE/Docker-DocumentServer@ce582025, the 9.2.0 release merge, run-document-server.sh; earlier behaviour
 * from the commits named, each first tagged as shown):
 * - `update_ds_settings` (:385-436) runs at every container start, but only when ONLYOFFICE_DATA_CONTAINER_HOST is
 *   `localhost` (its default, :38; :697-709). Every write is `json -q -f local.json -I -e "<JS>"` (:143-144).
 * - JWT_ENABLED defaults to `true` (:112) and is normalised: only the exact string `true` gives true, anything else
 *   false (:114-119; since 39d2e30, v7.1.0.173). Before that the JWT keys were written only when JWT_ENABLED was
 *   exactly `true`, and its default was `false` until 8887cb7 (v7.2.0.156).
 * - JWT_SECRET defaults to `$(pwgen -s 32)`, a new random value at every start (:121-123; 32 characters since 83825d2,
 *   v7.3.3.2; 20 since 8887cb7; the literal `secret` before 7.2). It is written to secret.inbox/outbox/session.string
 *   (:390-392) — and secret.browser.string since b42b662 (v9.1.0.136), which DS ≥ 7.2 does not read — inside a
 *   single-quoted JavaScript string, so `\` escapes are interpreted and a `'` makes the write fail (deploy-modes §2.5).
 * - JWT_HEADER defaults to `Authorization` (:124) → token.inbox/outbox.header (:395-396), quoted the same way.
 * - JWT_IN_BODY (default `false`, :125) and WOPI_ENABLED (default `false`, :127) are pasted as raw JavaScript
 *   (:398-399, :421): `true` is a boolean, `"true"` a string, `yes` a ReferenceError (the write fails).
 * - USE_UNAUTHORIZED_STORAGE=`true` (default `false`, :93) sets requestDefaults.rejectUnauthorized = false only when
 *   local.json does not set it (:407-410): one way, never back to true.
 * - ALLOW_PRIVATE_IP_ADDRESS / ALLOW_META_IP_ADDRESS = exactly `true` set request-filtering-agent.allowPrivateIPAddress /
 *   allowMetaIPAddress = true (:431-435; since 48add9d, v7.4.0.125): one way, `false` writes nothing.
 * - SECURE_LINK_SECRET (default `$(pwgen -s 20)`, random at every start) is written by documentserver-update-securelink.sh
 *   into storage.fs.secretString (:658) unless ONLYOFFICE_DATA_CONTAINER is `true` (:781-793).
 */
import type { Version } from '../types.js';
import { compareVersions, V } from '../ds/versions.js';
import type { EnvVar } from './types.js';

const CO = 'services.CoAuthoring';

/** The variables the entrypoint reads for the settings ds-harden audits, and what each one decides. */
export const ENTRYPOINT_VARS: Readonly<Record<string, string>> = {
  JWT_ENABLED: 'token.enable.browser, token.enable.request.inbox and token.enable.request.outbox',
  JWT_SECRET: 'secret.inbox.string, secret.outbox.string and secret.session.string',
  JWT_HEADER: 'token.inbox.header and token.outbox.header',
  JWT_IN_BODY: 'token.inbox.inBody and token.outbox.inBody',
  USE_UNAUTHORIZED_STORAGE: 'requestDefaults.rejectUnauthorized (set to false, once)',
  ALLOW_PRIVATE_IP_ADDRESS: 'request-filtering-agent.allowPrivateIPAddress (set to true, once)',
  ALLOW_META_IP_ADDRESS: 'request-filtering-agent.allowMetaIPAddress (set to true, once)',
  WOPI_ENABLED: 'wopi.enable',
  SECURE_LINK_SECRET: 'storage.fs.secretString and nginx $secure_link_secret',
  ONLYOFFICE_DATA_CONTAINER_HOST: 'whether the entrypoint writes any of these settings (only when it is localhost)',
  ONLYOFFICE_DATA_CONTAINER: 'whether the secure-link secret is written',
};

/** Keys the entrypoint rewrites at every start from the environment: a hand edit of them in local.json is lost. */
export const ENTRYPOINT_OWNED: readonly string[] = [
  `${CO}.token.enable.browser`,
  `${CO}.token.enable.request.inbox`,
  `${CO}.token.enable.request.outbox`,
  `${CO}.secret.inbox.string`,
  `${CO}.secret.outbox.string`,
  `${CO}.secret.session.string`,
  `${CO}.secret.browser.string`,
  `${CO}.token.inbox.header`,
  `${CO}.token.outbox.header`,
  `${CO}.token.inbox.inBody`,
  `${CO}.token.outbox.inBody`,
  'wopi.enable',
  'storage.fs.secretString',
];

/** The variable that decides `key` (dotted), when the entrypoint owns it or can set it. */
export function variableFor(key: string): string | undefined {
  if (/\.token\.enable\./.test(key)) return 'JWT_ENABLED';
  if (/\.secret\.(inbox|outbox|session|browser)\.string$/.test(key)) return 'JWT_SECRET';
  if (/\.token\.(inbox|outbox)\.header$/.test(key)) return 'JWT_HEADER';
  if (/\.token\.(inbox|outbox)\.inBody$/.test(key)) return 'JWT_IN_BODY';
  if (key === `${CO}.requestDefaults.rejectUnauthorized`) return 'USE_UNAUTHORIZED_STORAGE';
  if (key === `${CO}.request-filtering-agent.allowPrivateIPAddress`) return 'ALLOW_PRIVATE_IP_ADDRESS';
  if (key === `${CO}.request-filtering-agent.allowMetaIPAddress`) return 'ALLOW_META_IP_ADDRESS';
  if (key === 'wopi.enable') return 'WOPI_ENABLED';
  if (key === 'storage.fs.secretString') return 'SECURE_LINK_SECRET';
  return undefined;
}

export interface EntrypointWrite {
  readonly key: string;
  readonly value: unknown;
  /** The variable that gave the value; undefined when the entrypoint's default did. */
  readonly from?: EnvVar;
  readonly variable: string;
}

export interface EntrypointResult {
  /** false when the entrypoint writes none of these settings (ONLYOFFICE_DATA_CONTAINER_HOST is not localhost). */
  readonly active: boolean;
  readonly writes: readonly EntrypointWrite[];
  /** Keys that get a new random value at every start (the variable is unset or empty). */
  readonly generated: readonly { readonly key: string; readonly variable: string; readonly length: number }[];
  /** Writes the `json` tool refuses: the key keeps its old value (and the container log gets a stack trace). */
  readonly failed: readonly { readonly key: string; readonly from: EnvVar; readonly why: string }[];
  readonly notes: readonly string[];
}

/**
 * A single-quoted JavaScript string with `text` pasted inside (`'${JWT_SECRET}'`): its value, or why it does not
 * parse. Escapes as ECMAScript string literals: \n \t \r \b \f \v \0 \xHH \uHHHH \u{…}, line continuations, and any
 * other escaped character stands for itself.
 */
export function jsSingleQuoted(text: string): { ok: true; value: string } | { ok: false; why: string } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") return { ok: false, why: 'it contains a single quote, which ends the JavaScript string the entrypoint pastes it into' };
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      if (c === '\u2028' || c === '\u2029') {
        out += c;
        continue;
      }
      return { ok: false, why: 'it contains a line break' };
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    if (n === undefined) return { ok: false, why: 'it ends with a backslash, which escapes the closing quote' };
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', "'": "'", '"': '"', '\\': '\\' };
    if (n in simple) out += simple[n];
    else if (n === '0' && !/[0-9]/.test(text[i + 1] ?? '')) out += '\0';
    else if (n === 'x') {
      const h = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return { ok: false, why: 'it contains an invalid \\x escape' };
      out += String.fromCharCode(parseInt(h, 16));
      i += 2;
    } else if (n === 'u') {
      const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(i + 1));
      const h = text.slice(i + 1, i + 5);
      if (braced) {
        out += String.fromCodePoint(parseInt(braced[1]!, 16));
        i += braced[0].length;
      } else if (/^[0-9a-fA-F]{4}$/.test(h)) {
        out += String.fromCharCode(parseInt(h, 16));
        i += 4;
      } else return { ok: false, why: 'it contains an invalid \\u escape' };
    } else if (n === '\n') {
      /* line continuation */
    } else if (/[1-9]/.test(n)) return { ok: false, why: 'it contains an octal escape, which strict mode refuses' };
    else out += n;
  }
  return { ok: true, value: out };
}

/** A raw JavaScript expression pasted after `=` (JWT_IN_BODY, WOPI_ENABLED): a literal's value, or why it fails. */
export function jsLiteral(text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  const t = text.trim();
  if (t === 'true') return { ok: true, value: true };
  if (t === 'false') return { ok: true, value: false };
  if (t === 'null') return { ok: true, value: null };
  if (/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: true, value: Number(t) };
  const q = /^(["'])(.*)\1$/s.exec(t);
  if (q) {
    const inner = jsSingleQuoted(q[1] === "'" ? q[2]! : q[2]!.replace(/'/g, "\\'"));
    return inner.ok ? { ok: true, value: inner.value } : { ok: false, why: inner.why };
  }
  return { ok: false, why: `${JSON.stringify(t)} is not a JavaScript literal (the json tool fails with a ReferenceError or SyntaxError)` };
}

export interface EntrypointInput {
  /** The container environment: the last definition of each name wins. */
  readonly env: ReadonlyMap<string, EnvVar>;
  /** The image's DS version; undefined = the newest behaviour (a `latest` image). */
  readonly version?: Version;
  /** local.json's own value at a dotted key, when local.json is visible (inside the container); else undefined. */
  readonly localValue?: (key: string) => unknown;
}

const at = (v: Version | undefined, s: string) => v === undefined || compareVersions(v, V(s)) >= 0;

/** Evaluate the entrypoint for this environment and image version. */
export function evaluateEntrypoint(input: EntrypointInput): EntrypointResult {
  const { env, version } = input;
  const writes: EntrypointWrite[] = [];
  const generated: { key: string; variable: string; length: number }[] = [];
  const failed: { key: string; from: EnvVar; why: string }[] = [];
  const notes: string[] = [];
  const raw = (name: string) => env.get(name)?.value;
  const set = (name: string) => {
    const v = raw(name);
    return v !== undefined && v !== '' ? env.get(name) : undefined;
  };

  const host = raw('ONLYOFFICE_DATA_CONTAINER_HOST');
  if (host !== undefined && host !== '' && host !== 'localhost') {
    notes.push(`ONLYOFFICE_DATA_CONTAINER_HOST is ${JSON.stringify(host)}: the entrypoint writes none of the JWT, WOPI or SSRF settings (run-document-server.sh:697, 757-766)`);
    return { active: false, writes, generated, failed, notes };
  }

  // JWT_ENABLED
  const enabledVar = env.get('JWT_ENABLED');
  const enabledRaw = enabledVar?.value !== undefined && enabledVar.value !== '' ? enabledVar.value : at(version, '7.2.0') ? 'true' : 'false';
  const enabled = enabledRaw === 'true';
  const jwtWritten = at(version, '7.1.0') || enabled;
  if (!jwtWritten) notes.push('before 7.1 the entrypoint writes the JWT settings only when JWT_ENABLED is exactly "true"');
  const stringWrite = (keys: readonly string[], name: string, dflt: string | undefined, genLength?: number) => {
    const v = set(name);
    if (!v) {
      if (dflt !== undefined) for (const key of keys) writes.push({ key, value: dflt, variable: name });
      else if (genLength) for (const key of keys) generated.push({ key, variable: name, length: genLength });
      return;
    }
    const parsed = jsSingleQuoted(v.value!);
    for (const key of keys) {
      if (parsed.ok) writes.push({ key, value: parsed.value, from: v, variable: name });
      else failed.push({ key, from: v, why: parsed.why });
    }
  };
  if (jwtWritten) {
    for (const k of ['browser', 'request.inbox', 'request.outbox']) {
      writes.push({ key: `${CO}.token.enable.${k}`, value: enabled, ...(enabledVar ? { from: enabledVar } : {}), variable: 'JWT_ENABLED' });
    }
    const secretKeys = ['inbox', 'outbox', 'session'].map((s) => `${CO}.secret.${s}.string`);
    if (at(version, '7.3.3')) stringWrite(secretKeys, 'JWT_SECRET', undefined, 32);
    else if (at(version, '7.2.0')) stringWrite(secretKeys, 'JWT_SECRET', undefined, 20);
    else stringWrite(secretKeys, 'JWT_SECRET', 'secret');
    stringWrite([`${CO}.token.inbox.header`, `${CO}.token.outbox.header`], 'JWT_HEADER', 'Authorization');
    const body = set('JWT_IN_BODY');
    const lit = body ? jsLiteral(body.value!) : ({ ok: true, value: false } as const);
    for (const key of [`${CO}.token.inbox.inBody`, `${CO}.token.outbox.inBody`]) {
      if (lit.ok) writes.push({ key, value: lit.value, ...(body ? { from: body } : {}), variable: 'JWT_IN_BODY' });
      else failed.push({ key, from: body!, why: lit.why });
    }
  }

  const unauth = env.get('USE_UNAUTHORIZED_STORAGE');
  const rejectKey = `${CO}.requestDefaults.rejectUnauthorized`;
  if (unauth?.value === 'true') {
    if (input.localValue?.(rejectKey) === undefined) writes.push({ key: rejectKey, value: false, from: unauth, variable: 'USE_UNAUTHORIZED_STORAGE' });
    else notes.push('USE_UNAUTHORIZED_STORAGE=true changes nothing while local.json sets requestDefaults.rejectUnauthorized');
  }

  const wopi = set('WOPI_ENABLED');
  const wopiLit = wopi ? jsLiteral(wopi.value!) : ({ ok: true, value: false } as const);
  if (wopiLit.ok) writes.push({ key: 'wopi.enable', value: wopiLit.value, ...(wopi ? { from: wopi } : {}), variable: 'WOPI_ENABLED' });
  else failed.push({ key: 'wopi.enable', from: wopi!, why: wopiLit.why });

  if (at(version, '7.4.0')) {
    for (const [name, key] of [
      ['ALLOW_PRIVATE_IP_ADDRESS', `${CO}.request-filtering-agent.allowPrivateIPAddress`],
      ['ALLOW_META_IP_ADDRESS', `${CO}.request-filtering-agent.allowMetaIPAddress`],
    ] as const) {
      const v = env.get(name);
      if (v?.value === 'true') writes.push({ key, value: true, from: v, variable: name });
    }
  }

  if (raw('ONLYOFFICE_DATA_CONTAINER') !== 'true' && at(version, '7.2.0')) {
    const sl = set('SECURE_LINK_SECRET');
    if (sl) writes.push({ key: 'storage.fs.secretString', value: sl.value, from: sl, variable: 'SECURE_LINK_SECRET' });
    else generated.push({ key: 'storage.fs.secretString', variable: 'SECURE_LINK_SECRET', length: 20 });
  }
  return { active: true, writes, generated, failed, notes };
}
