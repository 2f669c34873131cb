/** Offset ↔ line/column (1-based), counting \n, \r\n and lone \r as line breaks. */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export function offsetToPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      line++;
      lineStart = i + 1;
    } else if (ch === 13) {
      if (text.charCodeAt(i + 1) !== 10) {
        line++;
        lineStart = i + 1;
      }
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function positionToOffset(text: string, line: number, column: number): number {
  let l = 1;
  let i = 0;
  while (l < line && i < text.length) {
    const ch = text.charCodeAt(i);
    i++;
    if (ch === 10 || (ch === 13 && text.charCodeAt(i) !== 10)) l++;
  }
  return Math.min(i + column - 1, text.length);
}

/** The text of a 1-based line, without its line break. */
export function lineText(text: string, line: number): string {
  return text.split(/\r\n|\r|\n/)[line - 1] ?? '';
}

/** Precomputed line starts: O(log n) offset → position for many lookups in one text. */
export function lineIndex(text: string): (offset: number) => Position {
  const starts = [0];
  if (!text.includes('\r')) {
    // the usual text: \n breaks only, found by the native search (a loop per character costs ~1 ms for default.json)
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  } else {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
    }
  }
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/**
 * "local.json:12" style pointer for messages (the finding's own location carries the column); "NODE_CONFIG in
 * /etc/supervisor/conf.d/ds-docservice.conf:6" when the location says what is set there.
 */
export function locationText(loc: import('../types.js').SourceLocation | undefined): string {
  return loc ? `${loc.label ? `${loc.label} in ` : ''}${loc.file}:${loc.line}` : 'no configuration file';
}
