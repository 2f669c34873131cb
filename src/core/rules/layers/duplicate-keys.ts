import type { Rule } from '../rule.js';
import { isManaged } from '../../ds/keys.js';
import { displayPath } from '../../redact.js';

export const duplicateKeys: Rule = {
  id: 'DSH102',
  area: 'parse',
  severity: 'medium',
  title: 'A key is written twice in the same object',
  why:
    'JSON.parse and JSON5 keep only the last occurrence, so everything in the first block is silently ignored — ' +
    'a typical result of pasting a forum snippet below an existing "secret" or "token" block.',
  remediation: 'Merge the two blocks into one (keep the values you want) and delete the other.',
  reads: [],
  check(ctx) {
    return ctx.layers.flatMap((l) =>
      l.status === 'loaded'
        ? l.duplicates.map((d) => {
            const key = d.path.join('.');
            const shown = displayPath(key);
            return {
              message: `"${shown.split('.').pop()}" appears at line ${d.first.line} and again at line ${d.last.line} of ${l.file}; DS ignores the first one (${shown}).`,
              location: d.first,
              key: shown,
              severity: isManaged(key) || ['services', 'services.CoAuthoring'].includes(key) ? ('high' as const) : ('medium' as const),
            };
          })
        : [],
    );
  },
};
