/**
 * systemd unit files, `Environment=` and `EnvironmentFile=` as systemd reads them (pure), with the file offset of
 * every character, so a variable can be located where it is set.
 *
 * - Unit files (systemd/systemd src/shared/conf-parser.c config_parse and parse_line): a line whose first non-blank
 *   character is `#` or `;` is a comment, even inside a continuation; a line ending in an unescaped `\` continues on
 *   the next (the `\` becomes a space); `[Section]`; `Key=Value`, both stripped, split at the first `=`.
 * - `Environment=` (src/core/load-fragment.c config_parse_environ): an empty value resets the list; otherwise words
 *   split on blanks by extract_first_word with EXTRACT_CUNESCAPE|EXTRACT_UNQUOTE (src/basic/extract-word.c: quotes
 *   may open anywhere in a word, `\` escapes C-style inside and outside them); a word that fails to parse ends the
 *   line ("Invalid syntax, ignoring"); `%%` is `%` (specifiers); a word without `=` is ignored; later wins.
 * - `EnvironmentFile=` (config_parse_unit_env_file): an absolute path, `-` first means "ignore if missing"; empty
 *   resets the list. Its variables override those of `Environment=` (systemd.exec(5)), files read in order.
 * - Environment files (systemd/systemd@0002453b:src/basic/env-file.c parse_env_file_internal): `#`/`;` comments,
 *   `KEY=VALUE` with the key stripped; a value unquoted (trailing blanks dropped, `\` escapes the next character, an
 *   escaped newline continues), in single quotes (literal) or double quotes (`\` escapes `"`, `\`, `` ` `` and `$`,
 *   otherwise stays), pieces joined.
 */
import { MappedBuilder, type Mapped } from '../text/mapped.js';

export interface UnitEntry {
  readonly section: string;
  readonly key: string;
  readonly value: Mapped;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

const BLANK = /[ \t\n\r]/;

/** Every `Key=Value` entry of a unit file, in order. */
export function readUnitFile(text: string): UnitEntry[] {
  const out: UnitEntry[] = [];
  let section = '';
  let cont: { text: string; at: number[]; line: number } | undefined;
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let lineNo = 0;
  const physical: { text: string; start: number }[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    physical.push({ text: text.slice(start, m.index), start });
    start = m.index + m[0].length;
  }
  if (start < text.length) physical.push({ text: text.slice(start), start });
  for (const p of physical) {
    lineNo++;
    const lead = /^[ \t]*/.exec(p.text)![0].length;
    if (lead < p.text.length && (p.text[lead] === '#' || p.text[lead] === ';')) continue;
    let raw = p.text;
    let offset = p.start;
    if (lineNo === 1 && raw.startsWith('\uFEFF')) [raw, offset] = [raw.slice(1), offset + 1];
    const acc = cont ?? { text: '', at: [], line: lineNo };
    acc.text += raw;
    for (let k = 0; k < raw.length; k++) acc.at.push(offset + k);
    let escaped = false;
    for (const c of acc.text) escaped = escaped ? false : c === '\\';
    if (escaped) {
      acc.text = `${acc.text.slice(0, -1)} `;
      cont = acc;
      continue;
    }
    cont = undefined;
    const s = acc.text.search(/[^ \t\n\r]/);
    if (s < 0) continue;
    const e = acc.text.length - (/[ \t\n\r]*$/.exec(acc.text)![0].length);
    const body = acc.text.slice(s, e);
    if (body.startsWith('[')) {
      if (body.endsWith(']')) section = body.slice(1, -1);
      continue;
    }
    const eq = body.indexOf('=');
    if (eq < 0) continue;
    const key = body.slice(0, eq).trim();
    let vs = s + eq + 1;
    while (vs < e && BLANK.test(acc.text[vs]!)) vs++;
    out.push({ section, key, value: { text: acc.text.slice(vs, e), at: acc.at.slice(vs, e) }, line: acc.line });
  }
  return out;
}

/** One C escape after `\` at `i` (systemd cunescape_one): [the character(s), characters consumed] or undefined. */
function cunescape(s: string, i: number): [string, number] | undefined {
  const c = s[i];
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };
  if (c === undefined) return undefined;
  if (Object.hasOwn(simple, c)) return [simple[c]!, 1];
  const hex = (n: number) => (new RegExp(`^[0-9a-fA-F]{${n}}`).test(s.slice(i + 1)) ? parseInt(s.slice(i + 1, i + 1 + n), 16) : NaN);
  if (c === 'x') {
    const v = hex(2);
    return v > 0 ? [String.fromCharCode(v), 3] : undefined;
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    const v = hex(n);
    return v > 0 && v <= 0x10ffff ? [String.fromCodePoint(v), n + 1] : undefined;
  }
  if (/^[0-3][0-7]{2}/.test(s.slice(i))) {
    const v = parseInt(s.slice(i, i + 3), 8);
    return v > 0 ? [String.fromCharCode(v), 3] : undefined;
  }
  return undefined;
}

