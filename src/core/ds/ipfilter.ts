/**
 * DS's `services.CoAuthoring.ipfilter` semantics as pure functions (ds-facts §3, ds-observed §3e/§3f).
 *
 * Re-implemented from the behaviour of ONLYOFFICE/server `Common/sources/utils.js` (tag v9.3.0.140):
 * - `getIpFilterRule` (:102-111): `address` is split on `*`, each piece regex-escaped
 *   (escape-string-regexp 1.0.5), joined with `.*`, anchored `^…$`, compiled with the `i` flag.
 *   A non-string `address` throws (it has no `.split`).
 * - `checkIpFilter` (:999-1030): the tested strings are computed with ipaddr.js (2.2.0 in DS 9.x);
 *   rules run top to bottom over `rules.length`; a rule matches if its regex matches the hostname
 *   (outgoing checks only), the IPv4 string or the IPv6 string; the first match decides (`break`);
 *   `allowed` is read for truthiness; a deny sets the status to `errorcode`; no match → status 0.
 * - `checkHostFilter` (:1032-1046): outgoing checks pass the URL hostname and one resolved IP.
 * - `checkClientIp` (:1048-1066): incoming checks (only with `useforrequest`) pass no hostname and
 *   block only when `status > 0`.
 * - Outgoing call sites compare the status differently: `0 !== status` (editor auth callback
 *   DocsCoServer.js:2905-2906, canvasservice.js:799-800/1842-1843, wopiClient.js:1176-1177),
 *   `0 == status` (FileConverter converter.js:520-521), `status > 0` (CommandService callback
 *   DocsCoServer.js:1513-1514).
 * - ≤ 7.4 compiles every rule at module load (`server@v7.0.0.133:Common/sources/utils.js:101-110`),
 *   so one bad rule anywhere stops DocService/FileConverter from starting.
 *
 * Pure: no fs, no process, no network. Only ipaddr.js (the library DS itself uses) is imported.
 */
import * as ipaddrNamespace from 'ipaddr.js';

/**
 * ipaddr.js is CommonJS (`module.exports = ipaddr`, declared `export =`). Node's ESM loader exposes it
 * as the namespace's `default` (its exports are not statically detectable), and the tsconfig has no
 * `allowSyntheticDefaultImports`, so take `default` when present and fall back to the namespace.
 */
const ipaddr: typeof ipaddrNamespace =
  (ipaddrNamespace as unknown as { default?: typeof ipaddrNamespace }).default ?? ipaddrNamespace;

/**
 * ipaddr.js's validity checks, with a cheap character test first. They are exact (every string ipaddr.js accepts
 * passes the test), but skip ipaddr.js's own path for the common non-address (a glob, a host name), which constructs
 * an address from `null` and catches the TypeError: ≈ 100 µs a call, seconds for a list of 10,000 globs.
 */
const V4_CHARS = /^[0-9a-fA-FxX.]+$/;
const V6_CHARS = /^[0-9a-fA-F:.]+(%.*)?$/;
const FOUR_PART_DECIMAL = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/;
export const addrCheck = {
  v4Valid: (s: string): boolean => V4_CHARS.test(s) && ipaddr.IPv4.isValid(s),
  v4FourPart: (s: string): boolean => FOUR_PART_DECIMAL.test(s) && ipaddr.IPv4.isValidFourPartDecimal(s),
  v6Valid: (s: string): boolean => s.includes(':') && V6_CHARS.test(s) && ipaddr.IPv6.isValid(s),
  valid: (s: string): boolean => addrCheck.v6Valid(s) || addrCheck.v4Valid(s),
};

/** One entry of `ipfilter.rules` as DS reads it; both fields are unchecked (DS does no validation). */
export type IpRule = { address: unknown; allowed: unknown };

/**
 * Outcome of running the rules against one target.
 * - `decision`: `'allowed'` (DS lets it through), `'denied'` (DS refuses it), `'error'` (DS throws).
 * - `matchedIndex`: 0-based index of the deciding rule (the matching rule, or the rule DS throws on).
 *   Absent when no rule decided. Reasons name rules 1-based: `rule #n` is `rules[n-1]`.
 * - `reason`: one human-readable sentence (or two) explaining the outcome.
 */
export type IpVerdict = { decision: 'allowed' | 'denied' | 'error'; matchedIndex?: number; reason: string };

/** A problem with one rule `address`, as found by {@link analyzeAddress}. */
export type AddressIssue = {
  kind:
    | 'not-string'
    | 'empty'
    | 'cidr'
    | 'ipv6-compressed'
    | 'ipv6-not-normalized'
    | 'hostname'
    | 'range'
    | 'whitespace'
    | 'catch-all';
  message: string;
  /** A replacement address that matches what was most likely intended, when one exists. */
  suggestion?: string;
};

// ---------------------------------------------------------------------------------------------
// Address normalisation and pattern compilation
// ---------------------------------------------------------------------------------------------

/**
 * The strings DS tests the rules against for a client (or resolved) address, exactly as
 * `checkIpFilter` derives them with ipaddr.js:
 * - IPv4 (any form ipaddr.js 2.x accepts, e.g. `127.1`, `0x7f.1`) → `ip4` = dotted quad and
 *   `ip6` = its IPv4-mapped IPv6 normalized form (`10.1.2.3` → `0:0:0:0:0:ffff:a01:203`).
 * - IPv6 → `ip6` = `toNormalizedString()` (lowercase, no `::`, no leading zeros, zone id kept);
 *   an IPv4-mapped IPv6 (`::ffff:127.0.0.1`) also gives `ip4` (`127.0.0.1`).
 * - Anything ipaddr.js rejects (`"x"`, `""`, `" 10.0.0.1"`, a bogus X-Forwarded-For entry) → `{}`:
 *   no rule can match it, not even `*`.
 */
