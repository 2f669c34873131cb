/**
 * A position tree for JSON / JSONC / JSON5 text.
 *
 * It is *not* the authority on whether DS accepts a file (the real parsers in ds-parse.ts are);
 * it only tells where every key and value sits, so findings can point at file:line:column and
 * duplicate keys can be found (JSON.parse and JSON5.parse silently keep the last one).
 * It is tolerant: it accepts the union of JSON5 and JSONC syntax.
 */
import type { JsonPath } from '../types.js';
import { MAX_EVAL_DEPTH } from './depth.js';

export interface JsonNode {
  readonly type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  readonly offset: number;
  readonly length: number;
  /** For object members: the key text (decoded) and where the key starts. */
  readonly key?: string;
  readonly keyOffset?: number;
  readonly children?: JsonNode[];
}

export interface DuplicateAt {
  readonly path: JsonPath;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export interface TreeResult {
  readonly root?: JsonNode;
  readonly duplicates: readonly DuplicateAt[];
}

class Stop extends Error {}

const NUMBER = /[+-]?(?:Infinity|NaN|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;
const ID_START = /[A-Za-z_$\u00C0-\uFFFF]/;
const ID_PART = /[A-Za-z0-9_$\u00C0-\uFFFF]/;

function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  // fast path for ASCII; JSON5 also allows Unicode spaces (U+00A0, U+FEFF, Zs, U+2028/9)
  if (c < 128) return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
  return /[\s\uFEFF]/.test(ch);
}

export function buildTree(text: string): TreeResult {
  let pos = 0;
  const duplicates: DuplicateAt[] = [];

  const peek = (): string => text.charAt(pos);

  function skip(): void {
    for (;;) {
      const ch = peek();
      if (ch === '') return;
      if (isSpace(ch)) {
        pos++;
        continue;
      }
      if (ch === '/' && text.charAt(pos + 1) === '/') {
        while (pos < text.length && text.charAt(pos) !== '\n') pos++;
        continue;
      }
      if (ch === '/' && text.charAt(pos + 1) === '*') {
        const end = text.indexOf('*/', pos + 2);
        if (end < 0) throw new Stop();
        pos = end + 2;
        continue;
      }
      return;
    }
  }

  function readString(): string {
    const quote = peek();
    pos++;
    // fast path: no escape or line break before the closing quote (looked for up to the quote only: searching the
    // rest of the text for every string would make the whole scan quadratic)
    const close = text.indexOf(quote, pos);
    if (close >= 0) {
      let plain = true;
      for (let i = pos; i < close; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c || c === 0x0a) {
          plain = false;
          break;
        }
      }
      if (plain) {
        const out = text.slice(pos, close);
        pos = close + 1;
        return out;
      }
    }
    let out = '';
    for (;;) {
      const ch = text.charAt(pos);
      if (ch === '') throw new Stop();
      pos++;
      if (ch === quote) return out;
      if (ch === '\\') {
        const e = text.charAt(pos);
        pos++;
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'v': out += '\v'; break;
          case '0': out += '\0'; break;
          case 'u': {
            out += String.fromCharCode(parseInt(text.slice(pos, pos + 4), 16));
            pos += 4;
            break;
          }
          case 'x': {
            out += String.fromCharCode(parseInt(text.slice(pos, pos + 2), 16));
            pos += 2;
            break;
          }
          case '\r':
            if (text.charAt(pos) === '\n') pos++;
            break;
          case '\n': case '\u2028': case '\u2029':
            break;
          default: out += e;
        }
        continue;
      }
      if (ch === '\n' && quote !== '`') throw new Stop();
      out += ch;
    }
  }

  function readIdentifier(): string {
    const start = pos;
    if (!ID_START.test(peek())) throw new Stop();
    pos++;
    while (pos < text.length && ID_PART.test(peek())) pos++;
    return text.slice(start, pos);
  }

  // the path of the value being parsed, as a stack (copied only when a duplicate key is found)
  const path: (string | number)[] = [];

  function value(): JsonNode {
    skip();
    const start = pos;
    const ch = peek();
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"' || ch === "'") {
      readString();
      return { type: 'string', offset: start, length: pos - start };
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m && m[0].length > 0) {
      pos += m[0].length;
      return { type: 'number', offset: start, length: m[0].length };
    }
    for (const [word, type] of [['true', 'boolean'], ['false', 'boolean'], ['null', 'null']] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return { type, offset: start, length: word.length };
      }
    }
    throw new Stop();
  }

  // recursion is bounded: deeper text gives no tree (load.ts reports such files before they get here)
  let level = 0;

  function object(): JsonNode {
    const start = pos;
    pos++;
    if (++level > MAX_EVAL_DEPTH) throw new Stop();
    const children: JsonNode[] = [];
    const seen = new Map<string, number>();
    for (;;) {
      skip();
      if (peek() === '}') {
        pos++;
        break;
      }
      const keyOffset = pos;
      const key = peek() === '"' || peek() === "'" ? readString() : readIdentifier();
      skip();
      if (peek() !== ':') throw new Stop();
      pos++;
      path.push(key);
      const child = value() as { -readonly [K in keyof JsonNode]: JsonNode[K] };
      const prev = seen.get(key);
      if (prev !== undefined) duplicates.push({ path: [...path], firstOffset: prev, lastOffset: keyOffset });
      path.pop();
      seen.set(key, keyOffset);
      child.key = key;
      child.keyOffset = keyOffset;
      children.push(child);
      skip();
      if (peek() === ',') {
        pos++;
        continue;
      }
      if (peek() === '}') {
        pos++;
        break;
      }
      throw new Stop();
    }
    level--;
    return { type: 'object', offset: start, length: pos - start, children };
  }

  function array(): JsonNode {
    const start = pos;
    pos++;
    if (++level > MAX_EVAL_DEPTH) throw new Stop();
    const children: JsonNode[] = [];
    for (;;) {
      skip();
      if (peek() === ']') {
        pos++;
        break;
      }
      path.push(children.length);
      children.push(value());
      path.pop();
      skip();
      if (peek() === ',') {
        pos++;
        continue;
      }
      if (peek() === ']') {
        pos++;
        break;
      }
      throw new Stop();
    }
    level--;
    return { type: 'array', offset: start, length: pos - start, children };
  }

  try {
    const root = value();
    skip();
    if (pos < text.length) return { duplicates };
    return { root, duplicates };
  } catch (e) {
    if (e instanceof Stop) return { duplicates };
    throw e;
  }
}

