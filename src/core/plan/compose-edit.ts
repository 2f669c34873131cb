/**
 * Format-preserving edits of a compose file through the `yaml` library's concrete syntax tree (Parser → CST tokens →
 * CST.setScalarValue / CST.createScalarToken → CST.stringify). Every token ds-harden does not touch is written back
 * with its exact source bytes — comments, blank lines, indentation, quoting and key order stay as they were.
 * (Document.toString() would re-serialise the whole file: comment spacing, indentation and line folding change.)
 * Pure: text in, text out; throws ComposeEditError for a shape it will not edit (a flow-style list, an anchor).
 */
import { CST, Parser } from 'yaml';

type Token = CST.Token;
type BlockMap = CST.BlockMap;
type BlockSeq = CST.BlockSequence;
type SourceToken = CST.SourceToken;

export class ComposeEditError extends Error {
  override readonly name = 'ComposeEditError';
}

/** The line break of the file being edited (CRLF files keep CRLF); set by each exported edit from its ComposeDoc. */
let eol = '\n';
const nl = (): SourceToken => ({ type: 'newline', offset: 0, indent: 0, source: eol });
const space = (n: number): SourceToken => ({ type: 'space', offset: 0, indent: 0, source: ' '.repeat(n) });
const colon = (): SourceToken => ({ type: 'map-value-ind', offset: 0, indent: 0, source: ':' });
const dash = (): SourceToken => ({ type: 'seq-item-ind', offset: 0, indent: 0, source: '-' });

function keyOf(item: { key?: Token | null }): string | undefined {
  return item.key ? CST.resolveAsScalar(item.key)?.value : undefined;
}

function scalar(value: string, indent: number, type: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' = 'PLAIN', end: SourceToken[] = [nl()]): Token {
  return CST.createScalarToken(value, { indent, type, end });
}

