/**
 * Text cut out of a file, with the file offset of each of its characters (pure). Parsers of service definitions work
 * on values that are trimmed, joined from continuation lines, unquoted and unescaped; carrying the offsets along
 * lets a finding point at the line and column where a variable is set.
 */

export interface Mapped {
  readonly text: string;
  /** at[i] is the offset in the file of text[i] (same length as text). */
  readonly at: readonly number[];
}

/** `text` that starts at file offset `start` and was copied unchanged. */
export function mappedAt(text: string, start: number): Mapped {
  return { text, at: Array.from({ length: text.length }, (_, i) => start + i) };
}

/** Parts joined with `sep` (whose characters are placed at the offset just after the part before them). */
export function joinMapped(parts: readonly Mapped[], sep: string): Mapped {
  let text = '';
  const at: number[] = [];
  parts.forEach((p, i) => {
    if (i > 0) {
      const after = (parts[i - 1]!.at.at(-1) ?? 0) + 1;
      text += sep;
      for (let k = 0; k < sep.length; k++) at.push(after);
    }
    text += p.text;
    at.push(...p.at);
  });
  return { text, at };
}

/** Builds a Mapped character by character (for unquoting and unescaping). */
export class MappedBuilder {
  private text = '';
  private readonly at: number[] = [];
  /** Append `s`, every character taken from file offset `offset`. */
  push(s: string, offset: number): void {
    this.text += s;
    for (let k = 0; k < s.length; k++) this.at.push(offset);
  }
  get length(): number {
    return this.text.length;
  }
  build(): Mapped {
    return { text: this.text, at: [...this.at] };
  }
}
