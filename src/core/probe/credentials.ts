/**
 * What the integrator signs with, read from the effective configuration the way DS reads it (pure):
 * - secret: `secret.inbox.string` when non-empty, else the raw content of `secret.inbox.file` (DS reads the file as
 *   a Buffer, untrimmed: ds-facts §2.2, §4.6 getSecretByElem);
 * - header `token.inbox.header` (default Authorization) and prefix `token.inbox.prefix` (default "Bearer ").
 * And which address to claim in a forged X-Forwarded-For: one the ipfilter rules allow.
 */
import { K, CO } from '../ds/keys.js';
import { evaluateIpFilter, normalizeClientAddress } from '../ds/ipfilter.js';

export interface InboxCredentials {
  readonly secret?: string;
  readonly header: string;
  readonly prefix: string;
  /** where the secret came from, for people (never the value) */
  readonly source?: string;
}

export function inboxCredentials(get: (path: string) => unknown, secretFiles?: ReadonlyMap<string, { content?: string }>): InboxCredentials {
  const header = get(K.inboxHeader);
  const prefix = get(`${CO}.token.inbox.prefix`);
  const out = { header: typeof header === 'string' && header ? header : 'Authorization', prefix: typeof prefix === 'string' ? prefix : 'Bearer ' };
  const s = get(K.secretInbox);
  if (typeof s === 'string' && s !== '') return { ...out, secret: s, source: K.secretInbox };
  const file = get(`${CO}.secret.inbox.file`);
  const content = typeof file === 'string' && file ? secretFiles?.get(file)?.content : undefined;
  return content ? { ...out, secret: content, source: `${CO}.secret.inbox.file (${String(file)})` } : out;
}

/**
 * An address to claim in X-Forwarded-For: the first exact IP an ipfilter rule allows that the rules really let in
 * (non-loopback first), else 127.0.0.1 (ds-harden apply always allows it; so does the usual allow-list).
 */
export function claimAddress(rules: unknown, errorcode?: unknown): string {
  const candidates: string[] = [];
  if (Array.isArray(rules)) {
    for (const r of rules) {
      const a = r && typeof r === 'object' ? (r as { address?: unknown; allowed?: unknown }).address : undefined;
      if (typeof a === 'string' && (r as { allowed?: unknown }).allowed && !a.includes('*') && normalizeClientAddress(a).ip4 !== undefined) candidates.push(a);
    }
  }
  const ordered = [...candidates.filter((a) => !a.startsWith('127.') && !a.startsWith('0:0:0:0:0:')), ...candidates];
  return ordered.find((a) => evaluateIpFilter(rules, { ip: a }, errorcode).decision === 'allowed') ?? '127.0.0.1';
}
