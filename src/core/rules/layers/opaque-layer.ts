/**
 * DSH111: DS loads a layer ds-harden cannot evaluate — local.js (executed as code) or another parser's format, a file
 * larger than ds-harden reads (adapters/bounded-read.ts) or nested deeper than it evaluates (parse/depth.ts) — or a
 * service definition it cannot read (its NODE_CONFIG / NODE_CONFIG_DIR stay unknown).
 *
 * The fix depends on what the layer is (the rule's `remediation` is the catalogue's summary): an admin file in another
 * format is converted into local.json; local.json itself that is too big or too deep is rewritten flat (never "moved into
 * local.json"); a shipped file (default.json, production-linux.json) is restored as DSH120 says; NODE_CONFIG leaves the
 * service definition; the Admin Panel's runtime.json is reset there — each in the words of the install.
 */
import type { Layer } from '../../types.js';
import type { Rule } from '../rule.js';
import { layerStart } from '../../layers/merge.js';
import type { Deployment } from '../../deploy/types.js';
import { remedyFor } from '../../deploy/remedy.js';
import { staleDefault } from './stale-default.js';

/** After a change of files: re-create the container (Docker), else restart DS's services. */
const restartOf = (dep: Deployment | undefined) => (dep?.mechanism === 'docker' ? '{recreate}' : '{restart}');

/** Settings of an admin file that must end up in the install's own place for them (local.json, the container's mount, …). */
function intoLocalJson(dep: Deployment | undefined, source: string): string {
  switch (dep?.mechanism) {
    case 'docker':
      return `Put what ${source} sets into a mounted local-production-linux.json, as JSON (the JWT settings belong in the container environment), and remove {file}; then {recreate}.`;
    case 'nixos':
      return (
        'The module regenerates {configDir} at every start, so {file} comes from something you added there (an ExecStartPre, a tmpfiles rule): ' +
        'make that patch default.json with jq instead (ds-harden apply prints such lines for the JWT and ipfilter keys), then nixos-rebuild switch.'
      );
    case 'yunohost':
      return (
        `Put what ${source} sets into {configDir}/local.json (mode 0400, owner {app}) and delete {file}, then {restart}; every yunohost app upgrade ` +
        're-renders local.json and drops those settings, so make them again after each upgrade.'
      );
    case 'config-management':
      return `Put what ${source} sets into the variable {tool} renders {managedFile} from, delete {file}, and run {tool} again.`;
    default:
      return `Put what ${source} sets into {configDir}/local.json as JSON (merged with what local.json already sets) and delete {file}; then {restart}.`;
  }
}

/** local.json itself is too big or too deep: rewritten flat, in the install's words. */
function rewriteLocalJson(dep: Deployment | undefined): string {
  switch (dep?.mechanism) {
    case 'docker':
      return (
        '{recreate}: the container gets a fresh local.json, which the entrypoint fills from the container environment — keep the JWT settings there and ' +
        'the others in a mounted local-production-linux.json (a flat JSON object of the settings you change).'
      );
    case 'yunohost':
      return 'yunohost app upgrade {app} --force re-renders {file} from the app\'s template and settings; then set again, flat, the keys the app has no setting for.';
    case 'config-management':
      return '{tool} renders {file}: make the variable it renders it from a flat object of the settings you change, and run {tool} again.';
    case 'nixos':
      return intoLocalJson(dep, 'it');
    default:
      return (
        'Rewrite {file} as a flat JSON object of only the settings you change (DS\'s own default.json is a few KB and nests 6 levels): restore your ' +
        'backup (ds-harden history lists the ones apply made) and make your changes again; then {restart}.'
      );
  }
}

/** The fix for one opaque layer. */
function fixFor(layer: Layer, dep: Deployment | undefined): string {
  switch (layer.kind) {
    case 'default':
    case 'env':
    case 'image-stock':
      // a shipped file that big or that deep is not the package's
      return `{file} is not the file the package ships. ${remedyFor(staleDefault, dep) ?? staleDefault.remediation}`;
    case 'node-config-env':
      // the layer's "file" is the variable in a service definition, not a path: the texts name no {file}
      if (dep?.mechanism === 'docker') return 'Remove NODE_CONFIG from {containerDef} and put what it sets into a mounted local-production-linux.json; then {recreate}.';
      if (dep?.mechanism === 'nixos') return 'Remove NODE_CONFIG from the unit\'s environment in configuration.nix and patch default.json with jq in an ExecStartPre instead; then nixos-rebuild switch.';
      return 'Remove NODE_CONFIG from the service definition named above and put what it sets into {configDir}/local.json; then {restart}.';
    case 'runtime-data':
      return `The Admin Panel writes {file}: move it away while DS is stopped and make those settings again in the Admin Panel (it writes a new one); then ${restartOf(dep)}.`;
    case 'local':
      if (/\/local\.json$/.test(layer.file)) return rewriteLocalJson(dep);
      return intoLocalJson(dep, '{file}');
    case 'local-env':
      // in a container, the mounted local-production-linux.json is the place for these settings: rewritten, not moved
      if (dep?.mechanism === 'docker' && layer.format === 'json') return 'Rewrite {file} as a flat JSON object of only the settings you change; then {recreate}.';
      return intoLocalJson(dep, '{file}');
    default:
      return intoLocalJson(dep, '{file}');
  }
}

export const opaqueLayer: Rule = {
  id: 'DSH111',
  area: 'layers',
  severity: 'high',
  title: 'DS loads a configuration file ds-harden cannot evaluate',
  why:
    'node-config also loads local.js (executed as code), .ts, .yaml, .toml … files with the same base names. ' +
    'They can override any key, and their effect cannot be verified statically.',
  remediation:
    'Another format (local.js, .yaml …): put its settings into local.json and delete the file. local.json itself too big or too deep: rewrite it as a ' +
    'flat JSON object of the settings you change. A service definition: make it readable.',
  remedies: { docker: 'Put the settings of the file into a mounted local-production-linux.json, as JSON (the JWT settings belong in the container environment), and remove the file; then {recreate}.' },
  reads: [],
  check(ctx) {
    const dep = ctx.host.deployment;
    const layers = ctx.layers
      .filter((l) => l.status === 'opaque')
      .map((l) => ({ message: `${l.file}: ${l.notes.join('; ')}.`, location: layerStart(l), remediation: fixFor(l, dep) }));
    // a service definition ds-harden could not read may set NODE_CONFIG / NODE_CONFIG_DIR for DocService
    const defs = (ctx.readErrors ?? []).map((e) => ({
      message: `${e.message}. It is a service definition: the environment it gives DocService (NODE_CONFIG, NODE_CONFIG_DIR) is unknown to ds-harden.`,
      location: { file: e.file, line: 1, column: 1 },
      remediation: 'Make {file} a regular file its service manager can read (or remove it, if it is a leftover), then run check again.',
    }));
    return [...layers, ...defs];
  },
};
