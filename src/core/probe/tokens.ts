/**
 * The JSON Web Tokens the probe sends, made with `jose` (no I/O; signing is computation). Each token carries the
 * request's parameters (`{"c":"version"}`), as the Nextcloud connector's body token does (ds-facts §6.2); DS
 * verifies with jsonwebtoken and no `algorithms` option, i.e. HS256/384/512 for a string secret, `alg: none`
 * refused, 60 s clock tolerance (ds-facts §4.2).
 */
import { SignJWT, UnsecuredJWT } from 'jose';

/**
 * - configured: HS256 with the secret ds-harden was given (what the integrator sends)
 * - wrong: HS256 with a random secret nobody configured
 * - default: HS256 with "secret", the stock value in every default.json (CVE-2021-43445)
 * - none: `alg: none`, no signature
 * - expired: HS256 with the configured secret, `exp` an hour ago (beyond the 60 s tolerance)
 */
export type TokenKind = 'configured' | 'wrong' | 'default' | 'none' | 'expired';

/** The stock JWT secret of default.json (ds-facts §2.2). */
export const STOCK_SECRET = 'secret';

export interface TokenInput {
  readonly kind: TokenKind;
  readonly claims: Readonly<Record<string, unknown>>;
  /** the configured secret (needed for configured and expired) */
  readonly secret?: string;
  /** a random secret for `wrong` (the caller draws it) */
  readonly wrongSecret: string;
  /** seconds since the epoch */
  readonly now: number;
}

const key = (s: string) => new TextEncoder().encode(s);

/** The compact token for one request; throws Error when a configured secret is needed and missing. */
export async function makeToken(t: TokenInput): Promise<string> {
  const iat = t.kind === 'expired' ? t.now - 7200 : t.now;
  const exp = t.kind === 'expired' ? t.now - 3600 : t.now + 300;
  const claims = { ...t.claims, iat, exp };
  if (t.kind === 'none') return new UnsecuredJWT(claims).encode();
  const secret = t.kind === 'wrong' ? t.wrongSecret : t.kind === 'default' ? STOCK_SECRET : t.secret;
  if (secret === undefined || secret === '') throw new Error(`a ${t.kind} token needs the configured secret`);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key(secret));
}