/**
 * The position tree of a text that JSON.parse accepts, built on demand: a container's members are scanned the first
 * time its `children` are read, and every other value is only skipped over. Locating one key of default.json (16 kB)
 * then costs a scan of the containers on its path instead of a node for each of its ~1,500 values (8–10 ms of a
 * `check`, interpreted: scripts/BENCH-NOTES.md). Equal to `buildTree(text).root` node for node (test/core/on-demand.test.ts).
 *
 * Only for strict JSON (no comments, double-quoted keys and strings, JSON's white space: what JSON.parse accepts, which
 * is checked first unless the caller knows it: `knownStrict`), which is what lets values be skipped by their quotes and
 * brackets alone. Any other text gives undefined (use buildTree), and so does text nested deeper than MAX_EVAL_DEPTH, as
 * in buildTree.
 */
export function lazyTree(text: string, knownStrict = false): JsonNode | undefined {
  if (!knownStrict) {
    try {
      JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  let pos = 0;
  let deepest = 0;
  const fail = (): never => {
    throw new Stop();
  };
  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.test(text);
    pos = SPACE.lastIndex;
  };
  /** From an opening quote to just past its closing quote. */
  const skipString = () => {
    for (let i = pos + 1; ; ) {
      const q = text.indexOf('"', i);
      if (q < 0) fail();
      let b = q - 1;
      while (text.charCodeAt(b) === 0x5c) b--;
      // an even number of backslashes before the quote: it closes the string
      if ((q - 1 - b) % 2 === 0) {
        pos = q + 1;
        return;
      }
      i = q + 1;
    }
  };
  /** From an opening bracket to just past its closing one (strings skipped whole). */
  const skipContainer = () => {
    let depth = 0;
    for (;;) {
      BRACKET_OR_QUOTE.lastIndex = pos;
      const m = BRACKET_OR_QUOTE.exec(text);
      if (!m) fail();
      pos = m!.index;
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        skipString();
        continue;
      }
      pos++;
      if (c === 0x7b || c === 0x5b) {
        if (++depth > deepest) deepest = depth;
      } else if (--depth === 0) return;
    }
  };
  /** The value at `pos` (after white space); `member`: the key it is the value of. */
  const node = (member?: { key: string; keyOffset: number }): JsonNode => {
    skipSpace();
    const start = pos;
    const c = text.charCodeAt(pos);
    if (c === 0x7b || c === 0x5b) {
      skipContainer();
      return container(c === 0x7b ? 'object' : 'array', start, pos - start, member);
    }
    let type: JsonNode['type'] | undefined;
    if (c === 0x22) {
      skipString();
      type = 'string';
    } else {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (m && m[0].length > 0) {
        pos += m[0].length;
        type = 'number';
      } else {
        const literal = LITERALS.find(([word]) => text.startsWith(word, pos));
        if (!literal) fail();
        pos += literal![0].length;
        type = literal![1];
      }
    }
    return { type: type!, offset: start, length: pos - start, ...member };
  };
  const membersAt = (start: number, isObject: boolean): JsonNode[] => {
    pos = start + 1;
    const children: JsonNode[] = [];
    const close = isObject ? '}' : ']';
    skipSpace();
    if (text.charAt(pos) === close) return children;
    for (;;) {
      skipSpace();
      if (isObject) {
        const keyOffset = pos;
        if (text.charCodeAt(pos) !== 0x22) fail();
        skipString();
        // a key with an escape is decoded as JSON.parse decodes it
        const raw = text.slice(keyOffset + 1, pos - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(keyOffset, pos)) as string) : raw;
        skipSpace();
        if (text.charAt(pos) !== ':') fail();
        pos++;
        children.push(node({ key, keyOffset }));
      } else {
        children.push(node());
      }
      skipSpace();
      const c = text.charAt(pos++);
      if (c === ',') continue;
      if (c === close) return children;
      fail();
    }
  };
  const container = (type: 'object' | 'array', offset: number, length: number, member?: { key: string; keyOffset: number }): JsonNode => {
    let children: JsonNode[] | undefined;
    return {
      type,
      offset,
      length,
      ...member,
      get children() {
        return (children ??= membersAt(offset, type === 'object'));
      },
    };
  };
  try {
    // the root's scan covers every bracket of the text: its depth is the text's
    const root = node();
    skipSpace();
    return pos === text.length && deepest <= MAX_EVAL_DEPTH ? root : undefined;
  } catch (e) {
    if (e instanceof Stop) return undefined;
    throw e;
  }
}

const SPACE = /[ \t\n\r]*/y;
const BRACKET_OR_QUOTE = /["{}[\]]/g;
const LITERALS = [['true', 'boolean'], ['false', 'boolean'], ['null', 'null']] as const;

/**
 * The node DS would read at `path`: for duplicate keys the *last* member wins, like JSON.parse/JSON5.
 * Returns the deepest node found and whether the whole path matched.
 */
export function findNode(root: JsonNode | undefined, path: JsonPath): JsonNode | undefined {
  let node = root;
  for (const seg of path) {
    if (!node?.children) return undefined;
    node = node.type === 'array' ? (typeof seg === 'number' ? node.children[seg] : undefined) : membersOf(node).get(String(seg));
  }
  return node;
}

/** key → last member with that key, built once per object node (many findings locate keys of one big object). */
const memberIndex = new WeakMap<JsonNode, Map<string, JsonNode>>();

function membersOf(node: JsonNode): Map<string, JsonNode> {
  let index = memberIndex.get(node);
  if (!index) {
    index = new Map();
    for (const c of node.children ?? []) if (c.key !== undefined) index.set(c.key, c);
    memberIndex.set(node, index);
  }
  return index;
}
