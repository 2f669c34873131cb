/**
 * The fix, in the words of the install it is printed for: for each key, the mechanism that install really keeps it in
 * (deploy-modes.md §2.9, §4–§7, §10). Used by evaluate() for every finding's fix text (from Rule.fix) and by apply for
 * the exact change it prints when it cannot write that mechanism itself. Pure.
 *
 * - Docker: the variables the entrypoint reads (entrypoint.ts) in the container's environment, everything else in a
 *   local-production-linux.json bind-mounted read-only (DS loads it after local.json; the entrypoint never writes it —
 *   Docker-DocumentServer PR #802's workaround, deploy-modes §2.6), then re-create the container.
 * - snap: `snap set onlyoffice-ds onlyoffice.<key>=…` for what the snap's hooks own (ONLYOFFICE/snap-documentserver@1b3786b
 *   README, snap/hooks/configure, documentserver-start.sh), local.json (one key per line) for the rest.
 * - NixOS: `services.onlyoffice.jwtSecretFile` (the module's prestart then turns JWT on and sets the three secrets in
 *   default.json, nixos/modules/services/web-apps/onlyoffice.nix), an extra ExecStartPre that patches
 *   /run/onlyoffice/config/default.json with jq for the rest; then nixos-rebuild switch.
 * - YunoHost: the app settings jwt_secret / secure_link_secret and `yunohost app upgrade --force` (re-renders local.json
 *   from conf/local.json), the config panel for rejectUnauthorized (config_panel.toml main.integration.reject_unauthorized);
 *   no setting for the rest (lost at the next upgrade: YunoHost-Apps/onlyoffice_ynh@75f2fe84 scripts/_common.sh).
 * - configuration management: the variable the playbook renders the file from.
 */
import { variableFor } from './entrypoint.js';
import { APPLY_KEYS } from '../ds/keys.js';
import { INTEGRATOR_SECRET_NOTE } from '../integrator/nextcloud.js';
import { isAio, type Deployment, type Mechanism } from './types.js';

const CO = 'services.CoAuthoring';
export const LPL_TARGET = '/etc/onlyoffice/documentserver/local-production-linux.json';

/** One key of a change: its value in words (check) or the exact value (apply). */
export interface KeyChange {
  readonly key: string;
  /** Words ("true", "one random secret of 32+ letters and digits") when `exact` is absent. */
  readonly words: string;
  /** The exact value (apply). */
  readonly exact?: { readonly value: unknown };
  /** How a secret value is shown in printed commands ("$(cat /root/jwt)", "••••(40 chars)"). */
  readonly shown?: string;
}

const short = (k: string) => k.replace(/^services\.CoAuthoring\./, '');
/** Words that start with the value itself (`true`, `403`, `"Bearer " (or unset)`): that value, else undefined. */
const LITERAL = /^(true|false|-?\d+|"[^"]*")(?=$|\s+\()/;
const literalOf = (words: string) => LITERAL.exec(words)?.[1];
/** A value in a printed change: the exact value, words that are a value as written, or <words> for the user to fill. */
const show = (c: KeyChange) => c.shown ?? (c.exact ? JSON.stringify(c.exact.value) : literalOf(c.words) !== undefined ? c.words : `<${c.words}>`);
/** The same for a variable or option value (no JSON quotes): `true`, `AuthorizationJwt`, or <words>. */
const bare = (c: KeyChange) => c.shown ?? (c.exact ? String(c.exact.value) : (literalOf(c.words)?.replace(/^"(.*)"$/, '$1') ?? `<${c.words}>`));
const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** Where the container's definition lives, in words, and how to re-create it. */
function dockerWhere(dep: Deployment): { where: string; recreate: string } {
  const c = dep.container;
  if (c?.compose) {
    return {
      where: `the environment of service ${c.compose.service} in ${c.compose.files[0]}`,
      recreate: `docker compose up -d ${c.compose.service} (it re-creates the container; docker restart keeps the old environment)`,
    };
  }
  if (isAio(dep)) {
    return {
      where: 'Nextcloud All-in-One\'s definition of this container (the mastercontainer sets JWT_SECRET from ONLYOFFICE_SECRET in its configuration.json; AIO accepts no other variables or mounts for it)',
      recreate: 'restart the containers from the AIO interface (it re-creates them)',
    };
  }
  return {
    where: dep.kind === 'docker-image' ? 'the container\'s definition on the Docker host (its compose file, or docker run -e)' : 'the container\'s definition (its compose file, or docker run -e/-v)',
    recreate: 're-create the container (docker compose up -d SERVICE, or docker rm and docker run again); docker restart keeps the old environment',
  };
}

