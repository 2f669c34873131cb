/**
 * Minimal in-place edits of a JSON/JSONC text. Edits are data ({offset, length, content}, as jsonc-parser's
 * `applyEdits` takes them); only the value being set and the text inserted for a new key change. Comments,
 * key order, indentation style (tabs or N spaces), line endings, a BOM and every other key stay byte-for-byte.
 * jsonc-parser finds the nodes; we write the insertions ourselves, because its formatter re-indents whole lines
 * around an insertion (and moves trailing comments), which would touch keys we do not own.
 */
import { applyEdits, parseTree, type Edit, type Node, type ParseError } from 'jsonc-parser';
import type { JsonPath } from '../types.js';

export interface TextStyle {
  /** One indentation step: "\t" or N spaces. */
  readonly unit: string;
  readonly eol: '\n' | '\r\n';
  readonly finalNewline: boolean;
  readonly bom: boolean;
}

/** Indentation unit and line ending used by an existing file (defaults: 2 spaces, \n). */
export function detectStyle(text: string): TextStyle {
  const bom = text.charCodeAt(0) === 0xfeff;
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const indents = text
    .split(/\r?\n/)
    .map((l) => /^([ \t]+)\S/.exec(l)?.[1])
    .filter((s): s is string => Boolean(s));
  const tabs = indents.filter((s) => s.startsWith('\t')).length;
  const finalNewline = text.trim() === '' || /\n$/.test(text);
  if (indents.length > 0 && tabs * 2 >= indents.length) return { unit: '\t', eol, finalNewline, bom };
  const widths = indents.map((s) => s.length).filter((n) => n > 0);
  const n = widths.length ? Math.min(...widths) : 2;
  return { unit: ' '.repeat(n > 8 ? 2 : n), eol, finalNewline, bom };
}

/** Syntax errors jsonc-parser sees (JSON5-only syntax such as single quotes or unquoted keys shows up here). */
export function jsoncErrors(text: string): ParseError[] {
  const errors: ParseError[] = [];
  parseTree(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, errors, { allowTrailingComma: true, disallowComments: false });
  return errors;
}

export interface SetOp {
  readonly path: JsonPath;
  readonly value: unknown;
}

function render(value: unknown, base: string, style: TextStyle): string {
  return JSON.stringify(value, null, style.unit).split('\n').join(style.eol + base);
}

/** `{ "a": 1, "b": [1, 2] }` — the one-line style people write by hand. */
export function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

const oneLine = (text: string, n: Node) => !/[\r\n]/.test(text.slice(n.offset, n.offset + n.length));

/** Render `value` in the style of `model` (the node it replaces, or a sibling's value): keep one-liners one-line. */
function renderLike(value: unknown, base: string, style: TextStyle, text: string, model?: Node): string {
  const flat = inline(value);
  if (model && (model.type === 'object' || model.type === 'array') && oneLine(text, model) && base.length + flat.length <= 120) return flat;
  if (model?.type === 'array' && Array.isArray(value) && (model.children ?? []).length > 0 && (model.children ?? []).every((c) => oneLine(text, c))) {
    // one element per line, each element on one line (e.g. ipfilter rules written by hand)
    const inner = base + style.unit;
    return value.length ? `[${style.eol}${value.map((v) => inner + inline(v)).join(',' + style.eol)}${style.eol}${base}]` : '[]';
  }
  return render(value, base, style);
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text.charAt(i - 1) !== '\n' && text.charAt(i - 1) !== '\r') i--;
  return i;
}

function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

/** End of the line holding `offset`, if the rest of that line is only whitespace and comments; else undefined. */
function endOfLineAfter(text: string, offset: number): number | undefined {
  let i = offset;
  for (;;) {
    while (i < text.length && (text.charAt(i) === ' ' || text.charAt(i) === '\t')) i++;
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0 || /[\r\n]/.test(text.slice(i, end))) return undefined;
      i = end + 2;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text.charAt(i) !== '\n' && text.charAt(i) !== '\r') i++;
      return i;
    }
    if (i >= text.length || text.charAt(i) === '\n' || text.charAt(i) === '\r') return i;
    return undefined;
  }
}

