/**
 * Secrets never reach output unless --show-secrets: this module alone decides what is a secret and how it is shown.
 *
 * A secret is anything under a secret-bearing path, whatever its type (a number, an array, an object) or spelling:
 * - values: the leaf paths below (and everything below them);
 * - key names: a member name where DS expects secret data (e.g. under secret.inbox.string, or in place of "string"
 *   in a secret slot) is data, not structure, and is masked in every displayed path;
 * - text: excerpts of broken files and diffs blank every value at a secret path, and — on and near the line of a parse
 *   error, where keys may be damaged — every value in a secret-bearing object, whatever its key says.
 */
import { scanMembers, type ScanFrame, type ScanItem } from './text/json-scan.js';
import { MAX_EVAL_DEPTH } from './parse/depth.js';

const SECRET_PATHS: readonly RegExp[] = [
  /^services\.CoAuthoring\.secret\.[^.]+\.string$/,
  /^services\.CoAuthoring\.secret\.[^.]+\.tenants\./,
  /^storage\.fs\.secretString$/,
  /^storage\.secretAccessKey$/,
  /^aesEncrypt\.secret$/,
  /^services\.CoAuthoring\.sql\.dbPass$/,
  /^openpgpjs\..*passwords/,
  /^wopi\.privateKey(Old)?$/,
  /^queue\.|(^|\.)rabbitmq\.url$|^activemq\.connectOptions\.password$/,
  /^services\.CoAuthoring\.redis\.options\.password$/,
  /^externalRequest\.directIfIn\.jwtToken$/,
  /\.password$/i,
  /\.pass$/,
  /secret/i,
];

/** Is the value at this dotted path a secret (or, for a container, is everything in it)? */
export function isSecretPath(path: string): boolean {
  // paths and file names, not secrets
  if (isPublicPath(path)) return false;
  return SECRET_PATHS.some((re) => re.test(path));
}

/**
 * Objects of DS's configuration that hold a secret member next to public ones (the parents of the secret leaves of
 * default.json 5.2 – 9.3), wherever they appear (a file pasted one level too deep keeps its meaning for people). Near
 * a parse error every value in them is blanked, and everywhere a misspelled secret member ("dbPasss") is.
 */
const BEARING_OBJECTS: readonly RegExp[] = [
  /(^|\.)services\.CoAuthoring\.secret(\.|$)/,
  /(^|\.)CoAuthoring\.sql$/,
  /(^|\.)CoAuthoring\.redis(\.options)?$/,
  /(^|\.)storage(\.fs)?$/,
  /(^|\.)aesEncrypt$/,
  /(^|\.)openpgpjs(\.|$)/,
  /(^|\.)wopi$/,
  /(^|\.)(queue|rabbitmq|activemq(\.connectOptions)?)$/,
  /(^|\.)smtpServerConfiguration\.auth$/,
  /(^|\.)(action\.proxyUser|directIfIn)$/,
  /(^|\.)converter\.signing\./,
];

/** Member names that are structure, not data, inside the secret subtree (slot names, string/file/tenants). */
const PUBLIC_MEMBERS: readonly { parent: RegExp; names?: ReadonlySet<string> }[] = [
  { parent: /^services\.CoAuthoring\.secret$/, names: new Set(['inbox', 'outbox', 'session', 'browser']) },
  { parent: /^services\.CoAuthoring\.secret\.[^.]+$/, names: new Set(['string', 'file', 'tenants']) },
  // tenant names (host names) are public; their values are secrets
  { parent: /^services\.CoAuthoring\.secret\.[^.]+\.tenants$/ },
  { parent: /^services\.CoAuthoring\.secret\.[^.]+\.tenants\.[^.]+$/, names: new Set(['string', 'file']) },
];

/**
 * What a position in the configuration tree is, for redaction: `secret` — the value here is secret (whatever its
 * type); `inside` — everything below is secret too (a secret DS stores as one value, e.g. `sql.dbPass` written as an
 * object); `names` — member names that are structure here (undefined: none; 'any': every name, e.g. tenant host names).
 */
