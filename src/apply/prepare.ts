/**
 * prepare: desired state → a plan with everything decided before a byte is written — the new local.json, the
 * refusals, the findings the change introduces and resolves, the owner/mode the file gets, the ipfilter simulation.
 * Every front end (flags, policy file, wizard, rotate-secret) goes through here; nothing here writes.
 */
import type { Finding } from '../core/types.js';
import type { LoadedConfig, ReadonlyHost } from '../core/layers/load.js';
import type { HostFacts, Rule } from '../core/rules/rule.js';
import { planApply, type DesiredState, type Plan, type Refusal } from '../core/plan/plan.js';
import { validateCandidate, type PlannedStat } from '../core/plan/validate.js';
import { evaluateIpFilter } from '../core/ds/ipfilter.js';
import { canRead } from '../core/ds/accounts.js';
import { isSecretPath } from '../core/redact.js';
import { simulateRules, simulationTargets, type SimTarget, type SimulationRow } from '../core/plan/simulation.js';
import { deploymentNotes } from '../core/ds/deployment.js';
import { useforrequestWarning } from '../core/ds/reach.js';
import { getPath } from '../core/layers/merge.js';
import { CO, K } from '../core/ds/keys.js';

export interface PrepareInput {
  readonly host: ReadonlyHost;
  readonly loaded: LoadedConfig;
  readonly facts: HostFacts;
  readonly rules: readonly Rule[];
  readonly desired: DesiredState;
  readonly normalize: boolean;
  /** The storage host as DS's outgoing check sees it (name + the address it resolves to), when given. */
  readonly storage?: SimTarget;
  readonly testAddresses: readonly string[];
  /** A reverse proxy in front overwrites X-Forwarded-For (--behind-proxy). */
  readonly behindProxy: boolean;
}

export interface Prepared {
  readonly plan: Plan;
  /** Everything that stops the change (empty = it may go ahead). */
  readonly refusals: readonly Refusal[];
  /** Things the user should know (deployment caveats, --normalize, permission repair). */
  readonly notes: readonly string[];
  /** Findings the change introduces (any severity; critical ones are also refusals) and resolves. */
  readonly introduced: readonly Finding[];
  readonly resolved: readonly Finding[];
  /** Owner and mode the written file gets; undefined = keep the existing file's. */
  readonly writeStat?: PlannedStat;
  /** Owner and mode a rollback gives the restored file instead of the original's (the original could not be read by DS). */
  readonly restoreStat?: PlannedStat;
  readonly simulation: readonly SimulationRow[];
}

/**
 * Owner and mode for the written local.json:
 * - a new file gets root:<service group> 0640;
 * - an existing one keeps its own, unless the DS service user cannot read it — then DS would fail at its next restart
 *   whatever we write (ds-observed §3c: "cannot be read. Error code is: EACCES"), so the write repairs it (group read for
 *   the service group) and a rollback keeps the readable mode (`restoreStat`);
 * - or unless every user can read it and the change writes a secret into it (DSH400): the write drops the access of
 *   others (and gives the service group read when the owner is not the service user), so the new secret is never
 *   world-readable; a rollback restores the old mode with the old bytes.
 */
export function plannedStat(loaded: LoadedConfig, plan: Plan, facts: HostFacts): { stat?: PlannedStat; restoreStat?: PlannedStat; note?: string } {
  const user = facts.serviceUser;
  const layer = loaded.layers.find((l) => l.file === plan.target);
  const cur = layer?.stat;
  if (!plan.exists || !cur) {
    return user ? { stat: { uid: 0, gid: user.gid, mode: 0o640 } } : { stat: { uid: 0, gid: 0, mode: 0o640 } };
  }
  const fmt = (s: { uid: number; gid: number; mode: number }) => `uid ${s.uid}, gid ${s.gid}, mode ${(s.mode & 0o7777).toString(8).padStart(4, '0')}`;
  if (!user) return {};
  const readableFor = (mode: number) => (cur.uid === user.uid ? { uid: cur.uid, gid: cur.gid, mode: mode | 0o400 } : { uid: cur.uid, gid: user.gid, mode: (mode | 0o040) & 0o7777 });
  if (!canRead(cur, user)) {
    const stat = readableFor(cur.mode);
    return {
      stat,
      restoreStat: stat,
      note:
        `${plan.target} is not readable by the DS service user ${user.name} (${fmt(cur)}): DS would fail at its next restart. ` +
        `The new file gets ${fmt(stat)} so DS can read it; a rollback restores the old bytes with this readable owner and mode.`,
    };
  }
  const writesSecret = plan.changes.some((c) => isSecretPath(c.key));
  if (writesSecret && (cur.mode & 0o007) !== 0) {
    const stat = readableFor(cur.mode & ~0o007);
    return {
      stat,
      note:
        `${plan.target} can be read by every user (${fmt(cur)}) and now gets the JWT secret: it is written with ${fmt(stat)} ` +
        `(DS's user ${user.name} can read it, others cannot — DSH400). A rollback restores the old mode with the old bytes.`,
    };
  }
  return {};
}

