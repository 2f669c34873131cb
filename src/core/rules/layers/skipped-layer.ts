import type { Rule } from '../rule.js';
import { layerStart } from '../../layers/merge.js';

export const skippedLayer: Rule = {
  id: 'DSH104',
  area: 'layers',
  severity: 'medium',
  title: 'A configuration file is ignored by DS',
  why:
    'DS ≤ 8.3 skips an empty file, and every version ignores a file whose top level is [] or null, or whose name is a ' +
    'symbolic link to a file that does not exist (node-config skips a file it cannot find, without a log line). ' +
    'Settings you believe are active there do nothing.',
  remediation:
    'Put a JSON object ({ … }) in the file, or delete it. For a symbolic link to nothing: point it at the file that ' +
    'holds your settings (ln -sfn TARGET LINK), restore that file, or replace the link with a regular file.',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'skipped' && l.kind !== 'runtime-data' && l.kind !== 'node-config-env')
      .map((l) => ({
        // a dangling link's note already names the file and its target (load.ts danglingLinkText)
        message: l.danglingLink
          ? `${l.notes.join('; ')}: DS skips it as a missing file, so the settings meant for ${l.file} are not used.`
          : `${l.file} is ignored: ${l.notes.join('; ')}.`,
        location: layerStart(l),
        severity: l.kind === 'local' ? ('medium' as const) : ('low' as const),
      }));
  },
};
