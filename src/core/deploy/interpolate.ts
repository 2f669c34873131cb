/**
 * Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?err}`, `${VAR?err}`, `$$` for a literal `$`), as compose-go does it for compose files and for values of
 * `.env`/`env_file` files. Pure; our implementation of the rules, quoted from the source:
 *
 * compose-spec/compose-go@e70e961c template/template.go:
 * - `delimiter = "\\$"`, names `[_a-z][_a-z0-9]*` matched case-insensitively (`(?i:…)`, :29-49);
 * - an escaped `$$` gives `$` (:177-179); `${` without a valid name is an "Invalid template" error (:189-191);
 * - the operator is the one that appears first in the braced text (getSubstitutionFunctionForTemplate, :228-253);
 *   `:-`/`-` default when unset (or empty with `:`), `:+`/`+` alternative when set (and non-empty with `:`),
 *   `:?`/`?` fail with the message (:277-360); the default text is itself interpolated (nested `${…}`, :331-336);
 * - a "$" followed by anything else does not match the pattern and stays literal;
 * - an unset plain variable becomes "" with the warning 'The "X" variable is not set. Defaulting to a blank
 *   string.' (:207-211).
 */

export interface Lookup {
  (name: string): string | undefined;
}

export interface Interpolated {
  readonly value: string;
  /** Variables the value used, in order; `unset` when the lookup had no value for it. */
  readonly used: readonly { readonly name: string; readonly unset?: true }[];
  /** A `${VAR:?message}` whose variable is missing, or a malformed `${`: compose refuses the file. */
  readonly error?: string;
}

const NAME = /^[_a-z][_a-z0-9]*/i;

/** Index of the `}` closing the `${` at `open` (nested braces counted, as getFirstBraceClosingIndex). */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const OPERATORS = [':?', '?', ':-', '-', ':+', '+'] as const;

/** Interpolate `text` with `lookup` as compose does. */
export function interpolate(text: string, lookup: Lookup): Interpolated {
  const used: { name: string; unset?: true }[] = [];
  let error: string | undefined;
  const get = (name: string) => {
    const v = lookup(name);
    used.push(v === undefined ? { name, unset: true } : { name });
    return v;
  };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closing(text, i + 1);
      if (end < 0) {
        error ??= `invalid template ${JSON.stringify(text)}: "\${" is not closed`;
        out += text.slice(i);
        break;
      }
      const inner = text.slice(i + 2, end);
      const name = NAME.exec(inner)?.[0];
      if (!name) {
        error ??= `invalid template ${JSON.stringify(text)}: "\${${inner}}" has no variable name`;
        i = end + 1;
        continue;
      }
      const rest = inner.slice(name.length);
      if (rest === '') {
        out += get(name) ?? '';
        i = end + 1;
        continue;
      }
      const op = OPERATORS.map((o) => ({ o, at: rest.indexOf(o) })).filter((x) => x.at === 0).sort((a, b) => b.o.length - a.o.length)[0]?.o;
      if (!op) {
        error ??= `invalid template ${JSON.stringify(text)}: "\${${inner}}"`;
        i = end + 1;
        continue;
      }
      const arg = rest.slice(op.length);
      const v = get(name);
      const nested = (t: string) => {
        const r = interpolate(t, lookup);
        used.push(...r.used);
        if (r.error) error ??= r.error;
        return r.value;
      };
      if (op === ':-' || op === '-') out += v === undefined || (op === ':-' && v === '') ? nested(arg) : v;
      else if (op === ':+' || op === '+') out += v !== undefined && (op === '+' || v !== '') ? nested(arg) : (v ?? '');
      else if (v === undefined || (op === ':?' && v === '')) {
        error ??= `required variable ${name} is missing a value${arg ? `: ${nested(arg)}` : ''}`;
      } else out += v;
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) {
      out += get(name) ?? '';
      i += 1 + name.length;
      continue;
    }
    // a "$" before something that is neither "$", "{" nor a name does not match the pattern: it stays as it is
    out += c;
    i++;
  }
  return { value: out, used, ...(error ? { error } : {}) };
}