/**
 * The words of an `Environment=` value (extract_first_word, EXTRACT_CUNESCAPE|EXTRACT_UNQUOTE, `%%` → `%`). Stops
 * at a word systemd cannot parse (unbalanced quote, bad escape): the words before it stand.
 */
export function environmentWords(value: Mapped): Mapped[] {
  const s = value.text;
  const words: Mapped[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && BLANK.test(s[i]!)) i++;
    if (i >= s.length) return words;
    const w = new MappedBuilder();
    let quote: string | undefined;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\') {
        const u = cunescape(s, i + 1);
        if (!u) return words;
        w.push(u[0], value.at[i]!);
        i += u[1];
      } else if (c === '%' && s[i + 1] === '%') {
        // the specifier "%%" (expanded in the word or in the whole value, depending on the systemd version: same result)
        w.push('%', value.at[i]!);
        i++;
      } else if (quote) {
        if (c === quote) quote = undefined;
        else w.push(c, value.at[i]!);
      } else if (c === '"' || c === "'") quote = c;
      else if (BLANK.test(c)) break;
      else w.push(c, value.at[i]!);
    }
    if (quote) return words;
    words.push(w.build());
  }
}

/** One `KEY=VALUE` of an environment file, with the file offset of the key's first character. */
export interface EnvFileEntry {
  readonly key: string;
  readonly value: string;
  readonly keyAt: number;
}

/** The assignments of an EnvironmentFile= file, in order (a later one for the same key wins). */
export function parseEnvFile(text: string): EnvFileEntry[] {
  const out: EnvFileEntry[] = [];
  type State = 'pre-key' | 'key' | 'pre-value' | 'value' | 'value-escape' | 'single' | 'double' | 'double-escape' | 'comment' | 'comment-escape';
  let state: State = 'pre-key';
  let key = '';
  let keyAt = 0;
  let value = '';
  let lastKeyBlank = -1;
  let lastValueBlank = -1;
  const push = () => {
    if (lastKeyBlank >= 0) key = key.slice(0, lastKeyBlank);
    out.push({ key, value, keyAt });
    key = '';
    value = '';
  };
  const NEWLINE = /[\n\r]/;
  const WS = /[ \t\n\r]/;
  // append c, remembering where the run of trailing blanks starts (-1: none), to cut it off at the end of the line
  const grow = (str: string, lastBlank: number, c: string): [string, number] => [str + c, !WS.test(c) ? -1 : lastBlank < 0 ? str.length : lastBlank];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    switch (state) {
      case 'pre-key':
        if (c === '#' || c === ';') state = 'comment';
        else if (!WS.test(c)) {
          state = 'key';
          lastKeyBlank = -1;
          key = c;
          keyAt = i;
        }
        break;
      case 'key':
        if (NEWLINE.test(c)) {
          state = 'pre-key';
          key = '';
        } else if (c === '=') {
          state = 'pre-value';
          lastValueBlank = -1;
        } else [key, lastKeyBlank] = grow(key, lastKeyBlank, c);
        break;
      case 'pre-value':
        if (NEWLINE.test(c)) {
          state = 'pre-key';
          push();
        } else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '\\') state = 'value-escape';
        else if (!WS.test(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (NEWLINE.test(c)) {
          state = 'pre-key';
          if (lastValueBlank >= 0) value = value.slice(0, lastValueBlank);
          push();
        } else if (c === '\\') {
          state = 'value-escape';
          lastValueBlank = -1;
        } else [value, lastValueBlank] = grow(value, lastValueBlank, c);
        break;
      case 'value-escape':
        state = 'value';
        if (!NEWLINE.test(c)) value += c;
        break;
      case 'single':
        if (c === "'") state = 'pre-value';
        else value += c;
        break;
      case 'double':
        if (c === '"') state = 'pre-value';
        else if (c === '\\') state = 'double-escape';
        else value += c;
        break;
      case 'double-escape':
        state = 'double';
        if ('"\\`$'.includes(c)) value += c;
        else if (c !== '\n') value += `\\${c}`;
        break;
      case 'comment':
        if (c === '\\') state = 'comment-escape';
        else if (NEWLINE.test(c)) state = 'pre-key';
        break;
      case 'comment-escape':
        state = NEWLINE.test(c) ? 'pre-key' : 'comment';
        break;
    }
  }
  if (state === 'value' && lastValueBlank >= 0) value = value.slice(0, lastValueBlank);
  if (['pre-value', 'value', 'value-escape', 'single', 'double', 'double-escape'].includes(state)) push();
  return out;
}