interface PathCtx {
  readonly path: string;
  readonly secret: boolean;
  readonly inside: boolean;
  readonly names?: ReadonlySet<string> | 'any';
  /** One of DS's objects that hold a secret next to public members (BEARING_OBJECTS). */
  readonly bearing?: boolean;
}

const ROOT: PathCtx = { path: '', secret: false, inside: false };

/**
 * Key names that hold secrets wherever they stand ("dbPass" under a renamed parent is still a password), and the
 * secret member names of DS's objects, to catch a misspelled one ("dbPasss", "strinq") inside a secret-bearing object.
 */
const SECRET_NAME = /secret|passw|^pass$|dbpass|private.?key|jwt.?token|access.?key|api.?key|credential/i;
const SECRET_MEMBERS = ['string', 'dbPass', 'password', 'pass', 'privateKey', 'secret', 'secretString', 'secretAccessKey', 'url'];

/** Damerau-free Levenshtein distance, at most `max` + 1 (early exit): short names only. */
function distanceWithin(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return false;
    prev = cur;
  }
  return prev[b.length]! <= max;
}

/** A member name that means a secret: by itself anywhere, or — in a secret-bearing object — also a near miss. */
function secretName(name: string, inBearing: boolean): boolean {
  if (name.length > 64) return inBearing;
  if (/^(filenameSecret|secretFromInbox|file)$/.test(name)) return false;
  if (SECRET_NAME.test(name)) return true;
  if (!inBearing) return false;
  const lower = name.toLowerCase();
  return SECRET_MEMBERS.some((m) => distanceWithin(lower, m.toLowerCase(), m.length <= 6 ? 1 : 2));
}

/** PathCtx by dotted path: findings of one big list ask for the same few paths thousands of times. Bounded. */
const ctxCache = new Map<string, PathCtx>();

function childCtx(parent: PathCtx, name: string): PathCtx {
  const path = parent.path === '' ? name : `${parent.path}.${name}`;
  // the context depends on the path alone (the parent's is derived from its own path the same way)
  const hit = parent.path !== '' || parent === ROOT ? ctxCache.get(path) : undefined;
  if (hit) return hit;
  const ctx = computeChildCtx(parent, name, path);
  if (parent.path !== '' || parent === ROOT) {
    if (ctxCache.size >= 20_000) ctxCache.clear();
    ctxCache.set(path, ctx);
  }
  return ctx;
}

function computeChildCtx(parent: PathCtx, name: string, path: string): PathCtx {
  // an array element is what its array is (openpgpjs passwords: every element secret); no name to judge
  if (/^\d{1,9}$/.test(name) && !parent.names) return { path, secret: parent.secret, inside: parent.inside };
  // the explicit DS paths, or a secret-looking name (in a secret-bearing object also a misspelled secret member)
  const own = isSecretPath(path) || (!/^\d+$/.test(name) && secretName(name, parent.bearing === true) && !isPublicPath(path));
  const bearing = BEARING_OBJECTS.some((re) => re.test(path));
  const rule = own ? PUBLIC_MEMBERS.find((p) => p.parent.test(path)) : undefined;
  return {
    path,
    secret: parent.inside || own,
    inside: parent.inside || (own && !rule),
    ...(rule ? { names: rule.names ?? ('any' as const) } : {}),
    ...(bearing ? { bearing } : {}),
  };
}

/** Paths that look secret by name but hold none (file names of secrets, switches). */
function isPublicPath(path: string): boolean {
  return /^services\.CoAuthoring\.secret\.[^.]+\.file$/.test(path) || /filenameSecret|secretFromInbox/.test(path);
}

function ctxOf(segs: readonly string[]): PathCtx {
  let ctx = ROOT;
  for (const s of segs) ctx = childCtx(ctx, s);
  return ctx;
}

