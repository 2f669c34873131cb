import type { Rule } from '../rule.js';
import { STOCK, K } from '../../ds/keys.js';
import { getPath, locate } from '../../layers/merge.js';

export const editedDefault: Rule = {
  id: 'DSH112',
  area: 'layers',
  severity: 'medium',
  title: 'Hardening lives in default.json and is lost on upgrade',
  why:
    'default.json belongs to the package: an upgrade (or re-creating the Docker container) restores it, and a ' +
    'kept, hand-edited copy can break start-up after an upgrade. Only local.json survives.',
  remediation: 'Move these settings into local.json (ds-harden apply does this) and restore the stock default.json.',
  remedies: { docker: 'Put the JWT settings in the container environment (JWT_*) and the others in a mounted local-production-linux.json; default.json is replaced with the image, and a mounted one goes stale (DSH905).', nixos: null, snap: 'Put the setting in local.json (or snap set for the JWT keys); default.json in $SNAP_DATA is replaced at every snap refresh.', yunohost: 'Put the setting where the app keeps it (yunohost app setting / the config panel) — default.json comes from the .deb and is replaced at every app upgrade.', 'config-management': 'Move the setting into the variable {tool} renders {managedFile} from, and restore the stock default.json.' },
  reads: Object.keys(STOCK),
  check(ctx) {
    const def = ctx.layers.find((l) => l.kind === 'default' && l.status === 'loaded');
    if (!def) return [];
    return Object.entries(STOCK).flatMap(([key, stock]) => {
      const v = getPath(def.value, key);
      if (v === undefined || JSON.stringify(v) === JSON.stringify(stock)) return [];
      if (key === K.secretBrowser && v === undefined) return [];
      return [
        {
          message: `${key} was changed in default.json; the next package upgrade puts the stock value back.`,
          location: locate(def, key) ?? { file: def.file, line: 1, column: 1 },
          key,
        },
      ];
    });
  },
};
