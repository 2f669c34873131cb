/**
 * A small unified diff (LCS over lines) for --dry-run; callers redact secrets before diffing.
 *
 * Lines as diff(1) and `git diff` count them: an empty text has no lines (a new file's hunk starts at `-0,0`), the
 * newline that ends a line belongs to it (a final "\n" does not make an empty last line), and a last line without
 * one is followed by `\ No newline at end of file` — so a change that only adds or drops the final newline shows.
 * Line ends are compared without "\r" (the planner keeps a file's CRLF; a diff of content is what is shown).
 *
 * Bounded: the common head and tail are matched first (an apply edit touches a few lines of a file), and the LCS
 * table is built only for the rest while it has at most MAX_LCS_CELLS cells; beyond that the differing middle is
 * shown as removed and added as a whole — a correct diff, if not the shortest — instead of a table of
 * (lines × lines) numbers (40,000 lines each way would need 6 GB).
 *
 * (No diff library is bundled: the hunks are made here, in the format of GNU diffutils `diff -u`.)
 */

/** Largest LCS table (cells) the diff builds: 4 million numbers ≈ 32 MB. */
export const MAX_LCS_CELLS = 4_000_000;

type Op = { t: ' ' | '-' | '+'; s: string; ai: number; bi: number };

/** Marks the last line of a text that does not end in a newline (no line holds a "\n": it is what splits them). */
const NO_EOL = '\n';
const NO_EOL_NOTE = '\\ No newline at end of file';

/**
 * The lines of `text` as diff(1) counts them: '' has none; the last line carries NO_EOL when no newline ends it,
 * so it differs from the same text with one.
 */
export function diffLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/**
 * `diff -u`-style text turning `a` into `b` ('' when they are equal): `--- nameA`, `+++ nameB`, then hunks
 * `@@ -start,count +start,count @@` with `context` lines around each change. A side with no lines in a hunk starts
 * at the line before it (`-0,0` for a new file).
 */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string, context = 3): string {
  if (a === b) return '';
  const x = diffLines(a);
  const y = diffLines(b);
  const n = x.length;
  const m = y.length;
  let head = 0;
  while (head < n && head < m && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && x[n - 1 - tail] === y[m - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ t: ' ', s: x[k]!, ai: k, bi: k });
  middleOps(x, y, head, n - tail, head, m - tail, ops);
  for (let k = tail; k > 0; k--) ops.push({ t: ' ', s: x[n - k]!, ai: n - k, bi: m - k });
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // extend the hunk while changes are within 2*context lines of each other
    let last = k;
    while (end < ops.length) {
      if (ops[end]!.t !== ' ') last = end;
      if (end - last > context * 2) break;
      end++;
    }
    end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aStart = hunk[0]!.ai + 1;
    const bStart = hunk[0]!.bi + 1;
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@`);
    for (const o of hunk) {
      if (o.s.endsWith(NO_EOL)) out.push(o.t + o.s.slice(0, -NO_EOL.length), NO_EOL_NOTE);
      else out.push(o.t + o.s);
    }
    k = end;
  }
  // texts that differ only in "\r" have no differing line
  return out.length > 2 ? out.join('\n') + '\n' : '';
}

/** Edit operations turning x[i0, i1) into y[j0, j1): LCS when the table is small enough, else remove-all/add-all. */
function middleOps(x: readonly string[], y: readonly string[], i0: number, i1: number, j0: number, j1: number, ops: Op[]): void {
  const n = i1 - i0;
  const m = j1 - j0;
  if ((n + 1) * (m + 1) > MAX_LCS_CELLS) {
    for (let i = i0; i < i1; i++) ops.push({ t: '-', s: x[i]!, ai: i, bi: j0 });
    for (let j = j0; j < j1; j++) ops.push({ t: '+', s: y[j]!, ai: i1, bi: j });
    return;
  }
  // lcs[i][j] for the suffixes x[i0 + i..], y[j0 + j..], in one flat typed array
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i0 + i] === y[j0 + j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i0 + i] === y[j0 + j]) ops.push({ t: ' ', s: x[i0 + i]!, ai: i0 + i++, bi: j0 + j++ });
    else if (i < n && (j >= m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) ops.push({ t: '-', s: x[i0 + i]!, ai: i0 + i++, bi: j0 + j });
    else ops.push({ t: '+', s: y[j0 + j]!, ai: i0 + i, bi: j0 + j++ });
  }
}
