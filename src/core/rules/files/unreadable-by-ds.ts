/**
 * DSH401: the user DS runs as (ds; onlyoffice before 5.3) cannot read a configuration file it loads.
 *
 * node-config only ignores ENOENT; any other read error aborts start-up ("Config file … cannot be read. Error code
 * is: EACCES", ds-facts §1.3). Observed under supervisor: "ERROR (spawn error)", BACKOFF, FATAL about 9 s later
 * (ds-observed §3c); systemd restarts the unit every 30 s forever (ds-facts §5.4).
 *
 * Data/runtime.json (9.x) is different: DS catches the read error, logs it and runs without the file. At start-up
 * (9.1+) `requireConfigWithRuntime` wraps the read in try/catch and only logs "Failed to load runtime config" for codes
 * other than ENOENT (ONLYOFFICE/server Common/sources/moduleReloader.js, ds-facts §1.1 cites
 * `server@v9.3.0.140:Common/sources/moduleReloader.js:72-105`); per request, runtimeConfigManager logs
 * "getConfigFromFile error" and ignores the file (observed for a broken file, ds-observed §3g; for EACCES it is the
 * same catch, not tested live). So that file is reported at high severity: its settings silently do not apply.
 *
 * Layers ds-harden itself could not read (status 'unreadable'):
 * - a permission error while the service user's permissions allow reading → ds-harden's own problem, not reported;
 * - a permission error with no service user or stat → high: ds-harden cannot tell what ds sees;
 * - any other error (EISDIR, EIO, …) → DS fails the same way → critical.
 * DSH101 (layers) also reports every unreadable layer, without the service user's view.
 */
import type { FileStat, Layer } from '../../types.js';
import type { Rule, RuleContext, RuleHit } from '../rule.js';
import { canRead } from '../../ds/accounts.js';
import { fileStart } from '../../layers/merge.js';
import { ownership } from './support.js';
import { remedyFor } from '../../deploy/remedy.js';
import type { Deployment } from '../../deploy/types.js';

const STARTUP =
  'DS aborts at start-up when a configuration file cannot be read, so at the next restart DocService and FileConverter ' +
  'will not start: under supervisor "restart" prints "ERROR (spawn error)" and the program ends FATAL ("Exited too quickly"); ' +
  'under systemd the unit restarts every 30 s forever. The error ("Config file … cannot be read") is in err.log / the journal.';

const RUNTIME =
  'DS logs the error ("Failed to load runtime config" at start-up, "getConfigFromFile error" per request) and runs without ' +
  'this file, so the settings saved there (Admin Panel) silently do not apply.';

function consequence(layer: Layer): string {
  return layer.kind === 'runtime-data' ? RUNTIME : STARTUP;
}

function graded(layer: Layer, severity: 'critical' | 'high'): 'critical' | 'high' {
  return layer.kind === 'runtime-data' ? 'high' : severity;
}

function userText(ctx: RuleContext): string {
  const u = ctx.host.serviceUser!;
  return `${u.name} (uid ${u.uid}, groups ${u.groups.join(',')})`;
}

/** The permission fix (the rule's text for local.json installs; `remedies` speak the other installs). */
const READ_FIX =
  'Give the service user read access and keep others out: chown root:{user} {file} && chmod 640 {file} (or chown {user}:{user} {file}). ' +
  'Check with: runuser -u {user} -- test -r {file} && echo ok. Then {restart}.';

/**
 * The fix when the path is not a regular file or fails whatever the permissions (a directory, a FIFO, an I/O error):
 * no chown helps — the file has to be replaced (local.json: by the admin's settings, e.g. a backup) or removed.
 */
function replaceFix(layer: Layer, dep: Deployment | undefined): string {
  const what =
    layer.kind === 'local' && /\/local\.json$/.test(layer.file)
      ? 'Replace {file} with a regular file holding your settings as a JSON object (restore your backup; ds-harden history lists the ones apply made) or remove it'
      : 'Replace {file} with a regular file holding a JSON object, or remove it';
  return `${what} — DS skips a missing file, not an unreadable one. Then ${dep?.mechanism === 'docker' ? '{recreate}' : '{restart}'}.`;
}

function cannotRead(ctx: RuleContext, layer: Layer, stat: FileStat): RuleHit {
  return {
    message: `The service user ${userText(ctx)} cannot read ${layer.file}: ${ownership(stat, ctx.host)}. ${consequence(layer)}`,
    severity: graded(layer, 'critical'),
    location: fileStart(layer.file),
  };
}

export const unreadableByDs: Rule = {
  id: 'DSH401',
  area: 'files',
  severity: 'critical',
  title: 'DS cannot read a configuration file',
  why:
    'DS services run as the ds user (onlyoffice before 5.3). node-config skips only missing files: a file that exists but ' +
    'cannot be read stops DocService and FileConverter at start-up.',
  remediation: READ_FIX,
  remedies: {
    docker:
      'Give the container\'s ds user read access to {file}: a mounted file with mode 0644 when it holds no secret, or owned by the uid of ds in the image ' +
      '(the entrypoint chowns /etc/onlyoffice to ds at every start); then {recreate}.',
    snap: 'The snap runs DocService as root; the file is unreadable for another reason (see the message). Fix it, then {restart}.',
    nixos: 'Give the {user} user read access to {file} (the module runs DocService as User = "onlyoffice"), then nixos-rebuild switch or {restart}.',
    yunohost: 'Give the app user read access: chown {app}:{app} {file} && chmod 400 {file} (as the app\'s install script does), then {restart}.',
  },
  reads: [],
  check(ctx) {
    const user = ctx.host.serviceUser;
    const hits: RuleHit[] = [];
    for (const layer of ctx.layers) {
      const stat = layer.stat;
      if (layer.status === 'unreadable') {
        const code = layer.error?.cause ?? 'error';
        const permission = code === 'EACCES' || code === 'EPERM';
        if (user && stat) {
          if (!canRead(stat, user)) hits.push(cannotRead(ctx, layer, stat));
          else if (!permission) {
            hits.push({
              message: `${layer.notes[0] ?? `${layer.file} cannot be read (${code})`}, whatever the permissions. ${consequence(layer)}`,
              severity: graded(layer, 'critical'),
              location: fileStart(layer.file),
              remediation: replaceFix(layer, ctx.host.deployment),
            });
          }
          // a permission error although ds may read it: only ds-harden lacks access (run it as root).
        } else if (permission) {
          hits.push({
            message:
              `ds-harden could not read ${layer.file} (${code})${stat ? ` — ${ownership(stat, ctx.host)}` : ''} and does not know ` +
              `the service user, so it cannot tell whether DS can. If DS cannot either: ${consequence(layer)}`,
            severity: 'high',
            location: fileStart(layer.file),
            remediation: `Run check as root (sudo ds-harden check …) to see what DS sees. If the service user cannot read {file} either: ${remedyFor(unreadableByDs, ctx.host.deployment) ?? READ_FIX}`,
          });
        } else {
          // the adapter's sentence says what the file is (a FIFO, a directory, …) and what to do
          hits.push({
            message: `${layer.notes[0] ?? `${layer.file} cannot be read (${code})`}. ${consequence(layer)}`,
            severity: graded(layer, 'critical'),
            location: fileStart(layer.file),
            remediation: replaceFix(layer, ctx.host.deployment),
          });
        }
        continue;
      }
      if (user && stat && !canRead(stat, user)) hits.push(cannotRead(ctx, layer, stat));
    }
    // critical = a start-up layer DS cannot read: the services will not start
    return hits.map((h) => (h.severity === 'critical' ? { ...h, blocksStartup: true as const } : h));
  },
};
