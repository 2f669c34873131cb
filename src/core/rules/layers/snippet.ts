/** A source excerpt for a finding, with values of secret-looking keys blanked (the line may hold a secret). */
import { excerpt } from '../../text/excerpt.js';

const SECRET_KEY = /["']?(?:string|secret|secretString|password|dbPass|privateKey|privateKeyOld|key|jwt_secret)["']?\s*:\s*/gi;
const CLOSING = /["'\u201c\u201d\u2018\u2019]?\s*[,}\]]*\s*$/;

/**
 * Blank the value after a secret-looking key, up to the end of the line (a broken line may hold an unclosed
 * or oddly quoted secret), keeping the quotes around it, trailing punctuation and the character at
 * `keepColumn` (the one the caret points at).
 */
export function maskSecretsInLine(line: string, keepColumn?: number): string {
  const m = SECRET_KEY.exec(line);
  SECRET_KEY.lastIndex = 0;
  if (!m) return line;
  let from = m.index + m[0].length;
  if (/["'\u201c\u201d\u2018\u2019]/.test(line.charAt(from))) from++;
  const tail = CLOSING.exec(line.slice(from))![0];
  const to = line.length - tail.length;
  let out = line.slice(0, from);
  for (let i = from; i < to; i++) out += keepColumn !== undefined && i === keepColumn - 1 ? line.charAt(i) : '•';
  return out + line.slice(to);
}

export function safeExcerpt(text: string, line: number, column: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  const masked = lines.map((l, i) => (i === line - 1 ? maskSecretsInLine(l, column) : l)).join('\n');
  return excerpt(masked, line, column);
}
