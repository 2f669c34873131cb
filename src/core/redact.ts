/** Secrets never reach output unless --show-secrets: one place decides what is a secret and how it is shown. */

const SECRET_PATHS: readonly RegExp[] = [
  /^services\.CoAuthoring\.secret\.[^.]+\.string$/,
  /^services\.CoAuthoring\.secret\.[^.]+\.tenants\./,
  /^storage\.fs\.secretString$/,
  /^storage\.secretAccessKey$/,
  /^aesEncrypt\.secret$/,
  /^services\.CoAuthoring\.sql\.dbPass$/,
  /^openpgpjs\..*passwords/,
  /^wopi\.privateKey(Old)?$/,
  /^queue\.|^rabbitmq\.url$|^activemq\.connectOptions\.password$/,
  /^services\.CoAuthoring\.redis\.options\.password$/,
  /\.password$/i,
  /\.pass$/,
  /secret/i,
];

export function isSecretPath(path: string): boolean {
  // paths and file names, not secrets
  if (/^services\.CoAuthoring\.secret\.[^.]+\.file$/.test(path) || /filenameSecret|secretFromInbox/.test(path)) return false;
  return SECRET_PATHS.some((re) => re.test(path));
}

/** "••••••(32 chars)" — the length helps users, the value stays hidden. */
export function mask(value: unknown): string {
  if (typeof value !== 'string') return '••••••';
  return value.length === 0 ? '""' : `••••••(${value.length} chars)`;
}

/** Deep copy with every secret leaf masked (for --explain, JSON output, diffs). */
export function redactValue(value: unknown, path: string, show: boolean): unknown {
  if (show) return value;
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.map((v, i) => redactValue(v, `${path}.${i}`, show));
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactValue(v, path ? `${path}.${k}` : k, show)]),
    );
  }
  return isSecretPath(path) && typeof value === 'string' && value.length > 0 ? mask(value) : value;
}

/** Public default values: masking them would only mangle words like "secret" in the text around them. */
const PUBLIC_DEFAULTS = new Set(['secret', 'verysecretstring', 'onlyoffice']);

/** Replace every occurrence of known secret values in free text (log lines, diffs). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 8 && !PUBLIC_DEFAULTS.has(x)).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(mask(s));
  }
  return out;
}

const SECRET_KEY = /["']?(?:string|secret|secretString|password|pass|dbPass|privateKey|privateKeyOld|key|jwt_secret)["']?\s*:\s*/gi;
const CLOSING = /["'\u201c\u201d\u2018\u2019]?\s*[,}\]]*\s*$/;

/**
 * Blank the value after a secret-looking key, up to the end of the line (a broken line may hold an unclosed
 * or oddly quoted secret), keeping the quotes around it, trailing punctuation and the character at
 * `keepColumn` (the one the caret points at).
 */
export function maskSecretsInLine(line: string, keepColumn?: number): string {
  const m = SECRET_KEY.exec(line);
  SECRET_KEY.lastIndex = 0;
  if (!m) return line;
  let from = m.index + m[0].length;
  if (line.charAt(from) === '{') {
    // an object opens here ("secret": {): its members, if any on this line, are judged on their own
    const next = from + 1;
    return line.slice(0, next) + maskSecretsInLine(line.slice(next), keepColumn !== undefined ? keepColumn - next : undefined);
  }
  if (/["'\u201c\u201d\u2018\u2019]/.test(line.charAt(from))) from++;
  const tail = CLOSING.exec(line.slice(from))![0];
  const to = line.length - tail.length;
  let out = line.slice(0, from);
  for (let i = from; i < to; i++) out += keepColumn !== undefined && i === keepColumn - 1 ? line.charAt(i) : '•';
  return out + line.slice(to);
}

/**
 * Every line of a JSON text with the value after a secret-looking key blanked — for diffs, whose context lines
 * may show secrets (a database password, the secure-link key) that no plan touches. Lines already carrying a
 * scrubText marker (••••••(N chars)) are left alone so the length stays visible.
 */
export function maskSecretLines(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part) => (/^(\r\n|\r|\n)$/.test(part) || part.includes('••••••(') ? part : maskSecretsInLine(part)))
    .join('');
}
