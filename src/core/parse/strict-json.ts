/**
 * Where does strict JSON (ECMA-404, what JSON.parse accepts) first fail in this text?
 * JSON.parse tells *that* it fails; this tells *where*, with the offset of the first bad
 * character, so DS ≤ 8.3's behaviour (config 2.0.1 uses JSON.parse) can be explained.
 */

export interface StrictError {
  readonly offset: number;
  /** What the grammar wanted at that point. */
  readonly expected: 'value' | 'key' | 'colon' | 'comma-or-close' | 'end' | 'string-end' | 'escape' | 'digit';
}

const WS = new Set([' ', '\t', '\n', '\r']);

export function strictJsonError(text: string): StrictError | undefined {
  let pos = 0;
  const fail = (expected: StrictError['expected'], at = pos): never => {
    throw { offset: at, expected } satisfies StrictError;
  };
  const ws = (): void => {
    while (pos < text.length && WS.has(text.charAt(pos))) pos++;
  };

  function str(): void {
    pos++;
    for (;;) {
      if (pos >= text.length) fail('string-end');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return;
      }
      if (c < 0x20) fail('string-end');
      if (c === 0x5c) {
        const e = text.charAt(pos + 1);
        if ('"\\/bfnrt'.includes(e) && e !== '') pos += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else fail('escape', pos + 1);
        continue;
      }
      pos++;
    }
  }

  function num(): void {
    if (text.charAt(pos) === '-') pos++;
    if (text.charAt(pos) === '0') pos++;
    else if (/[1-9]/.test(text.charAt(pos))) while (/[0-9]/.test(text.charAt(pos))) pos++;
    else fail('digit');
    if (text.charAt(pos) === '.') {
      pos++;
      if (!/[0-9]/.test(text.charAt(pos))) fail('digit');
      while (/[0-9]/.test(text.charAt(pos))) pos++;
    }
    if (/[eE]/.test(text.charAt(pos))) {
      pos++;
      if (/[+-]/.test(text.charAt(pos))) pos++;
      if (!/[0-9]/.test(text.charAt(pos))) fail('digit');
      while (/[0-9]/.test(text.charAt(pos))) pos++;
    }
  }

  // Iterative (an explicit stack instead of recursion): input nested 100,000 levels deep must give an answer, not a
  // stack overflow. Each stack entry is an open container.
  const stack: ('{' | '[')[] = [];

  /** Read one value; returns true when it opened a container (its members come next). */
  function value(): boolean {
    ws();
    const c = text.charAt(pos);
    if (c === '{' || c === '[') {
      pos++;
      stack.push(c);
      return true;
    }
    if (c === '"') str();
    else if (c === '-' || /[0-9]/.test(c)) num();
    else {
      const w = ['true', 'false', 'null'].find((x) => text.startsWith(x, pos));
      if (!w) fail('value');
      pos += w!.length;
    }
    return false;
  }

  /** Expect a key and its colon inside an object. */
  function key(): void {
    ws();
    if (text.charAt(pos) !== '"') fail('key');
    str();
    ws();
    if (text.charAt(pos) !== ':') fail('colon');
    pos++;
  }

  function run(): void {
    // `first`: just after an opener, where the closer may come at once
    let first = value();
    for (;;) {
      if (stack.length === 0) return;
      const top = stack[stack.length - 1]!;
      const close = top === '{' ? '}' : ']';
      ws();
      if (first) {
        first = false;
        if (text.charAt(pos) === close) {
          pos++;
          stack.pop();
          continue;
        }
        if (top === '{') key();
        first = value();
        continue;
      }
      if (text.charAt(pos) === ',') {
        pos++;
        if (top === '{') key();
        first = value();
        continue;
      }
      if (text.charAt(pos) === close) {
        pos++;
        stack.pop();
        continue;
      }
      fail('comma-or-close');
    }
  }

  try {
    run();
    ws();
    if (pos < text.length) fail('end');
    return undefined;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e) return e as StrictError;
    throw e;
  }
}

/** An escape JSON.stringify never writes: \/ or \u (DS's shipped files have none). */
const NON_CANONICAL_ESCAPE = /\\[/u]/;
/** Text that String() gives for a number or a boolean (secretValues turns such leaves into text). */
const NUMBER_OR_BOOLEAN_TEXT = /^[-+]?(?:[\d.eE+-]+|Infinity|NaN)$|^(?:true|false)$/;

/**
 * Can the value of strict JSON `text` hold `s` as a member name or as the text of a leaf? False only when it provably
 * cannot, found with one search instead of a walk over every value: a text whose escapes are all among \" \\ \b \f \n \r
 * \t writes each string exactly as JSON.stringify does (JSON requires those characters escaped and allows nothing else to
 * be written but raw), so a string it holds appears in it as JSON.stringify writes it. `s` with a surrogate, or spelled
 * like a number or a boolean (a leaf of that type turns into it), is always possible.
 * test/core/on-demand.test.ts checks that every member name and leaf of the release files and of generated JSON is found.
 */
export function strictJsonMayHold(text: string, s: string): boolean {
  if (NON_CANONICAL_ESCAPE.test(text) || NUMBER_OR_BOOLEAN_TEXT.test(s) || /[\uD800-\uDFFF]/.test(s)) return true;
  return text.includes(JSON.stringify(s).slice(1, -1));
}
