/** Shared helpers for the JWT rules (ds-facts §2.3, §4). Pure. */
import { locationText } from '../../text/position.js';
import type { RuleContext } from '../rule.js';

export const TOKEN = 'services.CoAuthoring.token';

export const ENABLE_BROWSER = `${TOKEN}.enable.browser`;
export const ENABLE_INBOX = `${TOKEN}.enable.request.inbox`;
export const ENABLE_OUTBOX = `${TOKEN}.enable.request.outbox`;

/** DS tests the switches with plain JavaScript truthiness (`if (cfgTokenEnableBrowser)`), ds-observed §3f. */
export function jsTruthy(v: unknown): boolean {
  return Boolean(v);
}

/** How a value reads in a message: strings quoted, everything else as JSON (`false`, `0`, `null`), unset as "unset". */
export function show(v: unknown): string {
  if (v === undefined) return 'unset';
  return JSON.stringify(v);
}

/** "local.json:12" style pointer for messages (core/text/position.ts). */
export const where = locationText;

/** The key's value and where it was decided, e.g. `false (default.json:476)`. */
export function valueAt(ctx: RuleContext, key: string): string {
  return `${show(ctx.get(key))} (${where(ctx.origin(key))})`;
}

/** Short key for messages: "token.enable.request.inbox" instead of the full services.CoAuthoring path. */
export function short(key: string): string {
  return key.replace(/^services\.CoAuthoring\./, '');
}