/** Is member `name` of the object at `parent` secret data rather than structure? */
function keyIsSecret(parent: PathCtx, name: string): boolean {
  if (!parent.secret || parent.names === 'any') return false;
  if (/^\d{1,4}$/.test(name)) return false; // an array index
  return parent.names ? !parent.names.has(name) : true;
}

/**
 * Is the value at this path (segments) secret: its path is, or it lies inside a secret that DS stores as one value
 * (`sql.dbPass` written as an object: everything in it is secret)?
 */
export function isSecretValuePath(segs: readonly string[]): boolean {
  return ctxOf(segs).secret;
}

/**
 * Is the member `name` of the object at dotted path `parent` secret data used as a key name? True below a secret
 * path, unless the name is structure DS defines there (inbox, string, tenants, a tenant's host name …) or an index.
 */
export function isSecretKeyName(parent: string, name: string): boolean {
  return parent !== '' && keyIsSecret(ctxOf(parent.split('.')), name);
}

/**
 * Does the object at this dotted path hold secrets — a secret value itself, or one of DS's objects with a secret next
 * to public members (storage.fs, services.CoAuthoring.sql …)? A member name there that DS does not know may be a
 * secret pasted in the wrong place: rules that know DS's key names (DSH114) mask such names.
 */
export function isSecretBearingPath(path: string): boolean {
  const ctx = ctxOf(path === '' ? [] : path.split('.'));
  return ctx.secret || ctx.bearing === true;
}

/** A dotted path as it may be shown: segments that are secret data used as key names are masked. */
export function displayPath(path: string): string {
  let ctx = ROOT;
  let changed = false;
  const segs = path.split('.');
  const out = segs.map((seg, i) => {
    // idempotent: a segment masked before stays as it is
    const hide = keyIsSecret(ctx, seg) && !SCRUB_MARKER.test(seg);
    // only the parents' contexts matter: the last segment's own is never needed
    if (i < segs.length - 1) ctx = childCtx(ctx, seg);
    if (hide) changed = true;
    return hide ? mask(seg) : seg;
  });
  return changed ? out.join('.') : path;
}

/** "••••••(32 chars)" — the length helps users, the value stays hidden. Other types: "••••••". */
export function mask(value: unknown): string {
  if (typeof value !== 'string') return '••••••';
  return value.length === 0 ? '""' : `••••••(${value.length} chars)`;
}

/** A value for a message: JSON text, or the mask when the value at `path` is secret (any type). Long values are cut. */
export function shownValue(path: string, value: unknown): string {
  if (ctxOf(path.split('.')).secret && value !== null && value !== undefined) return mask(value);
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    s = String(value);
  }
  if (s === undefined) return String(value);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Deep copy with every secret masked — leaves of any type, and secret key names (for --explain, JSON output, diffs). */
export function redactValue(value: unknown, path: string, show: boolean): unknown {
  if (show) return value;
  return redactAt(value, path === '' ? ROOT : ctxOf(path.split('.')));
}

function redactAt(value: unknown, ctx: PathCtx): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redactAt(v, childCtx(ctx, String(i))));
  if (value !== null && typeof value === 'object') {
    const used = new Set<string>();
    // Object.fromEntries defines own properties: a "__proto__" member stays data
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        let name = keyIsSecret(ctx, k) ? mask(k) : k;
        for (let n = 2; used.has(name); n++) name = `${mask(k)} #${n}`;
        used.add(name);
        return [name, redactAt(v, childCtx(ctx, k))];
      }),
    );
  }
  return value !== null && value !== undefined && value !== '' && ctx.secret ? mask(value) : value;
}

/**
 * Every secret in a parsed value, as text that could appear in output: secret leaves (strings as they are, numbers and
 * booleans as String() gives them — 9.87e+31) and secret key names. Iterative; for scrubbing free text.
 */
