import type { Rule, RuleHit } from '../rule.js';
import { layerStart } from '../../layers/merge.js';

export const extraSources: Rule = {
  id: 'DSH113',
  area: 'layers',
  severity: 'low',
  title: 'Other configuration sources are present',
  why:
    'Host-name files (<hostname>.json) load before local.json, and custom-environment-variables.* maps environment ' +
    'variables onto keys. Both change the effective configuration in ways that are easy to forget.',
  remediation: 'Keep all site settings in local.json; remove files that are leftovers from another host.',
  remedies: {
    docker: 'Keep the JWT settings in the container environment and the other settings in one mounted local-production-linux.json; remove leftover files.',
    'config-management': 'Keep the site settings in the file {tool} renders ({managedFile}); remove leftover files.',
    nixos: 'The module regenerates {configDir} at every start, so this file comes from something you added there: keep the settings in the module\'s options or an ExecStartPre that patches default.json, and remove what writes the file.',
    yunohost: 'Keep the site settings in the app\'s settings (yunohost app setting {app} …) and, for keys it has no setting for, in {configDir}/local.json (again after each yunohost app upgrade); remove leftover files.',
  },
  reads: [],
  check(ctx) {
    const hits: RuleHit[] = ctx.layers
      .filter((l) => l.kind === 'hostname')
      .map((l) => ({
        message: `${l.file} is a host-name layer: DS loads it before local.json on this host.`,
        location: layerStart(l),
      }));
    return hits;
  },
};
