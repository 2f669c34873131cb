/**
 * Parse one configuration file exactly as the DS version's `config` package does (ds-facts §1.3):
 *
 * - config 2.0.1 (DS ≤ 8.3): a 0-byte file is skipped; BOM stripped; `.json` → JSON.parse, and only when
 *   JSON.parse's message starts with "Unexpected token /" (a comment, as older Node versions word it) the
 *   whole text is re-parsed with JSON5 1.x; `.json5` → JSON5 1.x.
 * - config 3.3.12 (DS 9.x): BOM stripped; `.json` and `.json5` → JSON5 2.2.3, so comments, trailing commas,
 *   single quotes and unquoted keys are fine, and an empty file is a start-up crash.
 *
 * The real parsers decide acceptance and values; strict-json.ts and the JSON5 error give the position.
 */
import type { ParseFailure, ParserFamily } from '../types.js';
import { offsetToPosition, positionToOffset } from '../text/position.js';
import { describeChar, isLookalike } from '../text/excerpt.js';
import { strictJsonError, type StrictError } from './strict-json.js';
import { DS_LOADER_DEPTH_LIMIT, MAX_EVAL_DEPTH, nestingDepth } from './depth.js';

// The JSON5 parsers DS uses, json5 2.2.3 (config 3.3.12, DS 9.x) and json5 1.0.2 (config 2.0.1, DS ≤ 8.3), are
// evaluated only when a file is not strict JSON (most are, and `check` must start fast). Plain require() calls:
// esbuild sees them and bundles each library as a lazily initialised module (scripts/build.mjs), and vitest
// provides require() when the tests run this source. A library that fails to load throws: it is an internal
// error, never reported as a file DS "cannot parse".
type Json5 = { parse(text: string): unknown };
let json5v2: Json5 | undefined;
let json5v1: Json5 | undefined;
function json5Of(family: ParserFamily): Json5 {
  if (family === 'config3') return (json5v2 ??= require('json5') as Json5);
  return (json5v1 ??= require('json5-v1') as Json5);
}

export interface ParseOutcome {
  /** too-deep: DS parses it, but it nests deeper than ds-harden evaluates (MAX_EVAL_DEPTH); no value is returned. */
  readonly status: 'loaded' | 'skipped' | 'parse-error' | 'too-deep';
  /** The text DS parses (BOM removed). Positions refer to it. */
  readonly text: string;
  readonly value?: unknown;
  readonly error?: ParseFailure;
  readonly notes: readonly string[];
  readonly hadBom: boolean;
  /** The text is strict JSON: JSON.parse accepted it (and gave the value). */
  readonly strictJson?: true;
}

export function stripBom(text: string): { text: string; hadBom: boolean } {
  return text.charCodeAt(0) === 0xfeff ? { text: text.slice(1), hadBom: true } : { text, hadBom: false };
}

/**
 * A text JSON.parse already accepted, with its value: parseAsDs reuses the value for this text instead of parsing it
 * again (loadConfig's version fingerprint parses default.json before default.json is loaded as a layer).
 */
export interface StrictParsed {
  readonly text: string;
  readonly value: unknown;
}

/**
 * `raw` parsed as the DS version's parser family parses a `.json` or `.json5` file (see above). `parsed`: JSON.parse's
 * value for the text, when known (used only when it is for this very text, BOM removed).
 */
export function parseAsDs(raw: string, family: ParserFamily, format: 'json' | 'json5', parsed?: StrictParsed): ParseOutcome {
  // config 2.0.1 skips a file whose size is < 1 byte before reading it.
  if (family === 'config2' && raw.length === 0) {
    return { status: 'skipped', text: '', notes: ['empty file: DS ≤ 8.3 skips it'], hadBom: false };
  }
  const { text, hadBom } = stripBom(raw);
  const outcome = parseText(text, hadBom, family, format, parsed);
  if (outcome.status !== 'loaded') return outcome;
  // The parsers are iterative, DS's loader and ds-harden's walkers are not (depth.ts): judge the depth of what parsed.
  const depth = nestingDepth(text, DS_LOADER_DEPTH_LIMIT);
  if (depth >= DS_LOADER_DEPTH_LIMIT) {
    const cause = `nested ${DS_LOADER_DEPTH_LIMIT} or more levels deep`;
    return {
      status: 'parse-error',
      text,
      hadBom,
      notes: [],
      error: {
        message: `${cause}: DS's configuration loader (node-config) walks the value recursively and stops with "Maximum call stack size exceeded"`,
        line: 1,
        column: 1,
        offset: 0,
        cause: `${cause} (node-config's recursive walk overflows the stack at about 2,000 levels)`,
        hint: 'the file was most likely generated or damaged; restore it from your backup (DS configuration files nest 6 levels)',
      },
    };
  }
  if (depth > MAX_EVAL_DEPTH) {
    return {
      status: 'too-deep',
      text,
      hadBom,
      notes: [
        `nested ${depth} levels deep: ds-harden evaluates at most ${MAX_EVAL_DEPTH} levels (DS's own files nest 6), so it cannot tell what this file sets. ` +
          `DS loads it, and fails to start from about ${DS_LOADER_DEPTH_LIMIT} levels on`,
      ],
    };
  }
  return outcome;
}