export function normalizeClientAddress(addr: string): { ip4?: string; ip6?: string } {
  if (typeof addr !== 'string') return {};
  // the same few addresses are normalised by many rules: ipaddr.js is slow on first use
  const hit = normalized.get(addr);
  if (hit) return { ...hit };
  const out = normalizeUncached(addr);
  if (normalized.size < 1024) normalized.set(addr, out);
  return { ...out };
}

const normalized = new Map<string, { ip4?: string; ip6?: string }>();

function normalizeUncached(addr: string): { ip4?: string; ip6?: string } {
  if (!addrCheck.valid(addr)) return {};
  const ip = ipaddr.parse(addr);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddrNamespace.IPv6;
    const ip6 = v6.toNormalizedString();
    return v6.isIPv4MappedAddress() ? { ip4: v6.toIPv4Address().toString(), ip6 } : { ip6 };
  }
  const v4 = ip as ipaddrNamespace.IPv4;
  return { ip4: v4.toString(), ip6: v4.toIPv4MappedAddress().toNormalizedString() };
}

/** Characters escape-string-regexp 1.0.5 (the version DS pins) escapes; `*` never reaches it. */
const REGEX_SPECIAL = /[|\\{}()[\]^$+*?.]/g;

/**
 * DS's compilation of a rule `address`: every `*` becomes `.*` (any run of characters except line
 * terminators), everything else is literal (dots, colons, slashes, dashes), the whole string is
 * anchored `^…$` and the regex is case-insensitive. `"10.0.0.0/8"` therefore only matches the
 * literal text `10.0.0.0/8`, and `""` only matches the empty string (which DS never tests).
 */
export function globToRegExp(address: string): RegExp {
  const hit = compiled.get(address);
  if (hit) return hit;
  const body = address
    .split('*')
    .map((piece) => piece.replace(REGEX_SPECIAL, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${body}$`, 'i');
  if (compiled.size < 1024) compiled.set(address, re);
  return re;
}

/** Compiled rules by address (DS caches them the same way); the regexes have no /g, so sharing is safe. */
const compiled = new Map<string, RegExp>();

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * Does the rule `address` match `target`, exactly as `globToRegExp(address).test(target)` would — without the
 * regex: a pattern like `*1*1*1*1*1*1*1*1*1*1*x` makes V8's backtracking regex take exponential time on a 40-character
 * address, whereas this is the classic two-pointer wildcard match, O(|address| × |target|) at worst, after runs of `*`
 * are folded (`**` ≡ `*`) and an address with more literal characters than the target is rejected at once.
 * Case-insensitive like the `i` flag without `u`: ASCII letters fold, other characters compare as they are (a
 * non-ASCII character never folds to ASCII there). A target holding a line terminator (which `.` does not match) is
 * left to the regex.
 */
export function globMatches(address: string, target: string): boolean {
  if (LINE_TERMINATOR.test(target)) return globToRegExp(address).test(target);
  const STAR = 0x2a;
  let literals = 0;
  for (let i = 0; i < address.length; i++) if (address.charCodeAt(i) !== STAR && ++literals > target.length) return false;
  const fold = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  const n = address.length;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < target.length) {
    if (pi < n && address.charCodeAt(pi) === STAR) {
      // a run of `*` is one `*`
      while (pi < n && address.charCodeAt(pi) === STAR) pi++;
      star = pi;
      mark = ti;
    } else if (pi < n && fold(address.charCodeAt(pi)) === fold(target.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (star >= 0) {
      pi = star;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < n && address.charCodeAt(pi) === STAR) pi++;
  return pi === n;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

const DS_THROWS =
  'DS throws here: HTTP 500 on filtered incoming routes and a failed outgoing request on 8.x/9.x; ' +
  'DocService/FileConverter do not start on ≤ 7.4';

/** JSON for a reason string; never throws, never huge. */
function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** JavaScript's `ToNumber` as used by `status > 0`; symbols (which throw there) give NaN. */
function looseNumber(value: unknown): number {
  try {
    return Number(value);
  } catch {
    return NaN;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : t === 'undefined' ? 'undefined' : `a ${t}`;
}

/** Property read with JavaScript semantics: throws (like DS) on null/undefined, boxes primitives. */
function readProp(holder: unknown, key: string | number): unknown {
  if (holder === null || holder === undefined) {
    throw new TypeError(`Cannot read properties of ${String(holder)} (reading '${String(key)}')`);
  }
  return (Object(holder) as Record<string | number, unknown>)[key];
}

/** Is `rules[index]` an entry DS would choke on (≤ 7.4 compiles them all at start-up)? */
function brokenRuleNote(rules: unknown, from: number): string {
  if (!Array.isArray(rules)) return '';
  for (let i = from; i < rules.length; i++) {
    const rule: unknown = rules[i];
    const address = rule !== null && typeof rule === 'object' ? (rule as Record<string, unknown>)['address'] : undefined;
    if (typeof address !== 'string') {
      return ` Note: rule #${i + 1} ${show(rule)} has no string address; DS ≤ 7.4 compiles every rule at start-up and would not start.`;
    }
  }
  return '';
}

