/**
 * The exact change `apply` prints instead of writing, for an install whose settings live in a mechanism ds-harden does not
 * write (deploy/remedy.ts says which, with sources): the container definition seen from inside or through docker inspect,
 * the snap's options, the NixOS module, the YunoHost app's settings, a configuration-management variable. Writing
 * local.json there would be thrown away (at the next container start, snap set, nixos start, app upgrade or play), so
 * apply refuses and prints this. Pure.
 */
import { stringify } from 'yaml';
import type { LoadedConfig } from '../layers/load.js';
import { getPath } from '../layers/merge.js';
import { desiredValues, type Change, type DesiredState, type Refusal } from './plan.js';
import { isSecretPath } from '../redact.js';
import { variableFor } from '../deploy/entrypoint.js';
import { LPL_TARGET, ynhRestart } from '../deploy/remedy.js';
import { integratorSettings } from '../integrator/nextcloud.js';
import { isAio, type Deployment } from '../deploy/types.js';

/** How the secret appears in the printed change: in a shell command, and in a file the user writes. */
export interface SecretShown {
  readonly shell: string;
  readonly text: string;
}

/** The keys whose effective value differs from what the request wants (independent of the file apply would write). */
export function wantedChanges(loaded: LoadedConfig, desired: DesiredState): { changes: Change[]; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const changes: Change[] = [];
  for (const [key, to] of desiredValues(loaded, desired, refusals)) {
    const from = getPath(loaded.effective.value, key);
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ key, from, to });
  }
  return { changes, refusals };
}

/** The changed keys as one nested object (for a JSON or YAML fragment); secrets replaced by `secret`. */
function nested(changes: readonly Change[], secret: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of changes) {
    let cur = out;
    const segs = c.key.split('.');
    for (const s of segs.slice(0, -1)) cur = (cur[s] ??= {}) as Record<string, unknown>;
    cur[segs[segs.length - 1]!] = isSecretPath(c.key) ? secret : c.to;
  }
  return out;
}

const indent = (text: string, pad: string) => text.replace(/\n$/, '').split('\n').map((l) => pad + l).join('\n');
const SECRET_KEYS = /\.secret\.(inbox|outbox|session|browser)\.string$/;

/**
 * Nextcloud All-in-One: the mastercontainer defines the DS container with JWT_ENABLED, JWT_HEADER=AuthorizationJwt and
 * JWT_SECRET from ONLYOFFICE_SECRET in its configuration.json — no other variable, no mount (nextcloud/all-in-one
 * php/containers.json; deploy-modes §3) — and gives Nextcloud the same secret.
 */
function aioChange(changes: readonly Change[], secret: SecretShown): string {
  const lines = ['Nextcloud All-in-One creates this container from its mastercontainer: it takes no other variables or mounts, and re-creates it at every start from the AIO interface.'];
  if (changes.some((c) => variableFor(c.key) === 'JWT_SECRET')) {
    lines.push(`The secret: ONLYOFFICE_SECRET in the mastercontainer's configuration.json = ${secret.text} (AIO writes it into this container's JWT_SECRET and gives Nextcloud the same one).`);
  }
  if (changes.some((c) => variableFor(c.key) === 'JWT_HEADER')) lines.push('The header is AIO\'s own (JWT_HEADER=AuthorizationJwt, and Nextcloud set to match): it cannot be changed there.');
  const rest = changes.filter((c) => !['JWT_SECRET', 'JWT_ENABLED', 'JWT_HEADER'].includes(variableFor(c.key) ?? ''));
  if (rest.length) lines.push(`${[...new Set(rest.map((c) => c.key.replace(/^services\.CoAuthoring\./, '')))].join(', ')}: no supported place in AIO (a change inside the container is lost when AIO re-creates it); restrict access in front of it instead (ds-harden proxy).`);
  lines.push('Then restart the containers from the AIO interface.');
  return lines.join('\n');
}

function dockerChange(dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  if (isAio(dep)) return aioChange(changes, secret);
  const vars = new Map<string, string>();
  const file: Change[] = [];
  for (const c of changes) {
    const v = variableFor(c.key);
    if (v === 'JWT_ENABLED' || v === 'JWT_HEADER') vars.set(v, String(c.to));
    else if (v === 'JWT_SECRET') vars.set(v, secret.text);
    else file.push(c);
  }
  const lines: string[] = [];
  if (vars.size) {
    lines.push('In the container\'s environment (compose `environment:` as KEY: value or an unquoted - KEY=value, or docker run -e KEY=value):');
    for (const [k, v] of vars) lines.push(`  ${k}=${v}`);
  }
  if (file.length) {
    lines.push(`A file local-production-linux.json (mode 0644; it holds no secret) with:`, indent(JSON.stringify(nested(file, secret.text), null, 2), '  '));
    lines.push(`mounted read-only at ${LPL_TARGET} (compose: - ./local-production-linux.json:${LPL_TARGET}:ro; docker run: -v …:${LPL_TARGET}:ro).`);
  }
  lines.push('Then re-create the container (docker compose up -d SERVICE; docker restart keeps the old environment).');
  lines.push('With the compose file at hand, ds-harden apply --compose FILE … makes this change itself.');
  return lines.join('\n');
}

