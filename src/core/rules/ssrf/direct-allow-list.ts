/**
 * DSH511: externalRequest.directIfIn.allowList (8.1+) makes matching URLs "direct", ds-facts §2.4.
 * Facts from `isAllowDirectRequest` / `addExternalRequestOptions` (`server@v9.3.0.140:Common/sources/utils.js:265-327`):
 * - a URL is direct when `uri.startsWith(entry)` for some entry: a plain string prefix, no URL parsing;
 * - a direct URL is fetched without request-filtering-agent, without the action.allow check and without the proxy;
 * - when the list is non-empty, directIfIn.jwtToken is not consulted at all (`else if`).
 * Severity: medium; high when an entry is a prefix of every http(s) URL ("", "http", "https://", …), which turns the
 * filter off for everything (decision: same effect as blockPrivateIP false, DSH510).
 */
import type { Rule } from '../rule.js';
import { EXT_ALLOW_LIST, EXT_JWT_TOKEN } from './support.js';
import { fixes } from '../fixes.js';

/** The entry is a prefix of every http:// or every https:// URL. */
function matchesEverything(entry: string): boolean {
  return 'http://'.startsWith(entry) || 'https://'.startsWith(entry);
}

/** "http://nc.example.com" (no "/" after the host) also matches "http://nc.example.com.evil.net/" and "…@evil.net/". */
function openEnded(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(entry);
}

export const directAllowList: Rule = {
  id: 'DSH511',
  area: 'ssrf',
  severity: 'medium',
  title: 'externalRequest.directIfIn.allowList lets URLs skip the private-IP filter',
  why:
    'DS 8.1+ fetches a URL that starts with an allowList entry "directly": without request-filtering-agent (so private, ' +
    'loopback and metadata addresses are reachable), without the externalRequest.action checks and without the proxy. ' +
    'The match is a plain string prefix. While the list is non-empty, directIfIn.jwtToken is not used.',
  remediation:
    'Keep the list empty unless DS must reach a private address without a JWT; otherwise list exact prefixes ending in "/" ' +
    '(e.g. "https://nextcloud.internal/") so that other hosts cannot share the prefix.',
  fix: fixes.directIfIn,
  reads: [EXT_ALLOW_LIST, EXT_JWT_TOKEN],
  check(ctx) {
    const list = ctx.get(EXT_ALLOW_LIST);
    if (!Array.isArray(list) || list.length === 0) return [];
    const entries = list.map((e) => JSON.stringify(e) ?? String(e));
    const strings = list.filter((e): e is string => typeof e === 'string');
    const all = strings.filter(matchesEverything);
    const open = strings.filter((e) => !matchesEverything(e) && openEnded(e));
    const notes: string[] = [];
    if (all.length > 0) {
      notes.push(
        `${all.map((e) => JSON.stringify(e)).join(', ')} ${all.length === 1 ? 'is a prefix' : 'are prefixes'} of every http(s) URL, ` +
          `so every URL is direct and the private-IP filter never runs.`,
      );
    }
    if (open.length > 0) {
      const e = open[0]!;
      notes.push(
        `${open.map((x) => JSON.stringify(x)).join(', ')} ${open.length === 1 ? 'has' : 'have'} no "/" after the host, so ` +
          `${JSON.stringify(e)} also matches ${JSON.stringify(`${e}.attacker.example/`)} and ${JSON.stringify(`${e}@attacker.example/`)}.`,
      );
    }
    const jwtToken = ctx.get(EXT_JWT_TOKEN);
    if (jwtToken) notes.push('directIfIn.jwtToken is set but has no effect while the list is non-empty.');
    return [
      {
        message:
          `externalRequest.directIfIn.allowList has ${list.length} ${list.length === 1 ? 'entry' : 'entries'}: ${entries.join(', ')}. ` +
          `DS fetches every URL that starts with one of them without the private-IP filter, without the action.allow check ` +
          `and without the proxy.` +
          (notes.length ? ' ' + notes.join(' ') : ''),
        severity: all.length > 0 ? 'high' : 'medium',
        location: ctx.origin(EXT_ALLOW_LIST),
        key: EXT_ALLOW_LIST,
      },
    ];
  },
};
