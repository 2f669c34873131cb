/**
 * supervisord's configuration files as supervisord reads them (pure), with the file offset of every value character.
 *
 * supervisord reads them with Python's RawConfigParser as its UnhosedConfigParser sets it up
 * (Supervisor/supervisor@2a92c5c2:supervisor/options.py, class UnhosedConfigParser: inline_comment_prefixes `;` and
 * `#`, strict=False), whose reading loop is python/cpython@78822575:Lib/configparser.py RawConfigParser._read:
 * - `#` or `;` first on a line makes it a comment; after whitespace they start an inline comment (prefixes are looked
 *   for round by round, first occurrences first, exactly as _read does);
 * - `name = value` or `name : value` (the first `=` or `:`), names lower-cased (optionxform), value stripped;
 * - a line indented deeper than its option line continues the value (joined with "\n"; empty lines inside are kept,
 *   trailing ones dropped);
 * - `[header]` starts a section; a section seen twice is one section, and a later option wins (strict=False);
 *   options of `[DEFAULT]` are seen by every section that does not set them.
 */
import { joinMapped, mappedAt, type Mapped } from '../text/mapped.js';

export interface IniOption {
  readonly value: Mapped;
  /** 1-based line of the option's name. */
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  /** 1-based line of its (first) header. */
  readonly line: number;
  /** Options by lower-cased name (a Map: names come from the file). */
  readonly options: ReadonlyMap<string, IniOption>;
}

/** Physical lines with their start offsets; `\n`, `\r\n` and `\r` end a line (Python's universal newlines). */
function lines(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), start });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ text: text.slice(start), start });
  return out;
}

/** Where an inline comment starts (configparser's rounds over the prefixes), or undefined. */
function inlineComment(line: string): number | undefined {
  let start = Infinity;
  let pending = new Map<string, number>([
    [';', -1],
    ['#', -1],
  ]);
  while (start === Infinity && pending.size > 0) {
    const next = new Map<string, number>();
    for (const [prefix, from] of pending) {
      const i = line.indexOf(prefix, from + 1);
      if (i === -1) continue;
      next.set(prefix, i);
      if (i === 0 || /\s/.test(line[i - 1]!)) start = Math.min(start, i);
    }
    pending = next;
  }
  return start === Infinity ? undefined : start;
}

/** The sections of one supervisord configuration file, in file order. */
export function readSupervisorIni(text: string): IniSection[] {
  interface Building {
    name: string;
    line: number;
    options: Map<string, { parts: Mapped[]; line: number }>;
  }
  const sections = new Map<string, Building>();
  let cur: Building | undefined;
  let optname: string | undefined;
  let indentLevel = 0;
  lines(text).forEach((l, i) => {
    const trimmedLine = l.text.trim();
    const commentStart = trimmedLine.startsWith('#') || trimmedLine.startsWith(';') ? 0 : inlineComment(l.text);
    const kept = commentStart === undefined ? l.text : l.text.slice(0, commentStart);
    const value = kept.trim();
    if (!value) {
      if (commentStart === undefined && cur && optname) cur.options.get(optname)!.parts.push(mappedAt('', l.start + l.text.length));
      return;
    }
    const lead = kept.length - kept.trimStart().length;
    const curIndent = /\S/.exec(l.text)?.index ?? 0;
    if (cur && optname && curIndent > indentLevel) {
      cur.options.get(optname)!.parts.push(mappedAt(value, l.start + lead));
      return;
    }
    indentLevel = curIndent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1]!;
      cur = sections.get(name);
      if (!cur) sections.set(name, (cur = { name, line: i + 1, options: new Map() }));
      optname = undefined;
      return;
    }
    // before any section supervisord refuses the file (MissingSectionHeaderError); nothing here is a program
    if (!cur) return;
    const opt = /^(.*?)\s*[=:]\s*(.*)$/.exec(value);
    if (!opt || !opt[1]!.trimEnd()) {
      optname = undefined; // a ParsingError for supervisord; the line defines nothing
      return;
    }
    optname = opt[1]!.trimEnd().toLowerCase();
    const v = opt[2]!.trim();
    cur.options.set(optname, { parts: [mappedAt(v, l.start + lead + value.length - v.length)], line: i + 1 });
  });
  const defaults = sections.get('DEFAULT');
  return [...sections.values()]
    .filter((s) => s !== defaults)
    .map((s) => {
      const options = new Map<string, IniOption>();
      for (const [k, o] of [...(defaults?.options ?? []), ...s.options]) {
        // '\n'.join(parts).rstrip(): trailing empty lines go
        const parts = [...o.parts];
        while (parts.length > 1 && parts.at(-1)!.text === '') parts.pop();
        options.set(k, { value: joinMapped(parts, '\n'), line: o.line });
      }
      return { name: s.name, line: s.line, options };
    });
}