export function secretValues(value: unknown, prefix = ''): string[] {
  const out = new Set<string>();
  const stack: [unknown, PathCtx][] = [[value, prefix === '' ? ROOT : ctxOf(prefix.split('.'))]];
  while (stack.length > 0) {
    const [v, ctx] = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, childCtx(ctx, String(i))]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (keyIsSecret(ctx, k)) out.add(k);
        stack.push([x, childCtx(ctx, k)]);
      }
    } else if (v !== null && v !== undefined && v !== '' && ctx.secret) {
      out.add(String(v));
    }
  }
  return [...out];
}

/** A path while walking a value: the last segment and the way up (materialised only for a path that needs judging). */
interface Trail {
  readonly up: Trail | undefined;
  readonly seg: string;
}

function segmentsOf(trail: Trail | undefined): string[] {
  const segs: string[] = [];
  for (let t = trail; t; t = t.up) segs.push(t.seg);
  return segs.reverse();
}

/**
 * The members of `wanted` that {@link secretValues}`(value)` returns, found without judging every path of `value`: only
 * a key name or a leaf whose text is in `wanted` has its path judged. For asking whether a few strings are secrets of a
 * big value (default.json holds about a thousand paths; judging each costs a dozen regular expressions). Iterative.
 */
export function secretValuesAmong(value: unknown, wanted: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const stack: [unknown, Trail | undefined][] = [[value, undefined]];
  while (stack.length > 0) {
    const [v, trail] = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, { up: trail, seg: String(i) }]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (wanted.has(k) && !found.has(k) && keyIsSecret(ctxOf(segmentsOf(trail)), k)) found.add(k);
        stack.push([x, { up: trail, seg: k }]);
      }
    } else if (v !== null && v !== undefined && v !== '') {
      const s = String(v);
      if (wanted.has(s) && !found.has(s) && ctxOf(segmentsOf(trail)).secret) found.add(s);
    }
  }
  return found;
}

/**
 * The secrets by their first MIN_SCRUB_LENGTH characters, longest first; built once per secrets array and rebuilt
 * when the array changed since (callers append secrets as they learn them).
 */
const scrubIndexes = new WeakMap<readonly string[], { seen: string[]; byPrefix: Map<string, string[]>; few?: string[] }>();

function scrubIndex(secrets: readonly string[]): { byPrefix: Map<string, string[]>; few?: string[] } {
  let index = scrubIndexes.get(secrets);
  if (index && index.seen.length === secrets.length && index.seen.every((s, i) => s === secrets[i])) return index;
  const byPrefix = new Map<string, string[]>();
  const all: string[] = [];
  for (const s of new Set(secrets)) {
    if (s.length < MIN_SCRUB_LENGTH || PUBLIC_DEFAULTS.has(s)) continue;
    all.push(s);
    const p = s.slice(0, MIN_SCRUB_LENGTH);
    const list = byPrefix.get(p);
    if (list) list.push(s);
    else byPrefix.set(p, [s]);
  }
  for (const list of byPrefix.values()) list.sort((a, b) => b.length - a.length);
  index = { seen: [...secrets], byPrefix, ...(all.length <= 64 ? { few: all } : {}) };
  scrubIndexes.set(secrets, index);
  return index;
}

/** Public default values: masking them would only mangle words like "secret" in the text around them. */
const PUBLIC_DEFAULTS = new Set(['secret', 'verysecretstring', 'onlyoffice']);

/** Shortest secret scrubText replaces in free text (shorter ones would mangle ordinary words). */
export const MIN_SCRUB_LENGTH = 8;

/**
 * Replace every occurrence of known secret values in free text (log lines, diffs, messages) with their mask, the
 * longest first at each position. Linear in the text: candidates are found by their first MIN_SCRUB_LENGTH characters.
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  const { byPrefix, few } = scrubIndex(secrets);
  if (byPrefix.size === 0) return text;
  // the common case: a handful of secrets, none in the text — native searches, no per-character work
  if (few && !few.some((s) => text.includes(s))) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i + MIN_SCRUB_LENGTH <= text.length; i++) {
    const list = byPrefix.get(text.slice(i, i + MIN_SCRUB_LENGTH));
    if (!list) continue;
    const hit = list.find((s) => text.startsWith(s, i));
    if (!hit) continue;
    out += text.slice(last, i) + mask(hit);
    i += hit.length - 1;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Key names that hold secrets in DS and its neighbours (a damaged line is judged by its key when nothing else tells). */
