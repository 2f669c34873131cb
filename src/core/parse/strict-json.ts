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
