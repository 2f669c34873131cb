import type { Rule } from '../rule.js';

export const commentFallback: Rule = {
  id: 'DSH103',
  area: 'parse',
  severity: 'high',
  title: 'Comments in a .json file rely on a parser fallback (DS ≤ 8.3)',
  why:
    'DS ≤ 8.3 parses .json files with JSON.parse and retries with JSON5 only when the error text starts with ' +
    '"Unexpected token /". Node.js ≤ 18 words it that way; Node.js 20 does not, so the same file crashes DS builds ' +
    'that bundle a newer Node.',
  remediation: 'Remove the comments (keep notes in a separate README next to the file).',
  reads: [],
  check(ctx) {
    return ctx.layers.flatMap((l) =>
      l.notes
        .filter((n) => n.startsWith('comment at '))
        .map((n) => {
          const [line, column] = (/comment at (\d+):(\d+)/.exec(n)?.slice(1) ?? ['1', '1']).map(Number);
          return { message: `${l.file}: ${n}.`, location: { file: l.file, line: line!, column: column! } };
        }),
    );
  },
};
