/** Renders "the line, and a caret under the column", and names characters people paste by accident. */
import { lineText } from './position.js';

const NAMES: Record<number, string> = {
  0x201c: 'LEFT DOUBLE QUOTATION MARK',
  0x201d: 'RIGHT DOUBLE QUOTATION MARK',
  0x2018: 'LEFT SINGLE QUOTATION MARK',
  0x2019: 'RIGHT SINGLE QUOTATION MARK',
  0x201e: 'DOUBLE LOW-9 QUOTATION MARK',
  0x00ab: 'LEFT-POINTING DOUBLE ANGLE QUOTATION MARK',
  0x00bb: 'RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK',
  0x00a0: 'NO-BREAK SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x2060: 'WORD JOINER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
  0x2013: 'EN DASH',
  0x2014: 'EM DASH',
  0x2212: 'MINUS SIGN',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x0009: 'CHARACTER TABULATION',
  0xff02: 'FULLWIDTH QUOTATION MARK',
  0xff0c: 'FULLWIDTH COMMA',
  0xff1a: 'FULLWIDTH COLON',
};

/** "U+201C LEFT DOUBLE QUOTATION MARK", or "'x'" for plain ASCII. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return 'end of file';
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const name = NAMES[cp];
  if (name) return `${hex} ${name}`;
  if (cp >= 0x20 && cp < 0x7f) return `'${ch}'`;
  if (cp < 0x20) return `${hex} control character`;
  return hex;
}

export function isLookalike(ch: string): boolean {
  const cp = ch.codePointAt(0);
  return cp !== undefined && cp in NAMES && cp !== 0x09;
}

/**
 * Two lines: the source line (tabs shown as single spaces so the caret lines up) and a caret.
 * Long lines are clipped around the column.
 */
export function excerpt(text: string, line: number, column: number, width = 100): string {
  let src = lineText(text, line).replace(/\t/g, ' ');
  let col = column;
  if (src.length > width) {
    const start = Math.max(0, Math.min(col - Math.floor(width / 2), src.length - width));
    src = (start > 0 ? '…' : '') + src.slice(start, start + width) + (start + width < src.length ? '…' : '');
    col = col - start + (start > 0 ? 1 : 0);
  }
  const gutter = String(line);
  return `${gutter} | ${src}\n${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, col - 1))}^`;
}
