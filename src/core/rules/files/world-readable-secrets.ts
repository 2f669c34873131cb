/**
 * DSH400: an administrator-written configuration file that holds secrets is readable by every user (ds-facts §1.5:
 * the deb postinst creates local.json as root with umask 022 → 0644, then chowns it ds:ds; the exact mode on real
 * systems is UNCONFIRMED, which is why ds-harden looks at the real stat).
 *
 * Files considered: local*, hostname files, /etc runtime.json and Data/runtime.json — the layers an administrator or the
 * Admin Panel writes. default.json and production-linux.json only hold the public upstream defaults. `hostname` files
 * are included (decision): they are written by hand like local.json and loaded the same way.
 * Only the keys the file itself sets count, not inherited ones. Opaque layers (local.js, yaml) cannot be evaluated.
 */
import type { LayerKind } from '../../types.js';
import type { Rule, RuleHit } from '../rule.js';
import { fileStart } from '../../layers/merge.js';
import { MANAGED_MODE_FIX, ownership, PROTECT_FILE_FIX, PROTECT_FILE_FIX_ROOT, secretKeysIn } from './support.js';

const KINDS: ReadonlySet<LayerKind> = new Set<LayerKind>(['local', 'local-env', 'hostname', 'runtime-legacy', 'runtime-data']);

export const worldReadableSecrets: Rule = {
  id: 'DSH400',
  area: 'files',
  severity: 'high',
  title: 'local.json is readable by every user although it holds secrets',
  why:
    'local.json (and the other files an administrator writes) holds the JWT secrets, the secure-link key and database ' +
    'passwords. With the "other" read bit set, any local account or compromised service on the host can read them and, ' +
    'with the JWT secret, sign requests and editor configurations as the integrator. Package installs can leave ' +
    'local.json at 0644.',
  remediation:
    `${PROTECT_FILE_FIX}. Keep the {user} group able to read it, or DS will not start (DSH401).`,
  remedies: {
    docker: 'chmod 640 {file} inside the container (the entrypoint chowns /etc/onlyoffice to ds:ds at every start and keeps the mode; it is lost when the container is re-created), or keep secrets out of local.json: they belong in the container environment (JWT_SECRET), and a mounted local-production-linux.json should hold none.',
    snap: `${PROTECT_FILE_FIX_ROOT}.`,
    yunohost: 'chown {app}:{app} {file} && chmod 400 {file} (what the app\'s install and upgrade scripts do).',
    'config-management': MANAGED_MODE_FIX,
  },
  reads: [],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const layer of ctx.layers) {
      if (!KINDS.has(layer.kind) || !layer.stat) continue;
      if ((layer.stat.mode & 0o004) === 0) continue;
      const keys = secretKeysIn(layer);
      if (keys.length === 0) continue;
      hits.push({
        message:
          `${layer.file} is readable by every user on the host (${ownership(layer.stat, ctx.host)}) ` +
          `and sets ${keys.length === 1 ? 'a secret' : 'secrets'}: ${keys.join(', ')}.`,
        location: fileStart(layer.file),
      });
    }
    return hits;
  },
};
