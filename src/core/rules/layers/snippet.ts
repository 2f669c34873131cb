/**
 * A source excerpt for a finding, with secrets blanked: values at secret paths everywhere, and on and near the error
 * line every value of a secret-bearing object (the key there may be damaged) — redact.ts decides what is secret.
 */
import { excerpt } from '../../text/excerpt.js';
import { maskSecretText } from '../../redact.js';

export function safeExcerpt(text: string, line: number, column: number, keepWords?: ReadonlySet<string>): string {
  return excerpt(maskSecretText(text, { damage: { line, column }, ...(keepWords ? { keepWords } : {}) }), line, column);
}
