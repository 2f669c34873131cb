/**
 * DSH403: a copy of a configuration file in the config dir — `local.json.original`, an Ansible backup
 * (`local.json.<pid>.<date>@<time>~`), `.bak`, `.orig`, `.dpkg-old`, `.dpkg-dist`, `.rpmsave`, a vim swap file, … (see
 * core/layers/copies.ts) — holds secrets and is readable by every user. DS does not read it, so DSH400's fix on local.json
 * leaves these secrets exposed (deploy-modes.md §7: the webarch-coop role keeps local.json.original and Ansible backups,
 * both 0644).
 *
 * Secrets are found like DSH400 finds them (support.ts SECRET_PATHS) in a copy that parses as JSON5 (the most lenient
 * parser DS uses); a copy that does not parse (a swap file, a truncated backup) is scanned for secret-holding member names
 * with non-empty values. Copies of upstream files (default.json.dpkg-dist, …) count only values that differ from the
 * shipped default.json, which are public. Values never reach the message, only key names.
 */
import type { Rule, RuleContext, RuleHit } from '../rule.js';
import { fileStart, getPath, isPlainObject } from '../../layers/merge.js';
import { isShippedName } from '../../layers/copies.js';
import { parseAsDs } from '../../parse/ds-parse.js';
import { shippedDefaults } from '../layers/common.js';
import { ownership, PROTECT_FILE_FIX, PROTECT_FILE_FIX_ROOT, secretKeysOf, secretLeavesInText } from './support.js';

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The public values default.json ships at its secret-holding keys ("secret", "verysecretstring", …). */
function publicValues(def: Record<string, unknown> | undefined): Set<string> {
  const out = new Set<string>();
  for (const k of def ? secretKeysOf(def) : []) {
    const v = getPath(def, k);
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.add(x);
  }
  return out;
}

function secretsIn(text: string, shipped: boolean, ctx: RuleContext): string[] {
  const def = shippedDefaults(ctx);
  const parsed = parseAsDs(text, 'config3', 'json5');
  if (parsed.status === 'loaded' && isPlainObject(parsed.value)) {
    const value = parsed.value;
    const keys = secretKeysOf(value);
    return shipped ? keys.filter((k) => !sameValue(getPath(value, k), def ? getPath(def, k) : undefined)) : keys;
  }
  return secretLeavesInText(text, shipped ? publicValues(def) : new Set());
}

const COPY_TAIL =
  'or delete the copy if you no longer need it (DS does not read it; close the editor before deleting a swap file). Rotate the secrets if the copy has been readable for long.';

export const worldReadableCopies: Rule = {
  id: 'DSH403',
  area: 'files',
  severity: 'high',
  title: 'A copy of a configuration file holds secrets and is readable by every user',
  why:
    'Backups next to local.json (local.json.original, Ansible backups local.json.<pid>.<date>@<time>~, .bak, .orig, ' +
    '.dpkg-old, .dpkg-dist, .rpmsave, editor swap files) hold the same JWT secret and database password. DS never reads ' +
    'them, so tightening local.json (DSH400) leaves them readable by any local account or compromised service.',
  remediation:
    `${PROTECT_FILE_FIX}, as for local.json (DSH400) — ${COPY_TAIL}`,
  remedies: {
    snap: `${PROTECT_FILE_FIX_ROOT} — ${COPY_TAIL}`,
    yunohost: `chown {app}:{app} {file} && chmod 400 {file}, as the app keeps local.json — ${COPY_TAIL}`,
  },
  reads: [],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const copy of ctx.host.configCopies ?? []) {
      if (!copy.stat || copy.text === undefined || (copy.stat.mode & 0o004) === 0) continue;
      const name = copy.file.slice(copy.file.lastIndexOf('/') + 1);
      const keys = secretsIn(copy.text, isShippedName(copy.of ?? name), ctx);
      if (keys.length === 0) continue;
      hits.push({
        message:
          `${copy.file} is ${copy.label}${copy.of ? ` of ${copy.of}` : ''}, readable by every user on the host ` +
          `(${ownership(copy.stat, ctx.host)}), and holds ${keys.length === 1 ? 'a secret' : 'secrets'}: ${keys.join(', ')}. ` +
          `DS does not read it, so protecting ${copy.of ?? 'local.json'} alone leaves these secrets exposed.`,
        location: fileStart(copy.file),
      });
    }
    return hits;
  },
};