/** The value of a Docker variable for a key change. */
function dockerVariable(c: KeyChange): { name: string; value: string } | { name: string; remove: string } | undefined {
  const name = variableFor(c.key);
  if (!name) return undefined;
  const v = c.exact?.value;
  if (name === 'USE_UNAUTHORIZED_STORAGE') return v === true || c.words === 'true' ? { name, remove: 'it can only switch verification off' } : { name, value: 'true' };
  if (name === 'ALLOW_PRIVATE_IP_ADDRESS' || name === 'ALLOW_META_IP_ADDRESS') return v === false || c.words === 'false' ? { name, remove: 'it can only switch the filter off' } : { name, value: 'true' };
  return { name, value: bare(c) };
}

function lplJson(changes: readonly KeyChange[]): string {
  return changes.map((c) => `${c.key} = ${show(c)}`).join('; ');
}

/**
 * Nextcloud All-in-One: the mastercontainer creates the DS container with JWT_ENABLED, JWT_HEADER and JWT_SECRET (from
 * ONLYOFFICE_SECRET in its configuration.json) and nothing else — no other variable, no mount (nextcloud/all-in-one
 * php/containers.json; deploy-modes §3), so only the secret has a place there.
 */
function aioText(changes: readonly KeyChange[]): string {
  const secret = changes.some((c) => variableFor(c.key) === 'JWT_SECRET');
  const rest = changes.filter((c) => !['JWT_SECRET', 'JWT_ENABLED', 'JWT_HEADER'].includes(variableFor(c.key) ?? ''));
  const parts: string[] = [];
  if (secret) parts.push("Nextcloud All-in-One sets JWT_SECRET from ONLYOFFICE_SECRET in the mastercontainer's configuration.json: change it there, then restart the containers from the AIO interface (AIO gives Nextcloud the same secret).");
  if (rest.length) {
    parts.push(
      `Nextcloud All-in-One takes no other variables or mounts for this container, so ${list(rest.map((c) => short(c.key)))} ${rest.length > 1 ? 'have' : 'has'} no supported place: ` +
        'a change inside the container is lost whenever AIO re-creates it. Restrict access in front of it instead (a reverse proxy; ds-harden proxy).',
    );
  }
  if (!parts.length) parts.push('Nextcloud All-in-One sets JWT_ENABLED=true and JWT_HEADER=AuthorizationJwt itself; restart the containers from the AIO interface to restore them.');
  return parts.join(' ');
}