/** What the deciding deny does with `errorcode`, incoming (`checkClientIp`) or outgoing (`checkHostFilter`). */
function denyOutcome(errorcode: unknown, outgoing: boolean): { blocks: boolean; note: string } {
  const n = looseNumber(errorcode);
  const shown = show(errorcode);
  if (!outgoing) {
    if (!(n > 0)) {
      return {
        blocks: false,
        note: `the rule denies, but errorcode ${shown} is not > 0, so DS does not block incoming requests (checkClientIp blocks only when status > 0)`,
      };
    }
    const code = n | 0;
    if (code < 100 || code > 999) {
      return { blocks: true, note: `denied: DS cannot send errorcode ${shown} as an HTTP status, so the request fails with HTTP 500 instead` };
    }
    if (code < 400) {
      return {
        blocks: true,
        note: `denied: the route does not run, but DS answers HTTP ${code} (errorcode ${shown} is not an error status), which clients may take for success`,
      };
    }
    return { blocks: true, note: `denied with HTTP ${code}` };
  }
  // Outgoing: most call sites test `0 !== status`; the CommandService callback tests `status > 0`
  // and the converter's download tests `0 == status`.
  if (errorcode === 0) {
    return { blocks: false, note: 'the rule denies, but errorcode is 0, so DS does not block (status 0 means "passed")' };
  }
  if (n > 0) return { blocks: true, note: `denied (status ${shown})` };
  const exceptions = ['CommandService callback URLs are still accepted (that check is status > 0)'];
  // eslint-disable-next-line eqeqeq -- reproduces converter.js's loose `0 == filterStatus`
  if ((errorcode as number) == 0) exceptions.push('the converter still downloads (that check is 0 == status)');
  return {
    blocks: true,
    note: `denied at most outgoing call sites (they test 0 !== status), but errorcode ${shown} is not > 0: ${exceptions.join('; ')}`,
  };
}

/**
 * Runs `rules` against one target the way DS 8.x/9.x does (first match wins).
 *
 * - `target.ip`: the client address (incoming, `useforrequest`) or the resolved address (outgoing);
 *   normalised with {@link normalizeClientAddress}. A non-IP gives nothing to test.
 * - `target.hostname`: present ⇒ modelled as an outgoing check (`checkHostFilter`): each rule is
 *   tested against the hostname OR the ip, in rule order, so an IP glob such as `192.168.1.*` also
 *   matches the name `192.168.1.evil.example`. Absent ⇒ an incoming check (`checkClientIp`).
 *   The hostname is tested as given (DS passes the URL's hostname; a DNS failure, which DS treats as
 *   a deny with `errorcode`, is not modelled: pass the resolved ip).
 * - `rules` is read with JavaScript semantics: a non-array without a positive `length` (an object, a
 *   number) runs no rules → allowed; `null` throws; a non-empty string runs over its characters and
 *   throws on the first one (observed HTTP 500). A rule that is not an object with a string
 *   `address` throws when reached → `'error'`.
 * - `allowed` is truthiness: `"false"` (a non-empty string) allows, a missing `allowed` denies.
 * - A deny only blocks incoming requests when `errorcode > 0`; outgoing checks block on any status
 *   other than the number 0 at most call sites (exceptions are named in the reason).
 * - No rule matches → allowed.
 */
export function evaluateIpFilter(
  rules: unknown,
  target: { ip?: string; hostname?: string },
  errorcode: unknown = 403,
): IpVerdict {
  const outgoing = target.hostname !== undefined;
  const hostname = target.hostname;
  const { ip4, ip6 } = target.ip === undefined ? {} : normalizeClientAddress(target.ip);

  let length: unknown;
  try {
    length = readProp(rules, 'length');
  } catch {
    return { decision: 'error', reason: `rules is ${typeName(rules)}: ${DS_THROWS}.` };
  }

  let i = 0;
  // `i < length` with JavaScript coercion, exactly like DS's loop condition.
  for (; i < (length as number); i++) {
    let rule: unknown;
    let address: unknown;
    try {
      rule = readProp(rules, i);
      address = readProp(rule, 'address');
    } catch {
      return { decision: 'error', matchedIndex: i, reason: `rule #${i + 1} is ${show(rule)}: ${DS_THROWS}.` };
    }
    if (typeof address !== 'string') {
      const what = typeof rules === 'string' ? ` (rules is a string, so DS iterates its characters)` : '';
      return {
        decision: 'error',
        matchedIndex: i,
        reason: `rule #${i + 1} ${show(rule)}${what}: address is ${typeName(address)}, not a string; ${DS_THROWS}.`,
      };
    }
    let matched: string | undefined;
    if (hostname && globMatches(address, hostname)) matched = `hostname ${show(hostname)}`;
    else if (ip4 && globMatches(address, ip4)) matched = target.ip === ip4 ? ip4 : `${String(target.ip)} (tested as ${ip4})`;
    else if (ip6 && globMatches(address, ip6)) matched = target.ip === ip6 ? ip6 : `${String(target.ip)} (tested as ${ip6})`;
    if (matched === undefined) continue;

    const allowed = readProp(rule, 'allowed');
    const head = `rule #${i + 1} ${show(rule)} matches ${matched}`;
    const note = brokenRuleNote(rules, i + 1);
    if (allowed) {
      const truthy =
        allowed === true ? '' : ` ("allowed" is ${show(allowed)}, which DS reads as true)`;
      return { decision: 'allowed', matchedIndex: i, reason: `${head}: allowed${truthy}.${note}` };
    }
    const falsy = allowed === false ? '' : ` ("allowed" is ${show(allowed)}, which DS reads as false)`;
    const outcome = denyOutcome(errorcode, outgoing);
    return {
      decision: outcome.blocks ? 'denied' : 'allowed',
      matchedIndex: i,
      reason: `${head}${falsy}: ${outcome.note}.${note}`,
    };
  }

  const note = brokenRuleNote(rules, i);
  if (!Array.isArray(rules) && !(looseNumber(length) > 0)) {
    return {
      decision: 'allowed',
      reason: `rules is ${typeName(rules)}, not an array: DS runs no rules, so everything is allowed.`,
    };
  }
  const what = [
    hostname ? `hostname ${show(hostname)}` : undefined,
    target.ip !== undefined ? show(target.ip) : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' / ');
  if (!hostname && ip4 === undefined && ip6 === undefined) {
    return {
      decision: 'allowed',
      reason: `${what || 'the target'} is not an IP address, so no rule can match (not even "*"): DS allows it.${note}`,
    };
  }
  return { decision: 'allowed', reason: `no rule matches ${what}: DS allows when no rule matches.${note}` };
}