/** A value that would not come back as the same string from a plain scalar (booleans, numbers, specials) is quoted. */
function needsQuotes(v: string): boolean {
  return v === '' || /^[-?:,[\]{}#&*!|>'"%@`\s]/.test(v) || /[:#]\s|\s$|: |\s#/.test(v) || /^(true|false|yes|no|on|off|null|~|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i.test(v);
}

/** The newline that ends the last scalar under `t` (a map or seq ends with its last value's end tokens). */
function lastEnd(t: Token): SourceToken[] | undefined {
  if (t.type === 'block-map' || t.type === 'block-seq') {
    const last = t.items[t.items.length - 1];
    return last?.value ? lastEnd(last.value) : undefined;
  }
  if ('end' in t) return (t.end ??= []);
  return undefined;
}

/**
 * Take off the tokens after the last line break under `t`: the comment lines that follow its last value and the
 * indentation of whatever comes next. The parser keeps them in the last scalar's end tokens, or in a trailing item
 * that has no value. A file without a final newline gets one.
 */
function takeTrailing(t: Token | null | undefined): SourceToken[] {
  if (!t) return [];
  if (t.type === 'block-map' || t.type === 'block-seq') {
    const last = t.items[t.items.length - 1] as { start: SourceToken[]; key?: Token | null; value?: Token } | undefined;
    if (last && !last.value && !last.key) {
      t.items.pop();
      const prev = t.items[t.items.length - 1] as { value?: Token } | undefined;
      return [...takeTrailing(prev?.value), ...last.start];
    }
    return takeTrailing(last?.value);
  }
  if (!('end' in t)) return [];
  const end = (t.end ??= []);
  const first = end.findIndex((x) => x.type === 'newline');
  if (first < 0) {
    end.push(nl());
    return [];
  }
  return end.splice(first + 1);
}

/** Room after the last value of a collection: the comment lines stay before the new item, the final indentation after it. */
function detachTrailing(coll: BlockMap | BlockSeq): { comments: SourceToken[]; indent: SourceToken[] } {
  const trailing = takeTrailing(coll);
  const lastNl = trailing.map((x) => x.type).lastIndexOf('newline');
  return { comments: trailing.slice(0, lastNl + 1), indent: trailing.slice(lastNl + 1) };
}

export interface ComposeDoc {
  /** Every top-level token (a byte-order mark, the document, anything after it), so nothing is lost when written back. */
  readonly tokens: readonly Token[];
  readonly doc: CST.Document;
  readonly text: string;
  readonly eol: string;
}

export function parseComposeCst(text: string): ComposeDoc {
  const tokens = [...new Parser().parse(text)];
  const docs = tokens.filter((t): t is CST.Document => t.type === 'document');
  if (docs.length !== 1) throw new ComposeEditError(`expected one YAML document, found ${docs.length}`);
  if (tokens.map((t) => CST.stringify(t)).join('') !== text) throw new ComposeEditError('the YAML parser does not give back the same bytes; not edited');
  return { tokens, doc: docs[0]!, text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function asMap(t: Token | null | undefined, what: string): BlockMap {
  if (t?.type === 'block-map') return t;
  if (t?.type === 'alias' || (t && 'props' in t)) throw new ComposeEditError(`${what} uses a YAML anchor or alias; ds-harden does not edit shared definitions — change it by hand`);
  throw new ComposeEditError(`${what} is not a block mapping (a flow-style {…} is not edited — write it in block style)`);
}

/** The service's block map. */
export function serviceMap(c: ComposeDoc, service: string): BlockMap {
  const top = asMap(c.doc.value, 'the file');
  const services = top.items.find((i) => keyOf(i) === 'services');
  const map = asMap(services?.value, 'services');
  const svc = map.items.find((i) => keyOf(i) === service);
  if (!svc) throw new ComposeEditError(`there is no service ${service}`);
  return asMap(svc.value, `service ${service}`);
}

/** Append `key:` with a block sequence of `values` (or a scalar) to a block map. */
function appendPair(map: BlockMap, key: string, value: { seq: readonly string[] } | { scalar: string; quote?: boolean }): void {
  const { comments, indent: after } = detachTrailing(map);
  const ind = map.indent;
  const keyTok = scalar(key, ind, 'PLAIN', []);
  if ('seq' in value) {
    const seqIndent = ind + 2;
    const items = value.seq.map((v, i) => ({
      start: i === 0 ? [dash(), space(1)] : [space(seqIndent), dash(), space(1)],
      value: scalar(v, seqIndent + 2, needsQuotes(v) ? 'QUOTE_DOUBLE' : 'PLAIN', i === value.seq.length - 1 ? [nl(), ...after] : [nl()]),
    }));
    const seq: BlockSeq = { type: 'block-seq', offset: 0, indent: seqIndent, items };
    map.items.push({ start: map.items.length ? [...comments, space(ind)] : [], key: keyTok, sep: [colon(), nl(), space(seqIndent)], value: seq });
  } else {
    const val = scalar(value.scalar, ind + 2, value.quote || needsQuotes(value.scalar) ? 'QUOTE_DOUBLE' : 'PLAIN', [nl(), ...after]);
    map.items.push({ start: map.items.length ? [...comments, space(ind)] : [], key: keyTok, sep: [colon(), space(1)], value: val });
  }
}

/** Append a scalar item to a block sequence, indented like its items. */
function appendItem(seq: BlockSeq, v: string): void {
  const { comments, indent: after } = detachTrailing(seq);
  const last = seq.items[seq.items.length - 1];
  // the items' own indentation (a list may be indented deeper than its key's child level)
  const ind = last?.start.find((t) => t.type === 'space' && t.source.trim() === '')?.source.length ?? seq.indent;
  seq.items.push({ start: [...comments, space(ind), dash(), space(1)], value: scalar(v, ind + 2, needsQuotes(v) ? 'QUOTE_DOUBLE' : 'PLAIN', [nl(), ...after]) });
}

/**
 * Remove the item at `i` from a block sequence or map. Comment and blank lines written above it stay (they move to the
 * next item, or after the previous one); the first item's indentation lives in the parent's separator, so the item
 * that becomes first loses its own.
 */
function removeItem(coll: BlockSeq | BlockMap, i: number): void {
  const [removed] = coll.items.splice(i, 1);
  const start = removed!.start;
  const lastNl = start.map((t) => t.type).lastIndexOf('newline');
  const lead = lastNl >= 0 ? start.slice(0, lastNl + 1) : [];
  const next = coll.items[i];
  if (next) {
    if (i === 0 && next.start[0]?.type === 'space') next.start = next.start.slice(1);
    next.start = [...lead, ...next.start];
  } else if (lead.length) {
    const prev = coll.items[i - 1];
    const end = prev?.value ? lastEnd(prev.value) : undefined;
    if (end) end.push(...lead);
  }
}

export type EnvStyle = 'list' | 'map' | 'none';

export interface EnvEntry {
  readonly style: 'list' | 'map';
  readonly index: number;
  /** The written value (list: after the first "="; map: the scalar's value), before interpolation. */
  readonly raw: string | undefined;
}

function envOf(svc: BlockMap): { style: EnvStyle; coll?: BlockSeq | BlockMap } {
  const pair = svc.items.find((i) => keyOf(i) === 'environment');
  if (!pair) return { style: 'none' };
  const v = pair.value;
  if (v?.type === 'block-seq') return { style: 'list', coll: v };
  if (v?.type === 'block-map') return { style: 'map', coll: v };
  throw new ComposeEditError('environment: is not a block list or map (flow style [ … ] or { … } is not edited — write it in block style)');
}

/** Where `name` is set in the service's environment, as written. */
export function findEnv(c: ComposeDoc, service: string, name: string): EnvEntry | undefined {
  const { style, coll } = envOf(serviceMap(c, service));
  if (!coll) return undefined;
  for (let i = 0; i < coll.items.length; i++) {
    const it = coll.items[i]!;
    if (style === 'list') {
      const s = it.value ? CST.resolveAsScalar(it.value)?.value : undefined;
      if (s === undefined) continue;
      const eq = s.indexOf('=');
      if ((eq < 0 ? s : s.slice(0, eq)) === name) return { style: 'list', index: i, raw: eq < 0 ? undefined : s.slice(eq + 1) };
    } else if (keyOf(it) === name) {
      return { style: 'map', index: i, raw: it.value ? CST.resolveAsScalar(it.value)?.value : undefined };
    }
  }
  return undefined;
}

/** Set `name` to `value` in the service's environment (in place when it is there; else appended, list or map as the file uses). */
export function setEnv(c: ComposeDoc, service: string, name: string, value: string): void {
  eol = c.eol;
  const svc = serviceMap(c, service);
  const { style, coll } = envOf(svc);
  const hit = findEnv(c, service, name);
  if (hit && coll) {
    const item = coll.items[hit.index]!;
    if (!item.value) throw new ComposeEditError(`${name} has no value in environment: — give it one by hand`);
    if (hit.style === 'list') {
      // the quoting of the item stays (a fully quoted "KEY=value" stays quoted; quotes inside a plain item go)
      const type = item.value.type === 'double-quoted-scalar' ? 'QUOTE_DOUBLE' : item.value.type === 'single-quoted-scalar' ? 'QUOTE_SINGLE' : needsQuotes(`${name}=${value}`) ? 'QUOTE_DOUBLE' : 'PLAIN';
      CST.setScalarValue(item.value, `${name}=${value}`, { type });
    } else {
      CST.setScalarValue(item.value, value, { afterKey: true, type: needsQuotes(value) ? 'QUOTE_DOUBLE' : 'PLAIN' });
    }
    return;
  }
  if (style === 'list') appendItem(coll as BlockSeq, `${name}=${value}`);
  else if (style === 'map') appendPair(coll as BlockMap, name, { scalar: value });
  else appendPair(svc, 'environment', { seq: [`${name}=${value}`] });
}

/** Remove `name` from the service's environment (env-file mode: environment would win over env_file). */
export function removeEnv(c: ComposeDoc, service: string, name: string): boolean {
  eol = c.eol;
  const hit = findEnv(c, service, name);
  if (!hit) return false;
  const { coll } = envOf(serviceMap(c, service));
  removeItem(coll!, hit.index);
  return true;
}

/** The service's env_file entries as written (relative paths). */
export function envFiles(c: ComposeDoc, service: string): string[] {
  const pair = serviceMap(c, service).items.find((i) => keyOf(i) === 'env_file');
  const v = pair?.value;
  if (!v) return [];
  if (v.type === 'block-seq') return v.items.map((i) => (i.value ? CST.resolveAsScalar(i.value)?.value ?? '' : '')).filter(Boolean);
  const s = CST.resolveAsScalar(v);
  if (s) return [s.value];
  throw new ComposeEditError('env_file: is neither a path nor a block list (write it in block style)');
}

/** Add `file` to the service's env_file (a scalar becomes a block list). */
export function addEnvFile(c: ComposeDoc, service: string, file: string): void {
  eol = c.eol;
  const svc = serviceMap(c, service);
  const idx = svc.items.findIndex((i) => keyOf(i) === 'env_file');
  if (idx < 0) {
    appendPair(svc, 'env_file', { seq: [file] });
    return;
  }
  const pair = svc.items[idx]!;
  const v = pair.value;
  if (v?.type === 'block-seq') {
    appendItem(v, file);
    return;
  }
  const s = v ? CST.resolveAsScalar(v) : null;
  if (!s) throw new ComposeEditError('env_file: is neither a path nor a block list (write it in block style)');
  // `env_file: a.env` → a block list of both, indented under the key
  const ind = svc.indent + 2;
  const seq: BlockSeq = {
    type: 'block-seq',
    offset: 0,
    indent: ind,
    items: [
      { start: [dash(), space(1)], value: scalar(s.value, ind + 2, v!.type === 'double-quoted-scalar' ? 'QUOTE_DOUBLE' : v!.type === 'single-quoted-scalar' ? 'QUOTE_SINGLE' : 'PLAIN', 'end' in v! && v.end ? v.end : [nl()]) },
      { start: [space(ind), dash(), space(1)], value: scalar(file, ind + 2, needsQuotes(file) ? 'QUOTE_DOUBLE' : 'PLAIN') },
    ],
  };
  pair.sep = [colon(), nl(), space(ind)];
  pair.value = seq;
}

/** Append a short-syntax volume (`./a:/b:ro`) to the service. */
export function addVolume(c: ComposeDoc, service: string, spec: string): void {
  eol = c.eol;
  const svc = serviceMap(c, service);
  const pair = svc.items.find((i) => keyOf(i) === 'volumes');
  if (!pair) return appendPair(svc, 'volumes', { seq: [spec] });
  if (pair.value?.type !== 'block-seq') throw new ComposeEditError('volumes: is not a block list (write it in block style)');
  appendItem(pair.value, spec);
}

/** The file text with every edit applied; untouched tokens keep their bytes. */
export function composeText(c: ComposeDoc): string {
  return c.tokens.map((t) => CST.stringify(t)).join('');
}