const SECRET_KEY_NAME = /secret|pass(word|wd)?$|^pass|^string$|^strin|^key$|private.?key|jwt.?token/i;

/** A string scrubText already replaced: left as it is, so the length stays visible. */
const SCRUB_MARKER = /^••••••\(\d+ chars\)$/;

/** A container whose values are blanked near a parse error (it holds a secret next to public members). */
function bearing(frame: ScanFrame, ctx: PathCtx): boolean {
  const p = ctx.path;
  if (ctx.secret || (p !== '' && BEARING_OBJECTS.some((re) => re.test(p)))) return true;
  for (const m of frame.members) if (childCtx(ctx, m).secret) return true;
  return false;
}

export interface MaskTextOptions {
  /**
   * A parse error at this 1-based line and column. Within `window` lines of it (default 2) the text is too damaged to
   * trust its quotes (one lost quote turns strings into structure and back), so when anything there hints at a secret
   * — a secret-bearing object, a secret-looking key, or words such as "secret", "pass", "string" — every word on those
   * lines is blanked except `keepWords` (DS's key names) and true/false/null. The character at the column (the one
   * the caret points at) is kept.
   */
  readonly damage?: { readonly line: number; readonly column: number; readonly window?: number };
  /** Words that stay readable in a damaged window: the key names of DS's default.json. */
  readonly keepWords?: ReadonlySet<string>;
}

/** Key names of the secret subtrees, readable in a damaged window even without default.json's names. */
const STRUCTURE_WORDS: ReadonlySet<string> = new Set([
  'services', 'CoAuthoring', 'secret', 'inbox', 'outbox', 'session', 'browser', 'string', 'file', 'tenants', 'token',
  'enable', 'request', 'header', 'sql', 'dbHost', 'dbPort', 'dbName', 'dbUser', 'dbPass', 'storage', 'fs',
  'secretString', 'secretAccessKey', 'wopi', 'privateKey', 'privateKeyOld', 'aesEncrypt', 'ipfilter', 'rules',
  'address', 'allowed',
]);

/** Words that make a damaged window sensitive even when the scan could not make sense of it. */
const SENSITIVE_WORDS = /secret|passw|pass"|dbpass|private.?key|"string"|string"|tenants|jwt/i;

/** Characters that are structure in a damaged window (everything else may be part of a secret). */
function structural(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x3a || c === 0x2c || c === 0x22 || c === 0x27;
}

/**
 * `text` (a JSON / JSON5 / JSONC file, broken or not) with every secret blanked character by character: line count
 * and columns stay as they were, so an excerpt's caret still points at the right place. Quotes, punctuation, keys that
 * are structure and scrubText's ••••••(N chars) markers are kept. Linear in the text.
 */