/**
 * {@link evaluateIpFilter} over several targets (same rules, same errorcode; `undefined` → 403).
 * `target` describes what was tested: `ip`, `hostname`, or `hostname (ip)`.
 */
export function simulate(
  rules: unknown,
  targets: { label: string; ip?: string; hostname?: string }[],
  errorcode?: unknown,
): { label: string; target: string; verdict: IpVerdict }[] {
  return targets.map((t) => {
    const target =
      t.hostname !== undefined && t.ip !== undefined
        ? `${t.hostname} (${t.ip})`
        : (t.hostname ?? t.ip ?? '(no address)');
    const input: { ip?: string; hostname?: string } = {};
    if (t.ip !== undefined) input.ip = t.ip;
    if (t.hostname !== undefined) input.hostname = t.hostname;
    return { label: t.label, target, verdict: evaluateIpFilter(rules, input, errorcode) };
  });
}

// ---------------------------------------------------------------------------------------------
// Address analysis and normalisation
// ---------------------------------------------------------------------------------------------

/**
 * The exact glob for a CIDR block, or `null` when no single DS glob expresses it.
 * - IPv4 (four-part decimal only): `/0` → `"*"`; `/8`, `/16`, `/24` → `"a.*"`, `"a.b.*"`,
 *   `"a.b.c.*"`; `/32` → the address. Host bits must be zero (`10.0.0.1/8` → `null`); other prefix
 *   lengths (`/12`, `/20`, …) → `null`.
 * - IPv6: `/0` → `"*"`; `/128` → the full normalized form; multiples of 16 → the normalized
 *   leading groups + `":*"` (`2001:db8::/32` → `"2001:db8:*"`); host bits must be zero; others → `null`.
 *
 * Caveats of the result (DS globs are plain text patterns, not address ranges):
 * - `"*"` matches every IPv4 and IPv6 address and every hostname, not only the CIDR's family.
 * - An IPv4 glob such as `"10.*"` also matches hostnames beginning `"10."` on outgoing checks
 *   (DS tests each rule against the URL hostname too), e.g. `10.attacker.example`.
 */
export function cidrToGlob(cidr: string): string | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return null;
  const addr = m[1] as string;
  const prefix = Number(m[2]);
  if (!addr.includes(':')) {
    if (prefix > 32 || !addrCheck.v4FourPart(addr)) return null;
    const octets = ipaddr.IPv4.parse(addr).octets;
    if (prefix % 8 !== 0) return null;
    const k = prefix / 8;
    if (octets.slice(k).some((o: number) => o !== 0)) return null;
    if (k === 0) return '*';
    if (k === 4) return octets.join('.');
    return `${octets.slice(0, k).join('.')}.*`;
  }
  if (prefix > 128 || !addrCheck.v6Valid(addr)) return null;
  const ip = ipaddr.IPv6.parse(addr);
  if (ip.zoneId) return null;
  if (prefix % 16 !== 0) return null;
  const k = prefix / 16;
  if (ip.parts.slice(k).some((p: number) => p !== 0)) return null;
  if (k === 0) return '*';
  if (k === 8) return ip.toNormalizedString();
  return `${ip.parts
    .slice(0, k)
    .map((p: number) => p.toString(16))
    .join(':')}:*`;
}

type Classified =
  | { type: 'empty' }
  | { type: 'catch-all' }
  | { type: 'cidr'; glob: string | null; detail: string }
  | { type: 'range'; glob?: string }
  | { type: 'ipv4' }
  | { type: 'ipv4-glob' }
  | { type: 'ipv4-noncanonical'; canonical: string; ambiguous: boolean }
  | { type: 'ipv4-invalid' }
  | { type: 'ipv6'; normalized: string; compressed: boolean; exact: boolean; mappedIpv4?: string; spelling?: Ipv6Spelling }
  | { type: 'ipv6-glob'; fixed: string; compressed: boolean; leadingZeros: boolean; spelling?: Ipv6Spelling }
  | { type: 'not-address'; why: string }
  | { type: 'hostname' };

const IPV4_FOUR_DECIMAL = /^\d+(\.\d+){3}$/;

/**
 * IPv6 written in a form other than colon-separated text:
 * - `dotted`: the notation of ONLYOFFICE's own ip-filter documentation, "xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx.xxxx"
 *   (api.onlyoffice.com docs-api/get-started/configuration/server-config/ip-filter, helpcenter docs-configure-ipfilter):
 *   eight dot-separated groups of up to four hex digits, e.g. "2001.0db8.0000.0000.0000.0000.0000.0001";
 * - `bracketed`: URL notation, "[2001:db8::1]" (optionally with ":port").
 * DS compares only the colon-separated normalized form, so neither ever matches a client (see normalizeClientAddress).
 */
