/**
 * Shared helpers for the secret rules (DSH3xx): which JWT secrets DS reads, and which value it actually uses.
 * Resolution follows DS getSecretByElem (ds-facts §4.6): a non-empty `string` wins, else `file` (read raw, not trimmed).
 * Pure; messages built from these helpers never contain a secret value (lengths and mask() only).
 */
import { locationText } from '../../text/position.js';
import type { RuleContext } from '../rule.js';
import { certainlyAtLeast, V } from '../../ds/versions.js';

export const SECRET = 'services.CoAuthoring.secret';
export const SECRET_FROM_INBOX = 'services.CoAuthoring.token.browser.secretFromInbox';

export type SecretName = 'inbox' | 'outbox' | 'session' | 'browser';

export interface SecretUse {
  readonly name: SecretName;
  /** services.CoAuthoring.secret.<name> */
  readonly base: string;
  readonly stringKey: string;
  readonly fileKey: string;
  /**
   * What DS uses: the string, the file, nothing at all ("empty secret"), or a value the Docker entrypoint generates anew
   * at every container start (JWT_SECRET unset: DSH900 reports that; the value itself is random and strong).
   */
  readonly source: 'string' | 'file' | 'empty' | 'generated';
  /** The effective secret when source is 'string' (never print it). */
  readonly value?: string;
  /** secret.<name>.file when it is a non-empty string (a path, not a secret). */
  readonly file?: string;
  /** Why DS reads this secret, for messages ("verifies tokens from integrators and editors"). */
  readonly role: string;
  /** What someone who knows this secret can do, for messages. */
  readonly risk: string;
}

/**
 * Installs that write secret.*.string themselves, so a secret.*.file is never read there (DSH304, DSH305): the image's
 * entrypoint from JWT_SECRET (deploy-modes §2.2), the YunoHost app's template from its jwt_secret setting (§6), the NixOS
 * module's prestart from services.onlyoffice.jwtSecretFile (§5).
 */
export const SECRET_FILE_ELSEWHERE = {
  docker:
    'The entrypoint writes secret.*.string from JWT_SECRET at every start, so secret.*.file is never used in the official image: set JWT_SECRET in ' +
    '{containerDef} and remove secret.*.file, then {recreate}.',
  yunohost:
    'The app\'s template writes secret.*.string from its jwt_secret setting at every upgrade, so secret.*.file is never used: remove it and keep the ' +
    'secret in yunohost app setting {app} jwt_secret, then yunohost app upgrade {app} --force.',
  nixos:
    'The module writes secret.*.string from services.onlyoffice.jwtSecretFile at every start: set that option (a file holding only the secret, readable ' +
    'by {user}) instead of secret.*.file, then nixos-rebuild switch.',
} as const;

/** The public upstream literals: safe to name in messages. */
export const PUBLIC_DEFAULTS: ReadonlySet<string> = new Set(['secret', 'verysecretstring']);

/** DS ≤ 7.1 verifies editor tokens with secret.browser unless token.browser.secretFromInbox is truthy (ds-facts §4.5). */
export function browserSecretRead(ctx: RuleContext): boolean {
  if (certainlyAtLeast(ctx.version, V('7.2.0'))) return false;
  if (Boolean(ctx.get(SECRET_FROM_INBOX))) return false;
  const b = ctx.get(`${SECRET}.browser`);
  return b !== undefined && b !== null;
}

function resolve(ctx: RuleContext, name: SecretName, role: string, risk: string): SecretUse {
  const base = `${SECRET}.${name}`;
  const stringKey = `${base}.string`;
  const fileKey = `${base}.file`;
  const s = ctx.get(stringKey);
  const f = ctx.get(fileKey);
  const file = typeof f === 'string' && f.length > 0 ? f : undefined;
  const common = { name, base, stringKey, fileKey, role, risk, ...(file !== undefined ? { file } : {}) };
  if (generatedAtStart(ctx, stringKey)) return { ...common, source: 'generated' };
  // DS: `if (elem.string) … else if (elem.file) …` — JavaScript truthiness.
  if (s) return { ...common, source: 'string', value: typeof s === 'string' ? s : String(s) };
  if (file !== undefined) return { ...common, source: 'file' };
  return { ...common, source: 'empty' };
}

/** A layer generates this key at every start (deploy/env-layer.ts) and no later layer sets it. */
export function generatedAtStart(ctx: RuleContext, key: string): boolean {
  const idx = ctx.layers.findIndex((l) => l.generated?.has(key));
  if (idx < 0) return false;
  return !(ctx.effective.setters.get(key) ?? []).some((s) => s.layer > idx);
}

