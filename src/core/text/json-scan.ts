/**
 * A tolerant, linear scan of JSON / JSON5 / JSONC text into members: which key each value belongs to and the path of
 * the object around it — also for broken text (curly quotes, a doubled comma, a value on the next line, an unclosed
 * string), where no parser gives a tree. Used to blank secrets in excerpts and diffs (redact.ts decides what is
 * secret; this module only says where things are).
 *
 * Tokens: punctuation `{ } [ ] : ,`, strings in " or ' (an unclosed one ends at its line break), comments, and
 * "words" — any other run of characters (numbers, true, unquoted keys, text in curly quotes). A string or word
 * followed by `:` is a key; every other one is part of a value. One pass, no recursion, no backtracking regex.
 */

export interface ScanToken {
  readonly kind: 'string' | 'word' | 'comment';
  /** Offsets in the text: [start, end). */
  readonly start: number;
  readonly end: number;
  /** For strings: the quote character, and whether the closing quote is there. */
  readonly quote?: string;
  readonly closed?: boolean;
  /** The text without quotes (strings) or as written (words). */
  readonly text: string;
}

export interface ScanFrame {
  readonly type: 'object' | 'array';
  /** The enclosing container (undefined for the top level). */
  readonly parent: ScanFrame | undefined;
  /** This container's key in its parent object (or index in its parent array). */
  readonly name: string;
  /** Nesting level: 1 for the top-level container. */
  readonly depth: number;
  /** Every key seen directly in this object (for arrays: empty). */
  readonly members: Set<string>;
}

export interface ScanItem {
  readonly token: ScanToken;
  /** key: the token is a member name; value: part of a member's value (a run may hold several tokens when broken). */
  readonly role: 'key' | 'value' | 'comment';
  /** The container the token sits in (undefined at the top level). */
  readonly frame: ScanFrame | undefined;
  /** For keys and values: the member's key ('' when a value has none, e.g. after a lost key). */
  readonly key: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0xa0, 0xfeff, 0x2028, 0x2029]);
const PUNCT = new Set([0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c]); // { } [ ] : ,

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (WS.has(c) || PUNCT.has(c) || c === 0x22 || c === 0x27) return false;
  if (c === 0x2f) {
    const d = text.charCodeAt(i + 1);
    if (d === 0x2f || d === 0x2a) return false;
  }
  return true;
}

/** Is the rest of the line from `i` only white space and closers (`,`, `}`, `]`)? */
function onlyClosersToEol(text: string, i: number): boolean {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x0a || c === 0x0d) return true;
    if (!(c === 0x20 || c === 0x09 || c === 0x2c || c === 0x7d || c === 0x5d)) return false;
  }
  return true;
}

/** Scan `text`; `visit` gets every string, word and comment with its role, frame and key, in text order. */
export function scanMembers(text: string, visit: (item: ScanItem) => void): void {
  const n = text.length;
  const stack: ScanFrame[] = [];
  // the key of the member being read in the current object ('' after a comma, until the next key)
  let key = '';
  // the index of the element being read in the current array
  let index = 0;
  // the member key and array index of each enclosing container, restored when it closes
  const saved: { key: string; index: number }[] = [];
  const top = () => stack[stack.length - 1];
  // the token before the next `:` / `,` / bracket: held back until we know whether it is a key
  let pending: ScanToken[] = [];
  let pendingComments: ScanToken[] = [];

  const flush = (asKey: boolean) => {
    const frame = top();
    if (asKey && pending.length > 0) {
      const last = pending[pending.length - 1]!;
      // tokens before the key token on the same member (junk) still belong to the previous value
      for (const t of pending.slice(0, -1)) visit({ token: t, role: 'value', frame, key });
      key = last.text;
      frame?.members.add(key);
      visit({ token: last, role: 'key', frame, key });
    } else {
      for (const t of pending) visit({ token: t, role: 'value', frame, key: frame?.type === 'array' ? String(index) : key });
    }
    for (const c of pendingComments) visit({ token: c, role: 'comment', frame, key });
    pending = [];
    pendingComments = [];
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (WS.has(c)) {
      i++;
      continue;
    }
    if (c === 0x2f && (text.charCodeAt(i + 1) === 0x2f || text.charCodeAt(i + 1) === 0x2a)) {
      const block = text.charCodeAt(i + 1) === 0x2a;
      let end: number;
      if (block) {
        const e = text.indexOf('*/', i + 2);
        end = e < 0 ? n : e + 2;
      } else {
        let e = i + 2;
        while (e < n && text.charCodeAt(e) !== 0x0a && text.charCodeAt(e) !== 0x0d) e++;
        end = e;
      }
      const tok: ScanToken = { kind: 'comment', start: i, end, text: text.slice(i, end) };
      if (pending.length > 0) pendingComments.push(tok);
      else visit({ token: tok, role: 'comment', frame: top(), key });
      i = end;
      continue;
    }
    if (c === 0x22 || c === 0x27) {
      if (onlyClosersToEol(text, i + 1)) {
        // a stray quote before the closers of a broken line (`"abc"def" },`): not a string
        i++;
        continue;
      }
      let j = i + 1;
      let closed = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          j++;
          continue;
        }
        if (d === c) {
          closed = true;
          break;
        }
        if (d === 0x0a || d === 0x0d) break;
      }
      const end = closed ? j + 1 : j;
      pending.push({ kind: 'string', start: i, end, quote: text.charAt(i), closed, text: text.slice(i + 1, closed ? j : j) });
      i = end;
      continue;
    }
    if (PUNCT.has(c)) {
      if (c === 0x3a) {
        flush(true);
      } else if (c === 0x2c) {
        flush(false);
        if (top()?.type === 'array') index++;
        key = '';
      } else if (c === 0x7b || c === 0x5b) {
        flush(false);
        const parent = top();
        const name = parent?.type === 'array' ? String(index) : key;
        stack.push({ type: c === 0x7b ? 'object' : 'array', parent, name, depth: (parent?.depth ?? 0) + 1, members: new Set() });
        saved.push({ key, index });
        index = 0;
        key = '';
      } else {
        flush(false);
        // a closer: pop to the matching container (a mismatched closer pops one level)
        if (stack.length > 0) {
          stack.pop();
          const s = saved.pop()!;
          key = s.key;
          index = s.index;
        }
      }
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordChar(text, j)) j++;
    pending.push({ kind: 'word', start: i, end: j, text: text.slice(i, j) });
    i = j;
  }
  flush(false);
}
