import type { Rule } from '../rule.js';
import { layerStart } from '../../layers/merge.js';

export const opaqueLayer: Rule = {
  id: 'DSH111',
  area: 'layers',
  severity: 'high',
  title: 'DS loads a configuration file ds-harden cannot evaluate',
  why:
    'node-config also loads local.js (executed as code), .ts, .yaml, .toml … files with the same base names. ' +
    'They can override any key, and their effect cannot be verified statically.',
  remediation: 'Convert the file to local.json (or fold its settings into local.json) and delete it.',
  remedies: { docker: 'Convert the file to JSON in a mounted local-production-linux.json (the JWT settings belong in the container environment) and remove it; then {recreate}.' },
  reads: [],
  check(ctx) {
    const layers = ctx.layers
      .filter((l) => l.status === 'opaque')
      .map((l) => ({ message: `${l.file}: ${l.notes.join('; ')}.`, location: layerStart(l) }));
    // a service definition ds-harden could not read may set NODE_CONFIG / NODE_CONFIG_DIR for DocService
    const defs = (ctx.readErrors ?? []).map((e) => ({
      message: `${e.message}. It is a service definition: the environment it gives DocService (NODE_CONFIG, NODE_CONFIG_DIR) is unknown to ds-harden.`,
      location: { file: e.file, line: 1, column: 1 },
    }));
    return [...layers, ...defs];
  },
};
