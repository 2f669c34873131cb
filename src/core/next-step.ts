/**
 * The "next step" check prints: the `ds-harden apply … --dry-run` command that previews fixing what apply can fix, built
 * from the effective configuration so that running it as printed changes only what the findings are about. Pure.
 *
 * - Only findings apply can fix (Rule.fixedByApply), at medium or above, decided by a file apply edits (local.json; a
 *   value from default.json/production-linux.json is fixed by writing local.json). None, or a configuration DS cannot
 *   load (a start-up blocker: apply refuses to edit it) → no command.
 * - `--allow`: only when an ipfilter finding is among them. The addresses the effective rules already allow (the
 *   integrators), in rule order, as apply would write them (normalizeRuleAddress: CIDR → glob, IPv6 → normalized form);
 *   loopback and "*" are left out (apply adds loopback itself), so are addresses apply would refuse (a range, a host name
 *   under useforrequest). None left → the placeholder `<integrator IP>` and `complete: false`.
 * - `--generate-secret` and `--header`: only when a JWT or secret finding is among them. The header is the one DS uses
 *   for inbox tokens (what integrators send), so Nextcloud's `jwt_header` keeps working: an `AuthorizationJwt` install
 *   (Nextcloud AIO, nextcloud/vm, several Ansible roles) gets `--header AuthorizationJwt`, not the default.
 * - The options check ran with that decide which configuration is read (`--root`, `--config-dir`, `--ds-version`,
 *   `--hostname`, `--supervisor-conf`) are carried over; `sudo` is printed only for the live host (root "/").
 */
import { shellQuote } from './text/shell.js';
import type { Finding } from './types.js';
import { severityRank } from './types.js';
import type { RuleMeta } from './report.js';
import { K } from './ds/keys.js';
import { analyzeAddress, normalizeRuleAddress } from './ds/ipfilter.js';

/** The options of `check` that select the configuration; apply needs the same to read the same files. */
export interface CarriedOptions {
  /** --root as an absolute path; "/" (or absent) for the live host. */
  readonly root?: string;
  readonly configDir?: string;
  readonly dsVersion?: string;
  readonly hostname?: string;
  /** --supervisor-conf: the supervisord.conf whose program definitions (NODE_CONFIG_DIR, …) were read. */
  readonly supervisorConf?: string;
  /** --compose / --compose-service / --docker-inspect / --container: the container definition that was read. */
  readonly compose?: string;
  readonly composeService?: string;
  readonly dockerInspect?: string;
  readonly container?: string;
}

export interface NextStep {
  /** Rule IDs the command fixes, in first-seen order. */
  readonly fixes: readonly string[];
  /** One shell command line (POSIX quoting). */
  readonly command: string;
  /** False when the command holds a placeholder the user must fill in. */
  readonly complete: boolean;
  /**
   * Keys the command would write that a layer loaded after local.json decides (Data/runtime.json, NODE_CONFIG,
   * local-production-linux.json …): apply would refuse, so the command is not offered until they are removed there.
   */
  readonly blockedBy?: readonly { readonly key: string; readonly file: string }[];
}