function parseText(text: string, hadBom: boolean, family: ParserFamily, format: 'json' | 'json5', parsed?: StrictParsed): ParseOutcome {
  const jsonParse = (t: string): unknown => (parsed !== undefined && parsed.text === t ? parsed.value : JSON.parse(t));
  if (family === 'config3' || format === 'json5') {
    // Fast path: JSON5 is a superset of JSON with the same values, and JSON.parse is ~20x faster.
    try {
      return { status: 'loaded', text, value: jsonParse(text), notes: [], hadBom, strictJson: true };
    } catch {
      /* not strict JSON: let JSON5 decide, as DS does */
    }
    const lib = json5Of(family); // outside the try: a load failure is not a parse error
    try {
      return { status: 'loaded', text, value: lib.parse(text), notes: [], hadBom };
    } catch (e) {
      return { status: 'parse-error', text, error: fromJson5Error(text, e, family), notes: [], hadBom };
    }
  }
  // config2, .json
  try {
    return { status: 'loaded', text, value: jsonParse(text), notes: [], hadBom, strictJson: true };
  } catch {
    const err = strictJsonError(text) ?? { offset: text.length, expected: 'end' as const };
    if (text.charAt(err.offset) === '/') {
      // config 2.0.1's fallback: JSON5 1.x over the whole text, *if* the bundled Node words the error
      // "Unexpected token / …" (Node ≤ 18 does; Node 20 does not — ds-facts §1.3, UNCONFIRMED for the binaries).
      const lib = json5Of('config2');
      try {
        const value = lib.parse(text);
        return {
          status: 'loaded',
          text,
          value,
          hadBom,
          notes: [
            `comment at ${fmtPos(text, err.offset)}: DS ≤ 8.3 accepts it only through its JSON5 fallback, ` +
              'which depends on the Node.js version bundled in the DS binaries',
          ],
        };
      } catch (e) {
        return { status: 'parse-error', text, error: fromJson5Error(text, e, family), notes: [], hadBom };
      }
    }
    return { status: 'parse-error', text, error: diagnoseStrict(text, err), notes: [], hadBom };
  }
}

function fmtPos(text: string, offset: number): string {
  const p = offsetToPosition(text, offset);
  return `${p.line}:${p.column}`;
}

function prevSignificant(text: string, offset: number): { ch: string; offset: number } {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text.charAt(i))) i--;
  return { ch: text.charAt(i), offset: i };
}

function unclosed(text: string): string {
  // Count braces outside strings to say which closer is missing.
  const stack: string[] = [];
  let inStr: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inStr) {
      if (c === '\\') i++;
      else if (c === inStr) inStr = null;
      continue;
    }
    if (c === '"' || c === "'") inStr = c;
    else if (c === '{' || c === '[') stack.push(c);
    else if (c === '}' || c === ']') stack.pop();
  }
  if (inStr) return 'a string is not closed (missing ")';
  if (stack.length === 0) return 'the file ends where more was expected';
  const missing = stack.reverse().map((c) => (c === '{' ? '}' : ']')).join(' ');
  return `missing closing ${missing}`;
}

