/**
 * The unified diff of --dry-run; callers redact secrets before diffing. The hunks come from jsdiff (the `diff`
 * package, Myers' algorithm) in the format of GNU diffutils `diff -u`: an empty text has no lines (a new file's hunk
 * is `-0,0`), a last line without a newline is followed by `\ No newline at end of file`, and line ends are compared
 * without "\r" (the planner keeps a file's CRLF; a diff of content is what is shown).
 *
 * Bounded: Myers' algorithm costs (lines × edits); past MAX_EDIT_LENGTH edits (a file rewritten as a whole, e.g.
 * hostile input or --normalize of a huge file) the whole text is shown as removed and added — a correct diff, if not
 * the shortest — instead of working for minutes.
 */
import { createTwoFilesPatch, formatPatch, FILE_HEADERS_ONLY, type StructuredPatch } from 'diff';

/** Most edits (inserted + removed lines) the shortest diff is searched for; beyond: remove-all/add-all. */
export const MAX_EDIT_LENGTH = 4_000;

const NO_EOL_NOTE = '\\ No newline at end of file';

/** The lines of `text` as diff(1) counts them, each with `prefix`, a last line without newline followed by the note. */
function prefixedLines(text: string, prefix: '-' | '+'): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  const noEol = lines[lines.length - 1] !== '';
  if (!noEol) lines.pop();
  const out = lines.map((l) => prefix + l);
  if (noEol) out.push(NO_EOL_NOTE);
  return out;
}

/**
 * `diff -u`-style text turning `a` into `b` ('' when they have no differing line): `--- nameA`, `+++ nameB`, then
 * hunks `@@ -start,count +start,count @@` with `context` lines around each change.
 */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string, context = 3): string {
  if (a === b) return '';
  const options = { context, stripTrailingCr: true, headerOptions: FILE_HEADERS_ONLY, maxEditLength: MAX_EDIT_LENGTH } as const;
  let text = createTwoFilesPatch(nameA, nameB, a, b, undefined, undefined, options);
  if (text === undefined) {
    const removed = prefixedLines(a, '-');
    const added = prefixedLines(b, '+');
    const count = (l: string[]) => l.filter((s) => s !== NO_EOL_NOTE).length;
    const whole: StructuredPatch = {
      oldFileName: nameA,
      newFileName: nameB,
      oldHeader: undefined,
      newHeader: undefined,
      hunks: [{ oldStart: 1, oldLines: count(removed), newStart: 1, newLines: count(added), lines: [...removed, ...added] }],
    };
    text = formatPatch(whole, FILE_HEADERS_ONLY);
  }
  // texts that differ only in "\r" have no differing line: headers only
  return /^@@ /m.test(text) ? (text.endsWith('\n') ? text : text + '\n') : '';
}