function snapChange(dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  const sets = new Map<string, string>();
  const file: Change[] = [];
  for (const c of changes) {
    if (/\.token\.enable\./.test(c.key)) sets.set('onlyoffice.jwt-enabled', String(c.to));
    else if (SECRET_KEYS.test(c.key)) sets.set('onlyoffice.jwt-secret', secret.shell);
    else if (/\.token\.(inbox|outbox)\.header$/.test(c.key)) sets.set('onlyoffice.jwt-header', String(c.to));
    else file.push(c);
  }
  const lines: string[] = [];
  if (sets.size) lines.push(`snap set onlyoffice-ds ${[...sets].map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (file.length) {
    lines.push(`In ${dep.configDir.value}/local.json (keep it pretty-printed, one key per line: the snap's hooks edit it line by line), merge:`, indent(JSON.stringify(nested(file, secret.text), null, 2), '  '));
  }
  lines.push('snap restart onlyoffice-ds.documentserver');
  return lines.join('\n');
}

function nixChange(_dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  const jwt = changes.filter((c) => /\.token\.enable\./.test(c.key) || SECRET_KEYS.test(c.key));
  const other = changes.filter((c) => !jwt.includes(c));
  const lines: string[] = ['# configuration.nix'];
  if (jwt.length) {
    lines.push(
      `# the file holds only the secret (letters and digits), e.g.: install -m 0400 -o onlyoffice /dev/null /run/keys/onlyoffice-jwt; printf '%s' ${secret.shell} > /run/keys/onlyoffice-jwt`,
      'services.onlyoffice.jwtSecretFile = "/run/keys/onlyoffice-jwt";',
    );
  }
  if (other.length) {
    const jq = other.map((c) => `.${c.key.split('.').map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : JSON.stringify(s))).join('.')} = ${JSON.stringify(c.to)}`).join(' | ');
    lines.push(
      '# the module has no option for these: patch the generated default.json after its own prestart (check the order with: systemctl cat onlyoffice-docservice)',
      'systemd.services.onlyoffice-docservice.serviceConfig.ExecStartPre = lib.mkAfter [',
      '  (pkgs.writeShellScript "onlyoffice-ds-harden" \'\'',
      '    cfg=/run/onlyoffice/config/default.json',
      `    \${pkgs.jq}/bin/jq '${jq}' "$cfg" > "$cfg.tmp" && mv "$cfg.tmp" "$cfg"`,
      "  '')",
      '];',
    );
  }
  lines.push('# then: nixos-rebuild switch');
  return lines.join('\n');
}

function ynhChange(dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  const app = dep.app ?? 'onlyoffice';
  const lines: string[] = [];
  const secretChange = changes.some((c) => SECRET_KEYS.test(c.key));
  const header = changes.find((c) => /\.token\.(inbox|outbox)\.header$/.test(c.key));
  const file = changes.filter((c) => !SECRET_KEYS.test(c.key) && !/\.token\./.test(c.key));
  if (secretChange) lines.push(`yunohost app setting ${app} jwt_secret -v ${secret.shell}`);
  if (secretChange || changes.some((c) => /\.token\.enable\./.test(c.key))) lines.push(`yunohost app upgrade ${app} --force   # re-renders local.json from the app settings (JWT on)`);
  if (header) lines.push(`# the app's template writes the header Authorization: ${JSON.stringify(header.to)} is lost at every upgrade; set the integrator's header to Authorization instead (${integratorSettings(undefined, 'header')})`);
  if (file.length) {
    lines.push(
      `# no app setting holds these: merge them into ${dep.configDir.value}/local.json (mode 0400, owner ${app}), then ${ynhRestart(dep)} — and again after every yunohost app upgrade:`,
      indent(JSON.stringify(nested(file, secret.text), null, 2), '  '),
    );
  }
  return lines.join('\n');
}

function managedChange(dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  const m = dep.managedBy!;
  const value = nested(changes, secret.text);
  return [
    `# ${m.tool} manages ${m.file} (${m.evidence}). Add to the variable your playbook renders it from and run it again:`,
    '# ONLYOFFICE/ansible-role-documentserver: onlyoffice_local_json (written to local-production-linux.json; pass it as a role parameter or extra var)',
    '# webarch-coop/ansible-role-onlyoffice: merge into onlyoffice_local (new top-level keys make the role fail: keep them under services)',
    stringify({ onlyoffice_local_json: value }, { lineWidth: 0 }).trimEnd(),
  ].join('\n');
}

/** The exact change for `dep`'s mechanism. */
export function printedChange(dep: Deployment, changes: readonly Change[], secret: SecretShown): string {
  switch (dep.mechanism) {
    case 'docker':
      return dockerChange(dep, changes, secret);
    case 'snap':
      return snapChange(dep, changes, secret);
    case 'nixos':
      return nixChange(dep, changes, secret);
    case 'yunohost':
      return ynhChange(dep, changes, secret);
    case 'config-management':
      return managedChange(dep, changes, secret);
    default:
      return '';
  }
}
