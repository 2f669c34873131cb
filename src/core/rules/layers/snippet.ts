/** A source excerpt for a finding, with values of secret-looking keys blanked (the line may hold a secret). */
import { excerpt } from '../../text/excerpt.js';

const SECRETISH = /("(?:string|secret|secretString|password|dbPass|privateKey|privateKeyOld|key)"\s*:\s*["'\u201c\u201d\u2018\u2019])([^"'\u201c\u201d\u2018\u2019\r\n]*)/gi;

export function maskSecretsInLine(line: string, keepColumn?: number): string {
  return line.replace(SECRETISH, (_m, head: string, value: string, offset: number) => {
    const start = offset + head.length;
    const masked = [...value]
      .map((ch, i) => (keepColumn !== undefined && start + i === keepColumn - 1 ? ch : '•'))
      .join('');
    return head + masked;
  });
}

export function safeExcerpt(text: string, line: number, column: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  const masked = lines.map((l, i) => (i === line - 1 ? maskSecretsInLine(l, column) : l)).join('\n');
  return excerpt(masked, line, column);
}