export interface NextStepInput {
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleMeta[];
  /** The effective value at a dotted key. */
  readonly get: (key: string) => unknown;
  readonly options: CarriedOptions;
  /**
   * The files apply writes on this install (deploy/detect.ts): a Docker Compose deployment's compose file, env files and
   * mounted local-production-linux.json are in reach as well; undefined = local.json only.
   */
  readonly alsoInReach?: (file: string) => boolean;
  /** The file of the layer that decides the value at a dotted key (the last setter), when one does. */
  readonly originFile?: (key: string) => string | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', '0:0:0:0:0:0:0:1']);

/** A word for a POSIX shell: bare when it is safe, else single-quoted. */

/** Files apply writes or whose value it overrides by writing local.json. */
function inReach(file: string | undefined): boolean {
  return !file || /\/(local|default|production-linux)\.json$/.test(file);
}

/** The integrator addresses the effective rules allow, as apply would write them. */
export function allowedAddresses(rules: unknown, useforrequest: boolean): string[] {
  if (!Array.isArray(rules)) return [];
  const out: string[] = [];
  for (const r of rules as unknown[]) {
    if (r === null || typeof r !== 'object') continue;
    const { address, allowed } = r as { address?: unknown; allowed?: unknown };
    if (allowed !== true || typeof address !== 'string' || /^\*+$/.test(address.trim())) continue;
    let normalized: string;
    try {
      normalized = normalizeRuleAddress(address);
    } catch {
      continue; // a range, a /12: apply refuses it, the user has to choose
    }
    if (LOOPBACK.has(normalized) || out.includes(normalized)) continue;
    if (useforrequest && analyzeAddress(normalized).some((i) => i.kind === 'hostname')) continue;
    out.push(normalized);
  }
  return out;
}

/** The next-step command for these findings, or undefined when apply has nothing to fix (or cannot edit the files). */
export function nextStep(input: NextStepInput): NextStep | undefined {
  const { findings, rules, get, options } = input;
  const reach = (file: string | undefined) => inReach(file) || (file !== undefined && input.alsoInReach?.(file) === true);
  if (findings.some((f) => f.blocksStartup)) return undefined;
  const meta = new Map<string, RuleMeta>(rules.map((r) => [r.id, r]));
  const fixes: string[] = [];
  for (const f of findings) {
    const r = meta.get(f.ruleId);
    if (!r?.fixedByApply || !reach(f.location?.file) || severityRank(f.severity) < severityRank('medium')) continue;
    if (!fixes.includes(f.ruleId)) fixes.push(f.ruleId);
  }
  if (fixes.length === 0) return undefined;
  const areas = new Set(fixes.map((id) => meta.get(id)!.area));

  const args: string[] = ['ds-harden', 'apply'];
  let complete = true;
  if (areas.has('ipfilter')) {
    const allow = allowedAddresses(get(K.ipRules), Boolean(get(K.ipUseForRequest)));
    if (allow.length === 0) {
      args.push('--allow', '<integrator IP>');
      complete = false;
    } else for (const a of allow) args.push('--allow', shellQuote(a));
  }
  if (areas.has('jwt') || areas.has('secrets') || areas.has('deployment')) {
    args.push('--generate-secret');
    const header = get(K.inboxHeader);
    if (typeof header === 'string' && header !== '') args.push('--header', shellQuote(header));
  }
  // the keys the command writes (plan.ts desiredValues): each must be decided by a file apply edits, or apply refuses
  const writes = [
    ...(areas.has('ipfilter') ? [K.ipRules] : []),
    ...(areas.has('jwt') || areas.has('secrets') || areas.has('deployment')
      ? [K.enableBrowser, K.enableInbox, K.enableOutbox, K.secretInbox, K.secretOutbox, K.secretSession, K.inboxHeader, K.outboxHeader]
      : []),
  ];
  const blockedBy = writes.flatMap((key) => {
    const file = input.originFile?.(key);
    return file !== undefined && !reach(file) ? [{ key, file }] : [];
  });
  args.push('--dry-run');
  const root = options.root && options.root !== '/' ? options.root : undefined;
  if (root) args.push('--root', shellQuote(root));
  if (options.configDir) args.push('--config-dir', shellQuote(options.configDir));
  if (options.dsVersion) args.push('--ds-version', shellQuote(options.dsVersion));
  if (options.hostname) args.push('--hostname', shellQuote(options.hostname));
  if (options.supervisorConf) args.push('--supervisor-conf', shellQuote(options.supervisorConf));
  if (options.compose) args.push('--compose', shellQuote(options.compose));
  if (options.composeService) args.push('--compose-service', shellQuote(options.composeService));
  if (options.dockerInspect) args.push('--docker-inspect', shellQuote(options.dockerInspect));
  if (options.container) args.push('--container', shellQuote(options.container));
  return { fixes, command: (root ? '' : 'sudo ') + args.join(' '), complete, ...(blockedBy.length ? { blockedBy } : {}) };
}
