/**
 * `.env` and `env_file` files as Docker Compose v2 reads them — compose-go's own dotenv parser, not the npm `dotenv`
 * package: that one has backtick quotes and multi-line values, cuts comments at any `#` after whitespace, has no
 * `KEY: value` form and no `${VAR:-default}` expansion, and reports no line numbers. Our implementation of the rules
 * of compose-spec/compose-go@e70e961c dotenv/parser.go (quoted, not copied):
 *
 * - blank lines and lines starting with `#` are skipped (getStatementStart, :77-94); a leading `export ` is dropped (:101-105);
 * - the name ends at `=`, `:` or a line break and may hold letters, digits, `_ . - [ ]`; a name with a space or another
 *   character is an error naming the line (:107-133, :49-51); a name alone on its line takes its value from the
 *   environment ("inherited", :53-60);
 * - spaces after the `=` are dropped (:145);
 * - an unquoted value runs to the end of the line; ` #` starts a comment; trailing white space is trimmed (:152-161);
 * - a value in single or double quotes runs to the matching unescaped quote and may span lines; `\` + the quote gives
 *   the quote; a double-quoted value then has its `\n \t \\ \" \$ …` escapes expanded (expandEscapes, :216-246) and
 *   is interpolated; a single-quoted value is literal; an unterminated quote is an error (:164-213);
 * - unquoted and double-quoted values are interpolated (`${VAR}`, interpolate.ts) with the variables defined earlier in
 *   the same file and the lookup (godotenv.go expandVariables).
 */
import { stripBom } from '../parse/ds-parse.js';
import { interpolate, type Lookup } from './interpolate.js';
import { offsetToPosition } from '../text/position.js';

export interface DotenvEntry {
  readonly name: string;
  /** undefined: the name alone (inherited) and the lookup has no value. */
  readonly value: string | undefined;
  /** 1-based line and column of the name. */
  readonly line: number;
  readonly column: number;
  /** The value was written in quotes (so surrounding quotes and spaces were removed by the parser, not kept). */
  readonly quoted?: "'" | '"';
  readonly inherited?: true;
  /** Variables interpolated into the value. */
  readonly used: readonly { readonly name: string; readonly unset?: true }[];
}

export interface DotenvResult {
  readonly entries: readonly DotenvEntry[];
  /** The first error, with its line (compose refuses the file). */
  readonly error?: { readonly line: number; readonly column: number; readonly message: string };
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
const NAME_CHAR = /[\p{L}\p{N}_.\-[\]]/u;

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', c: '\\c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** expandEscapes: `\n` and friends, `\$` → `$$` (then interpolation makes it `$`), `\0NNN` octal; others stay. */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    if (m === '\\$') return '$$';
    // `\0NNN` becomes `\NNN`, which strconv.UnquoteChar accepts only with exactly three octal digits
    if (m.startsWith('\\0')) return /^\\0[0-7]{3}$/.test(m) ? String.fromCharCode(parseInt(m.slice(2), 8)) : m;
    // strconv.UnquoteChar rejects `\c`: the match stays as written
    return m === '\\c' ? m : (ESCAPES[m[1]!] ?? m);
  });
}

/**
 * Parse a dotenv text; `lookup` supplies variables not defined earlier in the file (the shell, the project's .env).
 * A leading UTF-8 byte order mark is dropped first, as compose does (compose-spec/compose-go@e70e961c
 * dotenv/godotenv.go:56-58, parseWithLookup: `bytes.TrimPrefix(data, utf8BOM)`); positions count from after it, as an
 * editor shows the file.
 */
export function parseDotenv(raw: string, lookup: Lookup = () => undefined): DotenvResult {
  const text = stripBom(raw).text;
  const entries: DotenvEntry[] = [];
  const defined = new Map<string, string>();
  const look: Lookup = (n) => lookup(n) ?? defined.get(n);
  const pos = (o: number) => offsetToPosition(text, o);
  let i = 0;
  const fail = (at: number, message: string): DotenvResult => {
    const p = pos(at);
    return { entries, error: { line: p.line, column: p.column, message } };
  };
  for (;;) {
    // statement start: skip white space and comment lines
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    const m = /^export[ \t\v\f\r\u0085\u00a0]+/.exec(text.slice(i, i + 64));
    if (m) {
      i += m[0].length;
      while (i < text.length && isSpace(text[i]!)) i++;
    }
    const keyStart = i;
    let term: string | undefined;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (isSpace(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        term = c;
        break;
      }
      if (!NAME_CHAR.test(c)) {
        const line = text.slice(keyStart).split('\n')[0];
        return fail(i, `unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(line)}`);
      }
    }
    const name = text.slice(keyStart, i).replace(/\s+$/, '');
    const at = pos(keyStart);
    if (name.includes(' ')) return fail(keyStart, 'key cannot contain a space');
    if (term === undefined || term === '\n') {
      // the name alone: the value comes from the environment
      const v = lookup(name);
      entries.push({ name, value: v, line: at.line, column: at.column, inherited: true, used: [] });
      if (v !== undefined) defined.set(name, v);
      i++;
      continue;
    }
    i++;
    while (i < text.length && isSpace(text[i]!)) i++;
    const q = text[i];
    if (q === '"' || q === "'") {
      let chars = '';
      let escape = false;
      let j = i + 1;
      let closed = false;
      for (; j < text.length; j++) {
        const c = text[j]!;
        if (c !== q) {
          if (!escape && c === '\\') {
            escape = true;
            continue;
          }
          if (escape) {
            escape = false;
            chars += '\\';
          }
          chars += c;
          continue;
        }
        if (escape) {
          escape = false;
          chars += c;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) return fail(i, `unterminated quoted value ${text.slice(i).split('\n')[0]}`);
      let value = chars;
      let used: DotenvEntry['used'] = [];
      if (q === '"') {
        const r = interpolate(expandEscapes(chars), look);
        if (r.error) return fail(i, r.error);
        value = r.value;
        used = r.used;
      }
      entries.push({ name, value, line: at.line, column: at.column, quoted: q, used });
      defined.set(name, value);
      i = j + 1;
      continue;
    }
    const nl = text.indexOf('\n', i);
    let raw = nl < 0 ? text.slice(i) : text.slice(i, nl);
    const hash = raw.indexOf(' #');
    if (hash >= 0) raw = raw.slice(0, hash);
    raw = raw.replace(/\s+$/, '');
    const r = interpolate(raw, look);
    if (r.error) return fail(i, r.error);
    entries.push({ name, value: r.value, line: at.line, column: at.column, used: r.used });
    defined.set(name, r.value);
    i = nl < 0 ? text.length : nl;
  }
  return { entries };
}