/** Offset just after a comma that follows `offset` (skipping whitespace and comments), or undefined. */
function commaAfter(text: string, offset: number): number | undefined {
  let i = offset;
  for (;;) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (text.startsWith('/*', i)) {
      i = text.indexOf('*/', i + 2) + 2;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      continue;
    }
    return text.charAt(i) === ',' ? i + 1 : undefined;
  }
}

function nest(path: JsonPath, value: unknown): unknown {
  return path.reduceRight<unknown>((acc, seg) => ({ [String(seg)]: acc }), value);
}

function childByKey(obj: Node, key: string): Node | undefined {
  let found: Node | undefined;
  for (const prop of obj.children ?? []) if (prop.children?.[0]?.value === key) found = prop; // last wins, like DS
  return found;
}

/** The edit that sets `path` to `value` in `text` (a JSON object document). */
export function editFor(text: string, op: SetOp, style: TextStyle): Edit {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') throw new Error('not a JSON object document');
  let node: Node = root;
  let depth = 0;
  for (; depth < op.path.length; depth++) {
    if (node.type !== 'object') break;
    const prop = childByKey(node, String(op.path[depth]));
    if (!prop || !prop.children?.[1]) break;
    node = prop.children[1];
  }
  if (depth === op.path.length || node.type !== 'object') {
    // replace an existing value (or a non-object standing where our path continues)
    const value = depth === op.path.length ? op.value : nest(op.path.slice(depth), op.value);
    const base = indentAt(text, node.parent?.offset ?? node.offset);
    return { offset: node.offset, length: node.length, content: renderLike(value, base, style, text, node) };
  }
  // insert a new member into object `node`
  const key = String(op.path[depth]);
  const value = nest(op.path.slice(depth + 1), op.value);
  const members = node.children ?? [];
  const last = members[members.length - 1];
  if (!last) {
    const base = indentAt(text, node.offset);
    const inner = base + style.unit;
    const content = `{${style.eol}${inner}${JSON.stringify(key)}: ${render(value, inner, style)}${style.eol}${base}}`;
    return { offset: node.offset, length: node.length, content };
  }
  const memberIndent = indentAt(text, last.offset);
  const sameLine = lineStart(text, last.offset) === lineStart(text, node.offset);
  const member = `${JSON.stringify(key)}: ${renderLike(value, sameLine ? indentAt(text, node.offset) + style.unit : memberIndent, style, text, last.children?.[1])}`;
  const valueEnd = last.offset + last.length;
  const trailing = commaAfter(text, valueEnd);
  if (sameLine) {
    // a one-line object: stay on its line
    return trailing !== undefined
      ? { offset: trailing, length: 0, content: ` ${member},` }
      : { offset: valueEnd, length: 0, content: `, ${member}` };
  }
  if (trailing !== undefined) {
    const eolAt = endOfLineAfter(text, trailing) ?? trailing;
    return { offset: eolAt, length: 0, content: `${style.eol}${memberIndent}${member},` };
  }
  const eolAt = endOfLineAfter(text, valueEnd);
  if (eolAt === undefined) return { offset: valueEnd, length: 0, content: `,${style.eol}${memberIndent}${member}` };
  // comma right after the value, the new member after the rest of the line (keeps trailing comments in place)
  return {
    offset: valueEnd,
    length: eolAt - valueEnd,
    content: `,${text.slice(valueEnd, eolAt)}${style.eol}${memberIndent}${member}`,
  };
}

/** Apply `ops` in order; returns the new text (BOM, line endings and final newline kept). */
export function setValues(text: string, ops: readonly SetOp[]): string {
  const style = detectStyle(text);
  let body = style.bom ? text.slice(1) : text;
  if (body.trim() === '') body = '{}' + (style.finalNewline ? style.eol : '');
  for (const op of ops) body = applyEdits(body, [editFor(body, op, style)]);
  return (style.bom ? '\uFEFF' : '') + body;
}

/** A fresh local.json holding only `ops`: strict JSON, 2-space indent, trailing newline. */
export function newDocument(ops: readonly SetOp[]): string {
  return setValues('{}\n', ops);
}
