/**
 * DSH402: a configuration file DS loads is writable by its group or by every user.
 * Whoever can write it can switch JWT or ipfilter off at the next restart (Data/runtime.json: at once, ds-observed §3g),
 * or, for local.js, run code as the DS user (node-config executes it, ds-facts §1.1).
 * Severity (decision): medium for group write, high when every user can write.
 * The stat is the target's when the path is a symlink (adapters/host-fs.ts follows links).
 */
import type { Rule, RuleHit } from '../rule.js';
import { fileStart } from '../../layers/merge.js';
import { MANAGED_MODE_FIX, modeText, ownership, PROTECT_FILE_FIX, PROTECT_FILE_FIX_ROOT } from './support.js';
import type { Deployment } from '../../deploy/types.js';

/** local.json holds the secrets: others lose write and read, DS's account keeps read (as the install keeps it). */
function protectLocalJson(dep: Deployment | undefined): string {
  if (dep?.mechanism === 'snap') return `${PROTECT_FILE_FIX_ROOT}.`;
  if (dep?.mechanism === 'config-management') return MANAGED_MODE_FIX;
  if (dep?.mechanism === 'yunohost') return 'chown {app}:{app} {file} && chmod 400 {file} (what the app\'s install and upgrade scripts do).';
  return `${PROTECT_FILE_FIX}.`;
}

export const writableByOthers: Rule = {
  id: 'DSH402',
  area: 'files',
  severity: 'medium',
  title: 'A configuration file is writable by users other than its owner',
  why:
    'DS trusts its configuration files completely. A user who can write one can turn JWT or ipfilter off, point storage ' +
    'elsewhere, or, with a local.js, run code as the DS user. Only the owner (root or ds) should be able to write them.',
  remediation: 'chmod go-w {file} (local.json, which holds secrets: chown root:{user} {file} && chmod 640 {file}).',
  reads: [],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const layer of ctx.layers) {
      const stat = layer.stat;
      if (!stat || (stat.mode & 0o022) === 0) continue;
      const world = (stat.mode & 0o002) !== 0;
      const who = world ? 'every user on the host' : `members of its group (gid ${stat.gid})`;
      const effect =
        layer.format === 'js'
          ? 'DS executes this file, so a writer can run code as the DS user.'
          : layer.kind === 'runtime-data'
            ? 'DS applies changes to this file without a restart.'
            : 'Changes take effect at the next restart.';
      hits.push({
        message:
          `${layer.file} is writable by ${who} (mode ${modeText(stat.mode)}; ${ownership(stat, ctx.host)}` +
          `${stat.isSymlink ? '; a symlink, these are the target\'s permissions' : ''}). ${effect}`,
        severity: world ? 'high' : 'medium',
        location: fileStart(layer.file),
        remediation: layer.kind === 'local' && layer.format === 'json' ? protectLocalJson(ctx.host.deployment) : 'chmod go-w {file}.',
      });
    }
    return hits;
  },
};
