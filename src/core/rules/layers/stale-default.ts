/**
 * DSH120: default.json does not belong to the DS version that is installed — it lacks keys that version's default.json
 * has, or its keys are another release's (its fingerprint). DocService and FileConverter read their settings with
 * config.get at module load; a key missing from every layer stops them with 'Configuration property "…" is not defined'
 * (ds-facts §5.4; field reports: YunoHost-Apps/onlyoffice_ynh#137 "externalRequest.directIfIn", DocumentServer#2082,
 * #3131, after an upgrade that kept an old, edited default.json as a dpkg conffile, ds-facts §1.5). Key sets per release
 * are generated from the upstream files (ds/release-data.ts); a release stands for its minor line.
 */
import type { Rule } from '../rule.js';
import { compareWithRelease, releaseIndex, releaseName } from '../../ds/releases.js';
import { compareVersions, fingerprintDefault, formatVersion } from '../../ds/versions.js';
import { fileStart, locate } from '../../layers/merge.js';

const SOURCES = new Set(['dpkg', 'image']);

export const staleDefault: Rule = {
  id: 'DSH120',
  area: 'layers',
  severity: 'critical',
  title: 'default.json is not the one of the installed DS version',
  why:
    'Every release ships its own default.json, and DS reads its settings with config.get at start-up: a default.json kept from an ' +
    'older release (an edited conffile dpkg did not replace, --force-confold, a copy mounted into the container) lacks the keys ' +
    'the new code reads, and DocService stops with "Configuration property … is not defined" — or starts with another ' +
    'release\'s defaults.',
  remediation:
    'Restore the package\'s default.json (deb: apt-get install --reinstall -o Dpkg::Options::=--force-confnew onlyoffice-documentserver; ' +
    'rpm: move default.json.rpmnew over it, or dnf reinstall) and keep site settings in local.json; then {restart}.',
  remedies: {
    docker: 'Remove the default.json mount from {containerDef} so the image\'s own is used, and {recreate}.',
    yunohost: 'yunohost app upgrade {app} --force: it unpacks default.json from the .deb again.',
    snap: 'snap refresh onlyoffice-ds (or snap revert onlyoffice-ds) restores the snap\'s default.json.',
    nixos: 'The module copies default.json from the package into {configDir} at every start: {restart} (or nixos-rebuild switch) restores it — an ExecStartPre of yours that patches it must keep every key.',
  },
  reads: [],
  check(ctx) {
    const v = ctx.version;
    if (!v.exact || !SOURCES.has(v.source)) return [];
    const def = ctx.layers.find((l) => l.kind === 'default' && l.status === 'loaded');
    if (!def) return [];
    const i = releaseIndex(v.min);
    const diff = compareWithRelease(def.value, v.min);
    if (i === undefined || !diff) return [];
    const fp = fingerprintDefault(def.value);
    const inRange = !fp || (compareVersions(fp.min, v.min) <= 0 && compareVersions(v.min, fp.max) <= 0);
    if (diff.missing.length === 0 && inRange) return [];
    const installed = `${formatVersion(v.min)} (${v.source === 'dpkg' ? 'the installed package' : 'the image tag'})`;
    const looks = fp && !inRange ? ` It looks like the default.json of ${fp.label.replace(/ \(.*\)$/, '')}.` : '';
    const first = diff.missing[0];
    const at = first ? locate(def, first.split('.').slice(0, -1).join('.')) : undefined;
    return [
      {
        message: diff.missing.length
          ? `DS ${installed} reads ${diff.missing.join(', ')}, which ${def.file} lacks (the default.json of ${releaseName(i)} has ${diff.missing.length === 1 ? 'it' : 'them'}): ` +
            `DocService stops at start-up with "Configuration property "${first}" is not defined" (or runs with the old defaults where the code tolerates it).${looks}`
          : `${def.file} is not the default.json of DS ${installed}: it holds ${diff.extra.slice(0, 5).join(', ')}${diff.extra.length > 5 ? ', …' : ''}, which ${releaseName(i)}'s does not.${looks} DS runs with another release's defaults.`,
        location: at && at.file === def.file ? at : fileStart(def.file),
      },
    ];
  },
};
