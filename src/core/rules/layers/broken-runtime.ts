import type { Rule } from '../rule.js';
import { layerStart } from '../../layers/merge.js';

export const brokenRuntime: Rule = {
  id: 'DSH105',
  area: 'layers',
  severity: 'medium',
  title: 'The Admin Panel runtime.json or NODE_CONFIG is broken and ignored',
  why:
    'DS 9.x logs "getConfigFromFile error" and ignores a runtime.json it cannot parse; node-config ignores a ' +
    'malformed $NODE_CONFIG. Whatever the Admin Panel or the service definition meant to set is not in effect.',
  remediation: 'Fix or remove the file (or the NODE_CONFIG variable); re-save the settings in the Admin Panel.',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'skipped' && (l.kind === 'runtime-data' || l.kind === 'node-config-env'))
      .map((l) => ({
        message: `${l.file}: ${l.error ? `${l.error.cause} at ${l.error.line}:${l.error.column}; ` : ''}${l.notes.join('; ')}.`,
        location: l.error ? { file: l.file, line: l.error.line, column: l.error.column } : layerStart(l),
      }));
  },
};