type Ipv6Spelling = 'dotted' | 'bracketed';

/** "2001.0db8.0000.…" (eight hex groups) → "2001:0db8:0000:…"; undefined when it is not that notation. */
function dottedIpv6(s: string): string | undefined {
  return /^[0-9a-f]{1,4}(\.[0-9a-f]{1,4}){7}$/i.test(s) ? s.replace(/\./g, ':') : undefined;
}

/**
 * A dotted IPv6 glob ("2001.0db8.*", "fe80.*") → the colon form ("2001:0db8:*"). Told apart from IPv4 globs and host
 * names by a group no IPv4 octet has: four hex digits with at least one digit (or five and more groups).
 */
function dottedIpv6Glob(s: string): string | undefined {
  if (!s.includes('*') || !/^([0-9a-f]{1,4}|\*)(\.([0-9a-f]{1,4}|\*))+$/i.test(s)) return undefined;
  const groups = s.split('.');
  const v6ish = groups.length > 4 || groups.some((g) => /^[0-9a-f]{4}$/i.test(g) && /\d/.test(g));
  return v6ish && groups.length <= 8 ? groups.join(':') : undefined;
}

/** Explains why a CIDR has no exact glob (or that its host bits are set). */
function cidrDetail(text: string): string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return 'it is not a valid CIDR block either';
  const addr = m[1] as string;
  const prefix = Number(m[2]);
  const v6 = addr.includes(':');
  const bits = v6 ? 128 : 32;
  const step = v6 ? 16 : 8;
  if (v6 ? !addrCheck.v6Valid(addr) : !addrCheck.v4FourPart(addr)) return `"${addr}" is not a valid address`;
  if (prefix > bits) return `/${prefix} is longer than ${bits} bits`;
  if (prefix % step === 0) {
    const block = `${addr}/${prefix}`;
    const net = `${v6 ? ipaddr.IPv6.networkAddressFromCIDR(block).toNormalizedString() : ipaddr.IPv4.networkAddressFromCIDR(block).toString()}/${prefix}`;
    return `its host bits are set (the block is ${net}, glob ${show(cidrToGlob(net))})`;
  }
  const next = Math.ceil(prefix / step) * step;
  const count = 2 ** (next - prefix);
  const glob = blockGlob(addr, prefix, next);
  const shown = count <= 16 ? Array.from({ length: count }, (_, i) => glob(i)).join(', ') : `${glob(0)}, ${glob(1)} … ${glob(count - 1)}`;
  return `no single glob expresses /${prefix}: write the ${count} /${next} blocks it covers as separate rules (${shown}), or exact addresses`;
}

/**
 * The DS glob of the i-th /`next` block of `addr`/`prefix` (next: the following multiple of 8 for IPv4, 16 for IPv6),
 * in address order: for 10.0.0.0/12, 0 → 10.0.*, 15 → 10.15.*. The blocks differ only in the group (octet or 16-bit
 * group) that `prefix` cuts through, so block i adds i to that group of the network address.
 */
function blockGlob(addr: string, prefix: number, next: number): (i: number) => string {
  const v6 = addr.includes(':');
  const k = next / (v6 ? 16 : 8);
  const groups: number[] = v6
    ? ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${prefix}`).parts.slice(0, k)
    : ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${prefix}`).octets.slice(0, k);
  return (i) => {
    const g = groups.map((x, j) => (j === k - 1 ? x + i : x));
    const text = v6 ? g.map((p) => p.toString(16)).join(':') : g.join('.');
    return k === (v6 ? 8 : 4) ? (v6 ? ipaddr.IPv6.parse(text).toNormalizedString() : text) : `${text}${v6 ? ':' : '.'}*`;
  };
}

