/** A source excerpt for a finding, with values of secret-looking keys blanked (the line may hold a secret). */
import { excerpt } from '../../text/excerpt.js';
import { maskSecretsInLine } from '../../redact.js';

export function safeExcerpt(text: string, line: number, column: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  const masked = lines.map((l, i) => (i === line - 1 ? maskSecretsInLine(l, column) : l)).join('\n');
  return excerpt(masked, line, column);
}