function dockerText(dep: Deployment, changes: readonly KeyChange[]): string {
  if (isAio(dep)) return aioText(changes);
  const { where, recreate } = dockerWhere(dep);
  const vars = new Map<string, string>();
  const removes = new Map<string, string>();
  const file: KeyChange[] = [];
  for (const c of changes) {
    const v = dockerVariable(c);
    if (!v) file.push(c);
    else if ('remove' in v) {
      removes.set(v.name, v.remove);
      file.push(c); // the mounted file also undoes an earlier write of the running container's local.json
    } else if (!vars.has(v.name)) vars.set(v.name, v.value); // one variable writes several keys (JWT_HEADER: inbox and outbox); the first key's words say it
  }
  const parts: string[] = [];
  if (vars.size) {
    parts.push(
      `Set ${list([...vars].map(([n, v]) => `${n}=${v}`))} in ${where} — map syntax (KEY: value) or an unquoted list item (- KEY=value); ` +
        'quotes inside a list item stay part of the value, and a secret must hold only letters and digits (the entrypoint pastes it into a JavaScript string).',
    );
  }
  for (const [n, why] of removes) parts.push(`Remove ${n} from ${where} (${why}).`);
  if (file.length) {
    parts.push(
      `Put ${lplJson(file)} in a local-production-linux.json and mount it read-only at ${LPL_TARGET}: DS loads it after local.json and the entrypoint never rewrites it ` +
        '(a hand edit of local.json inside the container is lost when the container is re-created).',
    );
  }
  parts.push(`Then ${recreate}.`);
  if (dep.kind === 'compose' && changes.every((c) => APPLY_KEYS.includes(c.key))) parts.push('ds-harden apply (--allow, --generate-secret, --header) makes this change in the compose file (--dry-run shows it).');
  return parts.join(' ');
}

/** snap set keys (ONLYOFFICE/snap-documentserver@1b3786b README "onlyoffice.<key>"; use-unautorized-storage is spelt so). */
function snapKey(c: KeyChange): string | undefined {
  if (/\.token\.enable\./.test(c.key)) return 'onlyoffice.jwt-enabled';
  if (/\.secret\.(inbox|outbox|session)\.string$/.test(c.key)) return 'onlyoffice.jwt-secret';
  if (/\.token\.(inbox|outbox)\.header$/.test(c.key)) return 'onlyoffice.jwt-header';
  if (c.key === `${CO}.requestDefaults.rejectUnauthorized`) return 'onlyoffice.use-unautorized-storage';
  if (c.key === 'wopi.enable') return 'onlyoffice.wopi';
  return undefined;
}

function snapValue(c: KeyChange, key: string): string {
  if (key === 'onlyoffice.use-unautorized-storage') return c.exact ? String(c.exact.value !== true) : c.words === 'true' ? 'false' : `<the opposite of ${c.words}>`;
  return bare(c);
}

function snapText(dep: Deployment, changes: readonly KeyChange[]): string {
  const sets = new Map<string, string>();
  const file: KeyChange[] = [];
  for (const c of changes) {
    const k = snapKey(c);
    if (!k) file.push(c);
    else if (!sets.has(k)) sets.set(k, snapValue(c, k)); // one option writes several keys; the first key's words say it
  }
  const parts: string[] = [];
  if (sets.size) {
    parts.push(
      `Run: snap set onlyoffice-ds ${[...sets].map(([k, v]) => `${k}=${v}`).join(' ')} (the snap's configure hook writes local.json; it rewrites a JWT key only when the option changes, so a hand edit of local.json is undone by the next change — and a secret must be letters and digits only).`,
    );
  }
  if (file.length) {
    parts.push(`Set ${lplJson(file)} in ${dep.configDir.value}/local.json (keep it pretty-printed, one key per line: the snap's hooks edit it line by line); it survives snap refresh.`);
  }
  parts.push('Then: snap restart onlyoffice-ds.documentserver.');
  return parts.join(' ');
}

function nixText(_dep: Deployment, changes: readonly KeyChange[]): string {
  const jwt = changes.filter((c) => /\.token\.enable\.|\.secret\.(inbox|outbox|session)\.string$/.test(c.key));
  const other = changes.filter((c) => !jwt.includes(c));
  const parts: string[] = [];
  if (jwt.length) {
    parts.push(
      'In configuration.nix set services.onlyoffice.jwtSecretFile = "/run/keys/onlyoffice-jwt"; (a file readable by the onlyoffice user holding only the secret: letters and digits, ' +
        'no quote or backslash) — the module\'s prestart then turns token.enable.* on and writes the secret into secret.inbox, outbox and session of /run/onlyoffice/config/default.json at every start.',
    );
  }
  if (other.length) {
    parts.push(
      `The module has no option for ${list(other.map((c) => short(c.key)))}: add an ExecStartPre to systemd.services.onlyoffice-docservice (after the module's, e.g. with lib.mkAfter) ` +
        `that sets ${lplJson(other)} in /run/onlyoffice/config/default.json with jq — that directory is regenerated at every start, so a hand edit is lost` +
        `${other.every((c) => APPLY_KEYS.includes(c.key)) ? ' (ds-harden apply prints the exact Nix lines)' : ''}.`,
    );
  }
  parts.push('Then: nixos-rebuild switch.');
  return parts.join(' ');
}