/** The JWT secrets this DS version reads, in a stable order: inbox, outbox, session (and browser on ≤ 7.1 when used). */
export function secretsInUse(ctx: RuleContext): SecretUse[] {
  const browser = browserSecretRead(ctx);
  const out = [
    browser
      ? resolve(ctx, 'inbox', 'verifies tokens on requests from integrators', 'sign commands and conversion requests DS accepts')
      : resolve(
          ctx,
          'inbox',
          'verifies tokens on requests from integrators and on editor configs',
          'sign commands, conversion requests and editor configs DS accepts',
        ),
    resolve(ctx, 'outbox', 'signs callbacks to the integrator', 'forge DS callbacks the integrator accepts'),
    resolve(ctx, 'session', 'signs editor session tokens', 'mint editor session tokens DS accepts'),
  ];
  if (browser) {
    out.push(
      resolve(
        ctx,
        'browser',
        'verifies editor configs on DS ≤ 7.1, because token.browser.secretFromInbox is off',
        'sign editor configs DS accepts',
      ),
    );
  }
  return out;
}

/** The key that decided the secret DS uses: the string when it is in effect, else the file setting. */
export function decidingKey(use: SecretUse): string {
  return use.source === 'file' ? use.fileKey : use.stringKey;
}

export function short(key: string): string {
  return key.replace(/^services\.CoAuthoring\./, '');
}

/** "local.json:12" style pointer for messages (core/text/position.ts). */
export const where = locationText;

/** Text of a secret file as DS would use it, when the adapter could read it. */
export function fileContent(ctx: RuleContext, path: string): string | undefined {
  return ctx.host.secretFiles?.get(path)?.content;
}

/** Lowercased with separators removed: "Change_Me", "change-me" and "CHANGEME" compare equal. */
function normalize(s: string): string {
  return s.toLowerCase().replace(/[\s_.\-]/g, '');
}

/**
 * Placeholders and well-known defaults, compared after normalize(). Sources: the DS defaults ("secret",
 * "verysecretstring", "onlyoffice" = 5.x secure-link default and the default DB password), installer and tutorial
 * placeholders. Deliberately small; DSH302 covers other word-like values.
 */
const PLACEHOLDERS: ReadonlySet<string> = new Set(
  [
    'secret',
    'verysecretstring',
    'changeme',
    'changethis',
    'changeit',
    'pleasechangeme',
    'password',
    'passw0rd',
    'yoursecret',
    'yourjwtsecret',
    'yoursecretkey',
    'yoursecrethere',
    'mysecret',
    'myjwtsecret',
    'mysecretkey',
    'jwtsecret',
    'jwtsecretkey',
    'jwtkey',
    'secretkey',
    'secretstring',
    'onlyoffice',
    'onlyofficesecret',
    // the snap's shipped and configure-hook default (ONLYOFFICE/snap-documentserver@1b3786b config/local.json, snap/hooks/configure:4)
    'defaultjwtsecret',
    'documentserver',
    'documentserversecret',
    'nextcloud',
    'admin',
    'test',
    'example',
    'default',
    'token',
    '123456',
    '12345678',
    '1234567890',
  ].map(normalize),
);

/**
 * 'empty' for "", 'public-default' for the upstream literals, 'placeholder' for other well-known fill-ins
 * (list above, `<...>` templates, unexpanded `${VAR}`/`$VAR`, runs of x or *), else undefined.
 */
export function placeholderKind(value: string): 'empty' | 'public-default' | 'placeholder' | undefined {
  if (value.length === 0) return 'empty';
  if (PUBLIC_DEFAULTS.has(value)) return 'public-default';
  const n = normalize(value);
  if (n.length > 0 && PLACEHOLDERS.has(n)) return 'placeholder';
  if (/^<[^<>]*>$/.test(value.trim())) return 'placeholder';
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value.trim())) return 'placeholder';
  if (/^(x+|\*+|\.+)$/i.test(value.trim())) return 'placeholder';
  return undefined;
}

/** How a weak secret is described without revealing a user's value. */
export function describeSecret(value: string): string {
  if (value.length === 0) return 'empty ("")';
  if (PUBLIC_DEFAULTS.has(value)) return `the public default ${JSON.stringify(value)}`;
  return `a ${value.length}-character value`;
}