/** Explains a failure at `offset` in terms a person acts on. Shared by both parser families. */
export function explainAt(
  text: string,
  offset: number,
  family: ParserFamily,
  expected?: StrictError['expected'],
  /** Why a trailing comma is an error for this reader (DS's files: DS ≤ 8.3 reads them with JSON.parse). */
  strictReader = 'DS ≤ 8.3 parses .json with strict JSON',
): { cause: string; hint: string; offset: number } {
  if (text.trim().length === 0) {
    return {
      cause: 'empty file',
      hint: 'write {} into it (an empty object), or delete the file',
      offset: 0,
    };
  }
  if (offset >= text.length || (expected === 'string-end' && offset >= text.length)) {
    const what = unclosed(text);
    return {
      cause: `unexpected end of file: ${what}`,
      hint: 'the file looks truncated or a closing brace was lost while pasting; compare it with your backup and add the missing closer',
      offset: text.length,
    };
  }
  const ch = text.charAt(offset);
  if (isLookalike(ch)) {
    const plain = /[\u2018\u2019]/.test(ch) ? "'" : /[\u201c\u201d\u201e\u00ab\u00bb\uff02]/.test(ch) ? '"' : ' ';
    const repl = plain === ' ' ? 'delete it or replace it with a plain space' : `replace it with a plain ${plain}`;
    return {
      cause: `${describeChar(ch)} (typographic character, typical of text pasted from a web page or word processor)`,
      hint: `${repl}; ${family === 'config3' ? 'JSON5' : 'JSON'} only accepts ASCII quotes`,
      offset,
    };
  }
  if (ch === '}' || ch === ']') {
    const prev = prevSignificant(text, offset);
    if (prev.ch === ',') {
      return {
        cause: 'trailing comma before ' + ch,
        hint: `remove the comma after the last member (${strictReader})`,
        offset: prev.offset,
      };
    }
  }
  if (ch === '/' ) {
    return {
      cause: 'comment',
      hint: 'remove the comment; strict JSON has no comments',
      offset,
    };
  }
  if (expected === 'key' && (ch === "'" || /[A-Za-z_$]/.test(ch))) {
    return {
      cause: ch === "'" ? 'single-quoted key (JSON5 syntax)' : 'unquoted key (JSON5 syntax)',
      hint: 'put the key in double quotes',
      offset,
    };
  }
  if (expected === 'value' && ch === "'") {
    return { cause: 'single-quoted string (JSON5 syntax)', hint: 'use double quotes', offset };
  }
  if (expected === 'comma-or-close' && (ch === '"' || ch === "'" || /[A-Za-z_$]/.test(ch))) {
    const prev = prevSignificant(text, offset);
    return {
      cause: 'missing comma between two members',
      hint: 'add a comma at the end of the previous member',
      offset: prev.offset + 1,
    };
  }
  if (expected === 'colon') {
    return { cause: `expected ':' after the key, found ${describeChar(ch)}`, hint: 'add the colon between key and value', offset };
  }
  return {
    cause: `unexpected ${describeChar(ch)}`,
    hint: 'fix the syntax at this position (compare with the surrounding lines)',
    offset,
  };
}

/** A failure located where DS's parser reports it (`dsOffset`), with the likely place of the mistake when different. */
function located(text: string, dsOffset: number, d: { cause: string; hint: string; offset: number }, message: string): ParseFailure {
  const at = offsetToPosition(text, dsOffset);
  const likely = offsetToPosition(text, d.offset);
  return {
    message,
    line: at.line,
    column: at.column,
    offset: dsOffset,
    ...(d.offset !== dsOffset ? { likely: { line: likely.line, column: likely.column, offset: d.offset } } : {}),
    cause: d.cause,
    hint: d.hint,
  };
}

function diagnoseStrict(text: string, err: StrictError): ParseFailure {
  // JSON.parse stops where the strict grammar fails: that offset is the "position N" of DS ≤ 8.3's error
  const d = explainAt(text, err.offset, 'config2', err.expected);
  return located(text, Math.min(err.offset, text.length), d, `not valid JSON for DS ≤ 8.3 (JSON.parse): ${d.cause}`);
}

/**
 * A JSON file of ds-harden's own (a `--policy` file) read as JSON.parse reads it, after dropping a leading UTF-8 byte
 * order mark (Windows Notepad writes one; JSON.parse refuses it, DS's loaders strip it too). When it does not parse:
 * where (`line`/`column` where JSON.parse stops, `likely` where to edit) and why, with the same explanations `check`
 * gives for DS's files. `text` is the text without the BOM, which the positions refer to.
 */
export function parseStrictJson(raw: string): { ok: true; value: unknown } | { ok: false; text: string; error: ParseFailure } {
  const { text } = stripBom(raw);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const err = strictJsonError(text) ?? { offset: text.length, expected: 'end' as const };
    const d = explainAt(text, err.offset, 'config2', err.expected, 'JSON has no trailing commas');
    return { ok: false, text, error: located(text, Math.min(err.offset, text.length), d, `not valid JSON: ${d.cause}`) };
  }
}

function fromJson5Error(text: string, e: unknown, family: ParserFamily): ParseFailure {
  const err = e as { message?: string; lineNumber?: number; columnNumber?: number };
  const line = err.lineNumber ?? 1;
  const column = err.columnNumber ?? 1;
  let offset = positionToOffset(text, line, column);
  const endOfInput = /invalid end of input/.test(err.message ?? '');
  if (endOfInput) offset = text.length;
  // JSON5 reports a bad char; give the strict grammar's expectation to refine the diagnosis.
  const strict = strictJsonError(text);
  const expected = strict && strict.offset === offset ? strict.expected : undefined;
  const d = explainAt(text, offset, family, expected);
  const lib = family === 'config3' ? 'JSON5 2.x, as DS 9.x parses it' : 'JSON5 1.x, as DS ≤ 8.3 parses it';
  // DS logs JSON5's "at line:column"; keep that as the location (end of input: just past the last character)
  return located(text, Math.min(offset, text.length), d, `not valid (${lib}): ${d.cause}`);
}