/** The app's DocService and FileConverter units (Deployment.restart from their definitions, else the app's unit names). */
export function ynhRestart(dep: Deployment): string {
  const app = dep.app ?? 'onlyoffice';
  return dep.restart ?? `systemctl restart ${app}-docservice ${app}-converter`;
}

function ynhText(dep: Deployment, changes: readonly KeyChange[]): string {
  const app = dep.app ?? 'onlyoffice';
  const settings: string[] = [];
  const panel: string[] = [];
  const rerender: string[] = [];
  const none: KeyChange[] = [];
  for (const c of changes) {
    if (/\.secret\.(inbox|outbox|session|browser)\.string$/.test(c.key)) settings.push(`yunohost app setting ${app} jwt_secret -v ${c.shown ?? (c.exact ? String(c.exact.value) : `<${c.words}>`)}`);
    else if (c.key === 'storage.fs.secretString') settings.push(`yunohost app setting ${app} secure_link_secret -v ${show(c)}`);
    else if (c.key === `${CO}.requestDefaults.rejectUnauthorized`) panel.push(`yunohost app config set ${app} main.integration.reject_unauthorized -v ${c.exact ? (c.exact.value === false ? 'no' : 'yes') : 'yes'}`);
    else if (/\.token\.enable\./.test(c.key)) rerender.push(short(c.key));
    else none.push(c);
  }
  const parts: string[] = [];
  const uniq = [...new Set(settings)];
  if (uniq.length) parts.push(`Run ${uniq.join(' and ')}, then yunohost app upgrade ${app} --force (it re-renders local.json from the app's settings).`);
  if (rerender.length) parts.push(`The app's template turns ${list(rerender)} on: yunohost app upgrade ${app} --force restores it.`);
  if (panel.length) parts.push(`Run ${panel.join(' and ')} (the app's config panel).`);
  if (none.length) {
    parts.push(
      `The app has no setting for ${list(none.map((c) => short(c.key)))}: set ${lplJson(none)} in ${dep.configDir.value}/local.json (mode 0400, owner ${app}) and ${ynhRestart(dep)}; ` +
        `every yunohost app upgrade re-renders local.json and drops it, so apply it again after each upgrade.`,
    );
  }
  return parts.join(' ');
}

function managedText(dep: Deployment, changes: readonly KeyChange[]): string {
  const m = dep.managedBy!;
  return (
    `${m.tool} manages ${m.file} (${m.evidence}): a direct edit is reverted on its next run. Change the variable your playbook renders it from ` +
    `(ONLYOFFICE's role: onlyoffice_local_json, written to local-production-linux.json; webarch-coop's role: onlyoffice_local) with ${lplJson(changes)}, and run it again.`
  );
}

/** The change for these keys in the words of `dep`'s mechanism (not for local-json installs: their texts are the rules' own). */
export function changeText(dep: Deployment, changes: readonly KeyChange[]): string {
  switch (dep.mechanism) {
    case 'docker':
      return dockerText(dep, changes);
    case 'snap':
      return snapText(dep, changes);
    case 'nixos':
      return nixText(dep, changes);
    case 'yunohost':
      return ynhText(dep, changes);
    case 'config-management':
      return managedText(dep, changes);
    default:
      return changes.map((c) => `${c.key} = ${show(c)}`).join('; ') + ` in ${dep.configDir.value}/local.json`;
  }
}

/** How DS's services are restarted where no definition says otherwise: the deb/rpm packages' units. */
const PACKAGE_RESTART = 'restart ds-docservice and ds-converter';

