import type { Rule } from '../rule.js';

export const unreadable: Rule = {
  id: 'DSH101',
  area: 'parse',
  severity: 'critical',
  title: 'A configuration file exists but cannot be read',
  why:
    'node-config only skips missing files; any other read error (EACCES, EISDIR, …) aborts start-up with ' +
    '"Config file … cannot be read".',
  remediation: 'Make the file a readable regular file (for DS: owner root or ds, group ds, mode 0640).',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'unreadable')
      .map((l) => ({
        message: `${l.file} cannot be read (${l.error?.cause ?? 'error'}): ${l.notes.join('; ')}`,
        location: { file: l.file, line: 1, column: 1 },
      }));
  },
};