/**
 * Layers other than the target that would stop DS at its next restart (unparseable, unreadable, or not readable by
 * the service user). Restarting into them would take DS down whatever we change, so apply refuses.
 */
export function startupBlockers(loaded: LoadedConfig, target: string, facts: HostFacts): Refusal[] {
  const out: Refusal[] = [];
  for (const l of loaded.layers) {
    if (l.file === target || !l.atStartup) continue;
    if (l.status === 'parse-error' || l.status === 'unreadable') {
      out.push({
        code: 'not-restartable',
        message: `DS could not restart even without this change: ${l.file} ${l.status === 'parse-error' ? `does not parse (${l.error?.cause ?? 'syntax error'} at ${l.error?.line}:${l.error?.column})` : 'cannot be read'}. Fix it first (ds-harden check shows where).`,
        location: { file: l.file, line: l.error?.line ?? 1, column: l.error?.column ?? 1 },
      });
    } else if (facts.serviceUser && l.stat && l.kind !== 'node-config-env' && !canRead(l.stat, facts.serviceUser)) {
      out.push({
        code: 'not-restartable',
        message: `DS could not restart even without this change: the service user ${facts.serviceUser.name} cannot read ${l.file}. Make it readable (e.g. chgrp ${facts.serviceUser.name} and chmod g+r), then re-run.`,
        location: { file: l.file, line: 1, column: 1 },
      });
    }
  }
  return out;
}

/** Plan and validate the change. Pure but for reads through `host` (re-loading the candidate as DS would). */
export async function prepareApply(input: PrepareInput): Promise<Prepared> {
  const { loaded, facts, desired } = input;
  const plan = planApply(loaded, desired, { normalize: input.normalize });
  const refusals: Refusal[] = [...plan.refusals];
  const notes: string[] = [...plan.notes];
  const { stat, restoreStat, note } = plan.changes.length ? plannedStat(loaded, plan, facts) : {};
  if (note) notes.push(note);
  let introduced: readonly Finding[] = [];
  let resolved: readonly Finding[] = [];
  if (plan.refusals.length === 0 && plan.changes.length > 0) {
    refusals.push(...startupBlockers(loaded, plan.target, facts));
    const v = await validateCandidate(input.host, loaded, plan, input.rules, facts, stat);
    refusals.push(...v.refusals);
    introduced = v.introduced;
    resolved = v.resolved;
  }
  const storage = input.storage;
  if (storage && plan.rules) {
    const v = evaluateIpFilter(plan.rules, { ...(storage.ip ? { ip: storage.ip } : {}), ...(storage.hostname ? { hostname: storage.hostname } : {}) });
    if (v.decision !== 'allowed') {
      refusals.push({
        code: 'storage-blocked',
        message:
          `the new ipfilter rules would refuse DS's callbacks and downloads to the storage host ${storage.hostname ?? storage.ip}${storage.ip && storage.hostname ? ` (${storage.ip})` : ''}: ` +
          `Nextcloud could open documents but not save them. Add --allow ${storage.ip ?? storage.hostname}.`,
      });
    }
  }
  notes.push(...deploymentNotes(facts, plan.changes.map((c) => c.key)));
  const after = (k: string) => (plan.changes.find((c) => c.key === k)?.to ?? getPath(loaded.effective.value, k));
  const useforrequest = after(K.ipUseForRequest);
  if (useforrequest && plan.changes.some((c) => c.key.startsWith(`${CO}.ipfilter`))) {
    const allow = (plan.rules ?? []).filter((r) => r.allowed && !['127.0.0.1', '0:0:0:0:0:0:0:1'].includes(r.address)).map((r) => `--allow ${r.address}`);
    const warning = useforrequestWarning(input.behindProxy, ['ds-harden proxy --type haproxy|nginx|apache', ...allow].join(' '));
    if (warning) notes.push(warning);
  }
  const settings = { useforrequest, errorcode: after(K.ipErrorCode), xffOverwritingProxy: input.behindProxy };
  const simulation = plan.rules ? simulateRules(plan.rules, simulationTargets(plan.rules, storage, input.testAddresses), settings) : [];

  return { plan, refusals, notes, introduced, resolved, ...(stat ? { writeStat: stat } : {}), ...(restoreStat ? { restoreStat } : {}), simulation };
}