/**
 * Placeholders of Rule.remediation, Rule.remedies and RuleHit.remediation: {user} (the account DS runs as), {restart}
 * (Deployment.restart, else the packages' units), {configDir}, {app}, {managedFile}, {tool}, {recreate}, {containerDef}
 * (where the container is defined), {service}, {composeFile}; without a deployment the packages' values (user ds).
 * `finding` fills what only a finding knows ({file}: its file; RuleHit.fill). A placeholder nobody fills stays as it is.
 */
export function fillRemedy(text: string, dep: Deployment | undefined, finding: Readonly<Record<string, string>> = {}): string {
  const c = dep?.container;
  const vars: Record<string, string> = {
    user: dep?.serviceUser.value ?? 'ds',
    // a container seen from the host: re-created, not restarted (its environment is read at creation)
    restart: dep?.restart ?? (dep?.mechanism === 'docker' ? (c?.compose ? `docker compose up -d ${c.compose.service}` : isAio(dep) ? 'restart the containers from the AIO interface' : 're-create the container') : PACKAGE_RESTART),
    ...(dep
      ? {
          service: c?.compose?.service ?? c?.containerName ?? 'the DS container',
          composeFile: c?.compose?.files[0] ?? 'the compose file',
          containerDef: c?.compose ? `${c.compose.files[0]} (service ${c.compose.service})` : dockerWhere(dep).where,
          app: dep.app ?? 'onlyoffice',
          configDir: dep.configDir.value,
          managedFile: dep.managedBy?.file ?? `${dep.configDir.value}/local.json`,
          tool: dep.managedBy?.tool ?? 'configuration management',
          recreate: c?.compose ? `docker compose up -d ${c.compose.service}` : isAio(dep) ? 'restart the containers from the AIO interface (it re-creates them)' : 're-create the container',
          imageUpdate: c?.compose
            ? `set the image tag in ${c.compose.files[0]} (service ${c.compose.service}) and docker compose up -d ${c.compose.service}`
            : isAio(dep)
              ? 'update Nextcloud All-in-One from its interface (its mastercontainer pins the DS image)'
              : "set the image tag in the container's definition and re-create the container",
        }
      : {}),
    ...finding,
  };
  return text.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

/**
 * A fix text where no finding is at hand (the catalogue, the report's rule list): what only a finding knows is shown as
 * a placeholder (<file>, <version>).
 */
export function genericRemedy(text: string, dep: Deployment | undefined): string {
  return fillRemedy(text, dep, FINDING_PLACEHOLDERS);
}

/** What only a finding knows (RuleHit.fill, its file), as shown where no finding is at hand. */
const FINDING_PLACEHOLDERS: Readonly<Record<string, string>> = { file: '<file>', version: '<version>', allow: '--allow <integrator IP>' };

/** A rule's fix text for this install; null when the rule does not apply to it (Rule.remedies[mechanism] === null). */
export function remedyFor(
  rule: { readonly remediation: string; readonly fix?: { readonly set: Readonly<Record<string, string>>; readonly note?: string }; readonly remedies?: Partial<Record<Exclude<Mechanism, 'local-json'>, string | null>> },
  dep: Deployment | undefined,
): string | null {
  if (!dep || dep.mechanism === 'local-json') return fillRemedy(rule.remediation, dep);
  const own = rule.remedies?.[dep.mechanism];
  if (own === null) return null;
  if (own !== undefined) return fillRemedy(own, dep);
  if (rule.fix) {
    const text = changeText(dep, Object.entries(rule.fix.set).map(([key, words]) => ({ key, words })));
    // Nextcloud All-in-One gives Nextcloud the secret itself (aioText says so): no integrator to tell
    const note = rule.fix.note === INTEGRATOR_SECRET_NOTE && isAio(dep) ? undefined : rule.fix.note;
    return note ? `${text} ${fillRemedy(note, dep)}` : text;
  }
  return fillRemedy(rule.remediation, dep);
}
