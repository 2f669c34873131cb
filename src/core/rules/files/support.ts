/** Shared helpers for the file-permission rules (DSH40x), ds-facts §1.5. Pure. */
import type { FileStat, Layer } from '../../types.js';
import type { HostFacts } from '../rule.js';
import { getPath, isPlainObject } from '../../layers/merge.js';

/** 0644 → "0644". */
export function modeText(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}

/** "owner uid 0 (root), group gid 999 (ds), mode 0600" — names only where ds-harden knows them. */
export function ownership(stat: FileStat, host: HostFacts): string {
  const u = host.serviceUser;
  const uname = stat.uid === 0 ? ' (root)' : u && stat.uid === u.uid ? ` (${u.name})` : '';
  const gname = stat.gid === 0 ? ' (root)' : u && stat.gid === u.gid ? ` (${u.name})` : '';
  return `owner uid ${stat.uid}${uname}, group gid ${stat.gid}${gname}, mode ${modeText(stat.mode)}`;
}

/**
 * Keys that hold secrets when set to a non-empty value, by dotted path (`*` = any member of that object).
 * From default.json 9.3.0 and ds-facts §2.2/§2.6/§2.7.
 */
const SECRET_PATHS: readonly string[] = [
  'services.CoAuthoring.secret.*.string', // JWT secrets: inbox, outbox, session, browser
  'storage.fs.secretString', // secure-link key, shared with nginx
  'storage.secretAccessKey', // S3
  'services.CoAuthoring.sql.dbPass',
  'services.CoAuthoring.redis.iooptions.password',
  'aesEncrypt.secret', // encrypts document passwords (8.2+)
  'openpgpjs.encrypt.passwords',
  'openpgpjs.decrypt.passwords',
  'wopi.privateKey',
  'wopi.privateKeyOld',
  'email.smtpServerConfiguration.auth.pass',
  'externalRequest.action.proxyUser.password',
  'activemq.connectOptions.password',
  'FileConverter.converter.signing.awsKms.secretAccessKey',
  'FileConverter.converter.signing.csc.clientSecret',
  'FileConverter.converter.signing.csc.password',
];

/**
 * The fix for a secret-bearing file that others can read (DSH400, and DSH403 for its copies): the owner and mode DS's
 * packages give local.json (rpm: 0640 ds:ds, ds-facts §1.5).
 */
/** The permission fix; {user} is the account DS runs as (deploy/remedy.ts fills it in: ds for the packages). */
export const PROTECT_FILE_FIX = 'chown root:{user} {file} && chmod 640 {file} (or chown {user}:{user} {file})';

/** The same where configuration management writes the file: its task sets the mode, a chmod by hand is undone. */
export const MANAGED_MODE_FIX =
  'Set mode: "0640" and group {user} on the task that writes {managedFile} (webarch-coop\'s role: the local.json template task; ONLYOFFICE\'s role: the copy of local-production-linux.json, mode 0644) and run the play again — a chmod by hand is undone by its next run.';

/** The same where DS runs as root (the snap): nobody else needs to read the file. */
export const PROTECT_FILE_FIX_ROOT = 'chmod 600 {file} (DS runs as root here, so nobody else needs to read it)';

/** `amqp://user:pass@host` style URLs carry a password. */
const PASSWORD_URL = String.raw`[a-z][a-z0-9+.-]*:\/\/[^/@:\s"]*:[^/@\s"]+@`;

/** Leaf names that hold a secret wherever they occur (SECRET_PATHS), for files that do not parse (vim swap files). */
const SECRET_LEAVES: Readonly<Record<string, string>> = {
  string: 'a JWT secret (secret.*.string)',
  secretString: 'the secure-link secret (storage.fs.secretString)',
  dbPass: 'the database password (sql.dbPass)',
  password: 'a password',
  secretAccessKey: 'an S3 secret access key',
  privateKey: 'the WOPI private key',
  privateKeyOld: 'the WOPI private key',
  clientSecret: 'a signing client secret',
};

/**
 * Secret-looking members found by scanning text that does not parse (an editor swap file, a truncated copy): a known leaf
 * name with a non-empty string value other than `publicDefaults`, and URLs with a password. Names only, never values.
 */
export function secretLeavesInText(text: string, publicDefaults: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/["']?([A-Za-z]+)["']?\s*:\s*"((?:[^"\\\n]|\\.)+)"/g)) {
    const what = SECRET_LEAVES[m[1]!];
    if (what && !publicDefaults.has(m[2]!)) found.add(what);
  }
  if (new RegExp(PASSWORD_URL, 'i').test(text)) found.add('a password in a URL (rabbitmq.url)');
  return [...found];
}

/** Keys whose value is a URL that may carry a password. */
const URL_WITH_PASSWORD: readonly string[] = ['rabbitmq.url'];

function nonEmpty(v: unknown): boolean {
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.some(nonEmpty);
  return v !== undefined && v !== null && v !== false;
}

/** The secret-holding keys a layer itself sets (not the merged value), in table order. */
export function secretKeysIn(layer: Layer): string[] {
  return secretKeysOf(layer.value);
}

/** The secret-holding keys set (non-empty) in a parsed configuration object, in table order. */
export function secretKeysOf(value: unknown): string[] {
  if (!isPlainObject(value)) return [];
  const out: string[] = [];
  for (const p of SECRET_PATHS) {
    const star = p.indexOf('*');
    if (star < 0) {
      if (nonEmpty(getPath(value, p))) out.push(p);
      continue;
    }
    const parent = getPath(value, p.slice(0, star - 1));
    if (!isPlainObject(parent)) continue;
    for (const k of Object.keys(parent)) {
      const key = p.replace('*', k);
      if (nonEmpty(getPath(value, key))) out.push(key);
    }
  }
  for (const p of URL_WITH_PASSWORD) {
    const v = getPath(value, p);
    if (typeof v === 'string' && new RegExp(`^${PASSWORD_URL}`, 'i').test(v)) out.push(p);
  }
  return out;
}
