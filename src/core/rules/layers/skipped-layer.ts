import type { Rule } from '../rule.js';
import { layerStart } from '../../layers/merge.js';

export const skippedLayer: Rule = {
  id: 'DSH104',
  area: 'layers',
  severity: 'medium',
  title: 'A configuration file is ignored by DS',
  why:
    'DS ≤ 8.3 skips an empty file, and every version ignores a file whose top level is [] or null. Settings you ' +
    'believe are active there do nothing.',
  remediation: 'Put a JSON object ({ … }) in the file, or delete it.',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'skipped' && l.kind !== 'runtime-data' && l.kind !== 'node-config-env')
      .map((l) => ({
        message: `${l.file} is ignored: ${l.notes.join('; ')}.`,
        location: layerStart(l),
        severity: l.kind === 'local' ? ('medium' as const) : ('low' as const),
      }));
  },
};
