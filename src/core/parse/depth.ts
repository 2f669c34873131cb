/**
 * Nesting depth of a JSON / JSON5 / JSONC text, measured in one linear pass without parsing (so without recursion):
 * `{` and `[` outside strings and comments open a level, `}` and `]` close one. Tolerant of broken text (a stray
 * closer never makes the depth negative), so it can run before any parser.
 *
 * Why it matters (measured with DS's own libraries on Node 20.20.2):
 * - JSON.parse and JSON5 (1.0.2, 2.2.3) parse iteratively: a million levels parse fine;
 * - node-config then walks the value recursively (`util.resolveDeferredConfigs` → `_iterate`,
 *   node-config@v3.3.12:lib/config.js:748-765, 3b92726:lib/config.js:665-680 for 2.0.1) and throws
 *   "Maximum call stack size exceeded" at about 2,170 levels (config 3.3.12) / 2,300 levels (config 2.0.1), so DS does
 *   not start;
 * - ds-harden's own walkers (position tree, merge, redaction, rules, planner) are recursive too, so it evaluates a file
 *   only up to {@link MAX_EVAL_DEPTH} levels and reports deeper files instead of overflowing its stack.
 */

/** Deepest nesting ds-harden evaluates. DS's own configuration files nest 6 levels; 256 is far beyond any real one. */
export const MAX_EVAL_DEPTH = 256;

/**
 * From this depth on, DS's configuration loader fails at start-up (stack overflow in node-config's recursive walk).
 * A round figure below the measured 2,170 (config 3.3.12) and 2,300 (config 2.0.1) on Node 20: DS bundles its own
 * Node.js build, whose stack frames may be larger.
 */
export const DS_LOADER_DEPTH_LIMIT = 2000;

/** What matters to {@link nestingDepth}: a bracket, a quote, or a slash (a comment may start there). */
const DEPTH_TOKEN = /["'{}[\]/]/g;
/** A string's body after its opening quote: up to its closing quote or a line break; an escape skips one character. */
const DQ_BODY = /(?:[^"\\\n]|\\[\s\S])*/y;
const SQ_BODY = /(?:[^'\\\n]|\\[\s\S])*/y;

/**
 * The deepest nesting in `text` (0 for a scalar document). Stops counting at `stopAt` (returns a value ≥ `stopAt`)
 * when given. Strings may use " or ' (JSON5); an unclosed string ends at the end of its line, as JSON5 ends it.
 *
 * The regular expressions find the next bracket, quote or slash and the end of each string natively: a loop over every
 * character costs about 15 M instructions for DS's 16 kB default.json in V8's interpreter, this about 3 M
 * (scripts/BENCH-NOTES.md). test/core/on-demand.test.ts checks it against the per-character loop.
 */
export function nestingDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; ; ) {
    DEPTH_TOKEN.lastIndex = i;
    if (!DEPTH_TOKEN.test(text)) return max;
    const at = DEPTH_TOKEN.lastIndex - 1;
    const c = text.charCodeAt(at);
    i = at + 1;
    if (c === 0x22 || c === 0x27) {
      const body = c === 0x22 ? DQ_BODY : SQ_BODY;
      body.lastIndex = i;
      body.test(text);
      // past the closing quote or the line break (past the end for an unclosed string)
      i = body.lastIndex + 1;
    } else if (c === 0x2f) {
      const next = text.charCodeAt(i);
      if (next === 0x2f) {
        const end = text.indexOf('\n', i + 1);
        i = end < 0 ? n : end + 1;
      } else if (next === 0x2a) {
        const end = text.indexOf('*/', i + 1);
        i = end < 0 ? n : end + 2;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max >= stopAt) return max;
      }
    } else if (depth > 0) {
      depth--;
    }
  }
}

/**
 * Depth of a parsed value, iteratively (objects and arrays count one level each). Stops at `stopAt` when given.
 * For values that did not come from a text (e.g. $NODE_CONFIG after JSON.parse).
 */
export function valueDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) {
      max = d;
      if (max >= stopAt) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}