export function maskSecretText(text: string, opts: MaskTextOptions = {}): string {
  const hide = new Uint8Array(text.length);
  let any = false;
  const mark = (a: number, b: number) => {
    for (let i = Math.max(0, a); i < b && i < text.length; i++) hide[i] = 1;
    if (b > a) any = true;
  };
  const damage = opts.damage;
  const win = damage?.window ?? 2;
  const winStart = damage ? offsetOf(text, Math.max(1, damage.line - win), 1) : 0;
  const winEnd = damage ? lineEnd(text, offsetOf(text, damage.line + win, 1)) : -1;
  const inWindow = (offset: number) => damage !== undefined && offset >= winStart && offset < winEnd;
  let sensitive = false;
  const items: ScanItem[] = [];
  scanMembers(text, (item) => items.push(item));
  // per container, computed once from its parent's: its path context and whether it bears a secret. Below the depth
  // ds-harden evaluates (a damaged or hostile file), everything counts as secret: path strings would grow with the
  // depth and cost quadratic time, and nothing real lives there.
  const frames = new Map<ScanFrame, { ctx: PathCtx; bearing: boolean }>();
  const TOP = { ctx: ROOT, bearing: false };
  const DEEP = { ctx: { path: '', secret: true, inside: true }, bearing: true };
  const infoOf = (frame: ScanFrame | undefined): { ctx: PathCtx; bearing: boolean } => {
    if (!frame) return TOP;
    if (frame.depth > MAX_EVAL_DEPTH) return DEEP;
    const cached = frames.get(frame);
    if (cached) return cached;
    // the uncached ancestors, outermost last (iterative: no recursion on the way up)
    const chain: ScanFrame[] = [];
    for (let f: ScanFrame | undefined = frame; f && !frames.has(f); f = f.parent) chain.push(f);
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = chain[i]!;
      // the top-level container is the document itself: its members are the top-level keys
      const ctx = f.parent ? childCtx((frames.get(f.parent) ?? TOP).ctx, f.name) : ROOT;
      frames.set(f, { ctx, bearing: bearing(f, ctx) });
    }
    return frames.get(frame)!;
  };
  // decided after the scan: an object's members are all known by then (a secret key later in it makes it bearing)
  for (const { token, role, frame, key } of items) {
    const { ctx, bearing: bears } = infoOf(frame);
    const near = inWindow(token.start);
    let h = false;
    if (role === 'key') {
      h = keyIsSecret(ctx, key);
    } else if (role === 'value') {
      if (token.kind === 'string' && SCRUB_MARKER.test(token.text)) continue;
      h = childCtx(ctx, key).secret || (near && (bears || SECRET_KEY_NAME.test(key)));
    } else {
      h = bears;
    }
    if (near && (h || bears || SECRET_KEY_NAME.test(key))) sensitive = true;
    if (!h) continue;
    if (token.kind === 'string') mark(token.start + 1, token.closed ? token.end - 1 : token.end);
    else if (token.kind === 'comment') mark(token.start + 2, token.text.endsWith('*/') && token.text.length >= 4 ? token.end - 2 : token.end);
    else mark(token.start, token.end);
  }
  if (damage && !sensitive) sensitive = SENSITIVE_WORDS.test(text.slice(winStart, winEnd));
  if (damage && sensitive) {
    // every word in the window, except DS's key names and literals
    for (let i = winStart; i < winEnd; ) {
      if (structural(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i;
      while (j < winEnd && !structural(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      if (!(opts.keepWords?.has(word) || STRUCTURE_WORDS.has(word) || word === 'true' || word === 'false' || word === 'null')) mark(i, j);
      i = j;
    }
  }
  if (!any) return text;
  const keep = damage ? offsetOf(text, damage.line, damage.column) : -1;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (hide[i] === 0 || i === keep) continue;
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    out += text.slice(last, i) + '•';
    last = i + 1;
  }
  return out + text.slice(last);
}

/** Offset of the end of the line holding `offset` (before its line break). */
function lineEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
  return i;
}

/** Offset of a 1-based line and column (line breaks as in position.ts). */
function offsetOf(text: string, line: number, column: number): number {
  let l = 1;
  let i = 0;
  while (l < line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) l++;
  }
  return i + column - 1;
}

/**
 * One line of a broken file with the values after secret-looking keys blanked, keeping the character at `keepColumn`
 * (1-based; the one the caret points at). Without the lines around it only the key tells; prefer maskSecretText with
 * `damage` on the whole text.
 */
export function maskSecretsInLine(line: string, keepColumn?: number): string {
  return maskSecretText(line, { damage: { line: 1, column: keepColumn ?? 0, window: 0 } });
}

/**
 * A JSON text for a diff with every secret blanked (values at secret paths of any type, secret key names, comments
 * inside secret-bearing objects) — context lines may show secrets no plan touches (a database password, the
 * secure-link key). Values already carrying a scrubText marker (••••••(N chars)) are left alone.
 */
export function maskSecretLines(text: string): string {
  return maskSecretText(text);
}