function classify(s: string): Classified {
  if (s === '') return { type: 'empty' };
  if (/^\*+$/.test(s)) return { type: 'catch-all' };
  if (s.includes('/')) {
    if (/^[0-9a-fA-F.:*]+\/\d{1,3}$/.test(s)) {
      const glob = cidrToGlob(s);
      return { type: 'cidr', glob, detail: glob === null ? cidrDetail(s) : '' };
    }
    return { type: 'not-address', why: 'it contains "/", which never occurs in an IP address or hostname' };
  }
  const dash = s.indexOf('-');
  if (dash > 0) {
    const a = s.slice(0, dash);
    const b = s.slice(dash + 1);
    if (addrCheck.valid(a) && /^[0-9a-fA-F.:]+$/.test(b)) {
      let glob: string | undefined;
      if (addrCheck.v4FourPart(a) && addrCheck.v4FourPart(b)) {
        const [x, y] = [a.split('.'), b.split('.')];
        if (x.slice(0, 3).join('.') === y.slice(0, 3).join('.') && x[3] === '0' && y[3] === '255') {
          glob = `${x.slice(0, 3).join('.')}.*`;
        }
      }
      return glob === undefined ? { type: 'range' } : { type: 'range', glob };
    }
  }
  const bracketed = /^\[([0-9a-fA-F:.%\w*]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) {
    const inner = classify(bracketed[1]!);
    if (inner.type === 'ipv6') return { ...inner, exact: false, spelling: 'bracketed' };
    if (inner.type === 'ipv6-glob') return { ...inner, spelling: 'bracketed' };
  }
  const dotted = dottedIpv6(s);
  if (dotted !== undefined) {
    const inner = classify(dotted);
    if (inner.type === 'ipv6') return { ...inner, exact: false, spelling: 'dotted' };
  }
  const dottedGlob = dottedIpv6Glob(s);
  if (dottedGlob !== undefined) {
    const inner = classify(dottedGlob);
    if (inner.type === 'ipv6-glob') return { ...inner, spelling: 'dotted' };
  }
  if (s.includes(':')) {
    if (!s.includes('*')) {
      if (!addrCheck.v6Valid(s)) {
        return { type: 'not-address', why: 'it contains ":" but is not an IPv6 address (a host:port never matches: DS tests the bare hostname)' };
      }
      const ip = ipaddr.IPv6.parse(s);
      const normalized = ip.toNormalizedString();
      const base = {
        type: 'ipv6' as const,
        normalized,
        compressed: s.includes('::'),
        exact: s.toLowerCase() === normalized,
      };
      return ip.isIPv4MappedAddress() ? { ...base, mappedIpv4: ip.toIPv4Address().toString() } : base;
    }
    if (!/^[0-9a-fA-F:.*]+$/.test(s)) {
      return { type: 'not-address', why: 'it contains ":" but is not an IPv6 pattern (a host:port never matches: DS tests the bare hostname)' };
    }
    let leadingZeros = false;
    const fixed = s
      .split(':')
      .map((seg) => {
        if (/^[0-9a-fA-F]{2,4}$/.test(seg) && seg.startsWith('0')) {
          leadingZeros = true;
          return parseInt(seg, 16).toString(16);
        }
        return seg.toLowerCase();
      })
      .join(':');
    return { type: 'ipv6-glob', fixed, compressed: s.includes('::'), leadingZeros };
  }
  if (addrCheck.v4FourPart(s)) return { type: 'ipv4' };
  if (addrCheck.v4Valid(s)) {
    // ipaddr.js 2.x reads 010 as octal (→ 8); a human almost certainly meant decimal 10.
    if (IPV4_FOUR_DECIMAL.test(s) && s.split('.').every((o) => Number(o) <= 255)) {
      return { type: 'ipv4-noncanonical', canonical: s.split('.').map(Number).join('.'), ambiguous: true };
    }
    return { type: 'ipv4-noncanonical', canonical: ipaddr.IPv4.parse(s).toString(), ambiguous: false };
  }
  if (/^[0-9.*]+$/.test(s)) return s.includes('*') ? { type: 'ipv4-glob' } : { type: 'ipv4-invalid' };
  return { type: 'hostname' };
}

function spellingText(spelling: Ipv6Spelling): string {
  return spelling === 'dotted'
    ? 'is IPv6 in the dotted notation of ONLYOFFICE\'s ip-filter documentation; DS compares client IPv6 addresses in ' +
        'colon-separated normalized form (ipaddr.js toNormalizedString: no leading zeros, no "::")'
    : 'is IPv6 in URL notation (brackets); DS compares the bare address in colon-separated normalized form';
}

/**
 * Problems with one rule `address`, judged against DS's matching (see {@link globToRegExp} and
 * {@link normalizeClientAddress}). An empty array means the address is a plain IPv4, a full-form
 * IPv6 or a usable IP glob.
 *
 * - `not-string`: DS throws on it (HTTP 500 on 8.x/9.x when reached, start-up failure on ≤ 7.4).
 * - `empty`: compiles to `^$`, which matches nothing DS tests.
 * - `whitespace`: compared literally, so `" 10.0.0.1"` never matches; the rest is analysed without it.
 * - `catch-all`: only `*`; matches every IP and hostname (but not a non-IP client address).
 * - `cidr`: `/` is literal, so a CIDR never matches; suggestion = {@link cidrToGlob} when one exists.
 * - `range`: `a-b` is literal text, DS has no ranges.
 * - `ipv6-compressed`: `::1`, `2001:DB8::1` never match, DS compares the full 8-group form;
 *   suggestion = that form (`0:0:0:0:0:0:0:1`).
 * - `ipv6-not-normalized`: leading zeros (`0db8`, `0000`) or an embedded dotted IPv4 never match,
 *   because the normalized form has none; nor do the dotted notation of ONLYOFFICE's documentation
 *   (`2001.0db8.0000.0000.0000.0000.0000.0001`, globs `2001.0db8.*`) and brackets (`[2001:db8::1]`);
 *   suggestion = the normalized form (or the fixed glob). Uppercase hex is NOT flagged: the regex has the `i` flag
 *   (`utils.js:106`), so `2001:DB8:0:0:0:0:0:1` matches `2001:db8::1`.
 * - `hostname`: not an IP or IP glob. DS tests it only against the hostname of outgoing URLs; it
 *   never matches a client address (useforrequest), so callers can refuse it there. Also used for
 *   non-canonical IPv4 spellings (`127.1`, `010.0.0.1`), which only ever match a hostname spelled
 *   the same way (suggestion = dotted quad), and for text that can never match anything.
 */
export function analyzeAddress(address: unknown): AddressIssue[] {
  if (typeof address !== 'string') {
    return [
      {
        kind: 'not-string',
        message: `address is ${typeName(address)} (${show(address)}), not a string: ${DS_THROWS} (rules before it still work on 8.x/9.x).`,
      },
    ];
  }
  const issues: AddressIssue[] = [];
  let s = address;
  if (/\s/.test(s)) {
    s = s.replace(/\s+/g, '');
    const issue: AddressIssue = {
      kind: 'whitespace',
      message: `address ${show(address)} contains whitespace; DS compares it literally, so it never matches an IP address.`,
    };
    if (s !== '') issue.suggestion = s;
    issues.push(issue);
  }
  const c = classify(s);
  const q = show(s);
  switch (c.type) {
    case 'empty':
      issues.push({ kind: 'empty', message: 'address is empty: it compiles to ^$ and matches nothing DS tests.' });
      break;
    case 'catch-all':
      issues.push({
        kind: 'catch-all',
        message: `${q} matches every IPv4 and IPv6 address and every hostname, so no later rule is reached (a non-IP client address, e.g. a bogus X-Forwarded-For, still matches nothing).`,
      });
      break;
    case 'cidr': {
      const issue: AddressIssue = {
        kind: 'cidr',
        message:
          `${q} is CIDR notation, which DS does not implement: "/" is matched literally, so this rule never matches an IP` +
          (c.glob === null ? `; ${c.detail}.` : `. The equivalent DS glob is ${show(c.glob)}.`),
      };
      if (c.glob !== null) issue.suggestion = c.glob;
      issues.push(issue);
      break;
    }
    case 'range': {
      const issue: AddressIssue = {
        kind: 'range',
        message:
          `${q} looks like an address range; DS has no ranges ("-" is literal), so it never matches an IP. ` +
          (c.glob !== undefined ? `The equivalent DS glob is ${show(c.glob)}.` : 'List the addresses (or "*" globs) as separate rules.'),
      };
      if (c.glob !== undefined) issue.suggestion = c.glob;
      issues.push(issue);
      break;
    }
    case 'ipv6': {
      if (c.exact) break;
      const alt = c.mappedIpv4 !== undefined ? ` (the IPv4 form ${show(c.mappedIpv4)} matches the same clients)` : '';
      if (c.spelling !== undefined) {
        issues.push({
          kind: 'ipv6-not-normalized',
          message: `${q} ${spellingText(c.spelling)}, so it never matches; the address DS compares is ${show(c.normalized)}${alt}.`,
          suggestion: c.normalized,
        });
      } else if (c.compressed) {
        issues.push({
          kind: 'ipv6-compressed',
          message: `${q} never matches a client address: DS compares IPv6 in full form without "::", i.e. ${show(c.normalized)}${alt}.`,
          suggestion: c.normalized,
        });
      } else if (c.normalized !== s.toLowerCase()) {
        issues.push({
          kind: 'ipv6-not-normalized',
          message: `${q} never matches: DS compares IPv6 in normalized form (no leading zeros, hex groups), i.e. ${show(c.normalized)}${alt}.`,
          suggestion: c.normalized,
        });
      }
      break;
    }
    case 'ipv6-glob':
      if (c.spelling !== undefined && !c.compressed) {
        issues.push({
          kind: 'ipv6-not-normalized',
          message: `${q} ${spellingText(c.spelling)}, so it never matches; the pattern DS would match is ${show(c.fixed)}.`,
          suggestion: c.fixed,
        });
      } else if (c.compressed) {
        issues.push({
          kind: 'ipv6-compressed',
          message: `${q} never matches: DS compares IPv6 in full 8-group form, which never contains "::"; write the leading groups in full, e.g. "2001:db8:*".`,
        });
      } else if (c.leadingZeros) {
        issues.push({
          kind: 'ipv6-not-normalized',
          message: `${q} never matches as intended: DS compares IPv6 groups without leading zeros, i.e. ${show(c.fixed)}.`,
          suggestion: c.fixed,
        });
      }
      break;
    case 'ipv4-noncanonical':
      issues.push({
        kind: 'hostname',
        message:
          `${q} is not the dotted-quad form DS compares, so it never matches a client IP (only a hostname spelled exactly so)` +
          (c.ambiguous ? `; leading zeros are also ambiguous (ipaddr.js reads 010 as octal 8).` : '.'),
        suggestion: c.canonical,
      });
      break;
    case 'ipv4-invalid':
      issues.push({ kind: 'hostname', message: `${q} is not a valid IPv4 address, so it never matches a client IP.` });
      break;
    case 'not-address':
      issues.push({ kind: 'hostname', message: `${q} never matches anything: ${c.why}.` });
      break;
    case 'hostname':
      issues.push({
        kind: 'hostname',
        message: `${q} is not an IP address or IP glob: DS tests it only against the hostname of outgoing URLs (callbacks, downloads, WOPI) and never against a client address (useforrequest).`,
      });
      break;
    case 'ipv4':
    case 'ipv4-glob':
      break;
  }
  return issues;
}

/**
 * The address ds-harden should write for a user-supplied one:
 * - surrounding/inner whitespace removed (DS compares literally);
 * - IPv6 → full normalized form (`::1` → `0:0:0:0:0:0:0:1`); IPv6 globs lowercased, leading zeros
 *   of full groups removed (`2001:0DB8:*` → `2001:db8:*`);
 * - IPv4 dotted quad, IPv4 globs, `*` and hostnames unchanged;
 * - CIDR → {@link cidrToGlob}.
 * Throws an Error (message says why and what to write instead) for input DS would never match:
 * empty, a CIDR without an exact glob, a range, an IPv6 glob with `::`, a non-canonical or invalid
 * IPv4 spelling (`127.1`, `010.0.0.1`, `300.1.1.1`), or text containing `/` or `:` that is no address.
 */
export function normalizeRuleAddress(address: string): string {
  const s = address.replace(/\s+/g, '');
  const c = classify(s);
  const q = show(address);
  switch (c.type) {
    case 'empty':
      throw new Error(`ipfilter address ${q} is empty: it would match nothing.`);
    case 'cidr':
      if (c.glob === null) {
        throw new Error(`ipfilter address ${q}: DS has no CIDR support and ${c.detail}.`);
      }
      return c.glob;
    case 'range':
      throw new Error(
        `ipfilter address ${q}: DS has no address ranges` +
          (c.glob !== undefined ? `; write ${show(c.glob)} instead.` : '; write one rule per address (or a "*" glob).'),
      );
    case 'ipv6':
      return c.normalized;
    case 'ipv6-glob':
      if (c.compressed) {
        throw new Error(`ipfilter address ${q}: an IPv6 pattern with "::" never matches; write the groups in full (e.g. "2001:db8:*").`);
      }
      return c.fixed;
    case 'ipv4-noncanonical':
      throw new Error(
        `ipfilter address ${q} is not a dotted-quad IPv4 address and would never match a client; write ${show(c.canonical)} if that is what you mean.`,
      );
    case 'ipv4-invalid':
      throw new Error(`ipfilter address ${q} is not a valid IPv4 address: write four numbers from 0 to 255 separated by dots (e.g. "10.0.0.25"), or an IP glob such as "10.0.0.*".`);
    case 'not-address':
      throw new Error(`ipfilter address ${q} never matches: ${c.why}.`);
    case 'catch-all':
    case 'ipv4':
    case 'ipv4-glob':
    case 'hostname':
      return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Shadowing
// ---------------------------------------------------------------------------------------------

/**
 * Rules DS can never reach because an earlier rule matches everything the later one could match
 * (first match wins). `by` is the 0-based index of the first such earlier rule.
 * Detected by sound glob subsumption for the simple cases: an earlier all-`*` pattern; an earlier
 * pattern equal to the later one (case-insensitive); an earlier `prefix*` (no other `*`) when the
 * later pattern, read literally, starts with `prefix` (`10.*` shadows `10.1.2.3` and `10.1.*`).
 * Rules without a string address are skipped (see {@link analyzeAddress}); non-arrays give `[]`.
 * The earlier rule may have the same or the opposite `allowed`: either way the later one is dead.
 *
 * Linear in the number of rules (10,000 rules: a few milliseconds): the earlier patterns are kept in maps — the first
 * catch-all, the first index of each pattern, the first index of each `prefix*` — and each later pattern looks up its
 * own prefixes (at most {@link MAX_PREFIX_LOOKUP} characters of it; DS addresses are at most 45).
 */
export function shadowedRules(rules: unknown): { index: number; by: number }[] {
  if (!Array.isArray(rules)) return [];
  const cached = shadowCache.get(rules);
  if (cached) return cached;
  const out: { index: number; by: number }[] = [];
  let catchAll: number | undefined;
  const firstEqual = new Map<string, number>();
  const firstPrefix = new Map<string, number>();
  rules.forEach((r: unknown, index) => {
    const a = r !== null && typeof r === 'object' ? (r as Record<string, unknown>)['address'] : undefined;
    if (typeof a !== 'string') return;
    const q = a.toLowerCase();
    let by = catchAll;
    const eq = firstEqual.get(q);
    if (eq !== undefined && (by === undefined || eq < by)) by = eq;
    for (let k = 1; k <= Math.min(q.length, MAX_PREFIX_LOOKUP); k++) {
      const p = firstPrefix.get(q.slice(0, k));
      if (p !== undefined && (by === undefined || p < by)) by = p;
    }
    if (by !== undefined) out.push({ index, by });
    // record this rule as an earlier one for the rules after it
    if (/^\*+$/.test(q)) catchAll ??= index;
    if (!firstEqual.has(q)) firstEqual.set(q, index);
    const prefix = stripTrailingStars(q);
    if (prefix !== q && prefix !== '' && !prefix.includes('*') && !firstPrefix.has(prefix)) firstPrefix.set(prefix, index);
  });
  shadowCache.set(rules, out);
  return out;
}

/** `s` without its trailing `*`s (a loop: /\*+$/ takes quadratic time on a long run of `*` not at the end). */
function stripTrailingStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2a) end--;
  return s.slice(0, end);
}

/** Longest prefix of a later pattern looked up against earlier `prefix*` patterns (longer addresses are no IPs). */
const MAX_PREFIX_LOOKUP = 256;

/** shadowedRules per rules array: several rules ask for the same array in one evaluation. */
const shadowCache = new WeakMap<readonly unknown[], { index: number; by: number }[]>();

/** The loopback rules apply writes (IPv4, and IPv6 in the 8-group form DS matches): the host's own health checks, never an integrator. */
export const LOOPBACK_ADDRESSES: readonly string[] = ['127.0.0.1', '0:0:0:0:0:0:0:1'];

/** The integrator addresses the effective rules allow, as apply would write them. */
export function allowedAddresses(rules: unknown, useforrequest: boolean): string[] {
  if (!Array.isArray(rules)) return [];
  const out: string[] = [];
  for (const r of rules as unknown[]) {
    if (r === null || typeof r !== 'object') continue;
    const { address, allowed } = r as { address?: unknown; allowed?: unknown };
    if (allowed !== true || typeof address !== 'string' || /^\*+$/.test(address.trim())) continue;
    let normalized: string;
    try {
      normalized = normalizeRuleAddress(address);
    } catch {
      continue; // a range, a /12: apply refuses it, the user has to choose
    }
    if (LOOPBACK_ADDRESSES.includes(normalized) || out.includes(normalized)) continue;
    if (useforrequest && analyzeAddress(normalized).some((i) => i.kind === 'hostname')) continue;
    out.push(normalized);
  }
  return out;
}
