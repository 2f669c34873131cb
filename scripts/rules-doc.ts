/** Renders docs/rules.md from the rule registry (run: npm run docs:rules). */
import type { Rule } from '../src/core/rules/rule.js';
import { genericRemedy } from '../src/core/deploy/remedy.js';

export function renderRulesDoc(rules: readonly Rule[], retired: Readonly<Record<string, string>> = {}): string {
  const lines = [
    '# ds-harden rules',
    '',
    'Generated from `src/core/rules/index.ts` by `npm run docs:rules`; do not edit by hand.',
    'Rule IDs are stable: a retired ID is never reused.',
    '',
    '| id | severity | area | title |',
    '| --- | --- | --- | --- |',
    ...rules.map((r) => `| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${r.area} | ${r.title} |`),
    '',
    ...(Object.keys(retired).length ? ['Retired IDs: ' + Object.entries(retired).map(([id, why]) => `${id} (${why})`).join('; ') + '.', ''] : []),
  ];
  for (const r of rules) {
    lines.push(`## ${r.id}`, '', `**${r.title}** — default severity: ${r.severity}; area: ${r.area}.`, '', r.why, '', `**Fix:** ${genericRemedy(r.remediation, undefined)}`, '');
    if (r.reads.length) lines.push(`Reads: ${r.reads.map((k) => `\`${k}\``).join(', ')}`, '');
  }
  return lines.join('\n');
}
