/**
 * Caveats of the way DS is deployed, for the keys a change writes — one owner for what apply, the wizard and
 * rotate-secret print about the install (how to make the change take effect, and what undoes it). The mode and its
 * container come from deploy/detect.ts (HostFacts.deployment).
 *
 * Docker facts (deploy-modes §2.2, §2.6; Docker-DocumentServer@ce582025:run-document-server.sh:385-436, Dockerfile:140):
 * the entrypoint rewrites token.enable.*, secret.*.string and the inbox/outbox headers of local.json from
 * JWT_ENABLED/JWT_SECRET/JWT_HEADER on every container start (a new random secret when JWT_SECRET is unset), and
 * /etc/onlyoffice is not a volume; a mounted local-production-linux.json is loaded after local.json and never written by
 * the entrypoint. `docker compose up -d` re-creates a service whose definition changed; `docker restart` does not re-read it.
 */
import type { HostFacts } from '../rules/rule.js';
import type { Deployment } from '../deploy/types.js';
import { getPath } from '../layers/merge.js';
import { K } from './keys.js';
import { posix as path } from 'node:path';
import { commandLine } from '../text/shell.js';

export interface NoteOptions {
  /** The change re-creates the container itself (apply --compose-up). */
  readonly recreated?: boolean;
}

/** Notes for a change that writes `keys` (dotted) on this host. */
export function deploymentNotes(facts: HostFacts, keys: readonly string[], opts: NoteOptions = {}): string[] {
  if (keys.length === 0) return [];
  const dep = facts.deployment;
  const jwt = keys.some((k) => k.includes('.token.') || k.includes('.secret.'));
  const ipfilter = keys.some((k) => k.includes('.ipfilter.'));
  const compose = dep?.kind === 'compose' ? dep.container?.compose : undefined;
  if (compose) {
    const out: string[] = [];
    if (!opts.recreated) {
      const files = compose.files.flatMap((f) => ['-f', path.relative(compose.projectDir, f)]);
      out.push(`the running container keeps its old settings until it is re-created: ${commandLine(['docker', 'compose', ...files, 'up', '-d', compose.service])} in ${compose.projectDir} (docker restart keeps the old environment; --compose-up does it)`);
    }
    if (ipfilter) out.push('the ipfilter rules live in the mounted local-production-linux.json: DS loads it after local.json and the entrypoint never rewrites it, so they survive restarts, re-creation and image updates');
    return out;
  }
  if (!facts.docker) return [];
  const out: string[] = [];
  if (jwt) {
    out.push(
      'Docker image: its entrypoint rewrites the JWT settings of local.json from the container environment on every start. ' +
        'Set JWT_ENABLED=true, JWT_SECRET (the same secret) and JWT_HEADER in the container definition too, or the next restart undoes this (and without JWT_SECRET picks a new random one).',
    );
  }
  if (ipfilter) {
    out.push('Docker image: /etc/onlyoffice is not a volume, so the ipfilter rules survive `docker restart` but not re-creating the container; keep them in a mounted local-production-linux.json.');
  }
  return out;
}

/** The three JWT switches (DS checks tokens only where one is exactly `true`: ds-facts §4.1). */
export const JWT_SWITCHES = [K.enableBrowser, K.enableInbox, K.enableOutbox] as const;

/** The switches of `effective` that are not exactly `true` (empty: JWT is enforced everywhere). */
export function jwtSwitchesOff(effective: unknown): string[] {
  return JWT_SWITCHES.filter((k) => getPath(effective, k) !== true);
}

const shortKey = (k: string) => k.replace(/^services\.CoAuthoring\./, '');
const words = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The switches in the words of the install: DS keys, or the Docker variable that writes them. */
function switchesText(dep: Deployment | undefined, off: readonly string[]): string {
  const keys = words(off.map(shortKey));
  return dep?.mechanism === 'docker' ? 'JWT_ENABLED is not exactly true' : `${keys} ${off.length > 1 ? 'are' : 'is'} not true`;
}

/** What apply does on this install once it is given a secret: writes it (local.json, compose) or prints the change. */
function jwtOnHow(dep: Deployment | undefined): string {
  const compose = dep?.kind === 'compose' ? dep.container?.compose : undefined;
  if (compose) return `apply then sets JWT_ENABLED=true and JWT_SECRET for service ${compose.service} in ${compose.files[0]}`;
  switch (dep?.mechanism) {
    case 'docker':
      return "apply then prints JWT_ENABLED=true and JWT_SECRET for the container's definition";
    case 'snap':
      return 'apply then prints the snap set onlyoffice-ds onlyoffice.jwt-enabled=true onlyoffice.jwt-secret=… command';
    case 'nixos':
      return 'apply then prints services.onlyoffice.jwtSecretFile for configuration.nix (the module turns token.enable.* on with it)';
    case 'yunohost':
      return `apply then prints yunohost app setting ${dep.app ?? 'onlyoffice'} jwt_secret and yunohost app upgrade ${dep.app ?? 'onlyoffice'} --force`;
    case 'config-management':
      return `apply then prints the value for the variable ${dep.managedBy?.tool ?? 'configuration management'} renders ${dep.managedBy?.file ?? 'local.json'} from`;
    default:
      return 'apply then sets the switches to true and writes the secret into local.json';
  }
}

/** How the integrator gets the same secret on this install: occ only where apply writes local.json itself. */
function integratorHow(dep: Deployment | undefined): string {
  return dep === undefined || dep.mechanism === 'local-json'
    ? '--nextcloud-occ CMD or --owncloud-occ CMD sets it in the app in the same transaction, --integrator nextcloud|owncloud|seafile|other prints the steps'
    : '--integrator nextcloud|owncloud|seafile|other prints its steps';
}

/**
 * The note for an apply that sets no secret (--allow, --errorcode, --useforrequest only) on a server whose JWT is off:
 * JWT stays off, and the options that turn it on, in the words of this install. `off`: jwtSwitchesOff() (non-empty).
 */
export function jwtStaysOffNote(dep: Deployment | undefined, off: readonly string[]): string {
  return (
    `JWT stays off: ${switchesText(dep, off)}, so DS accepts API requests and editor sessions without a token — ipfilter does not replace that. ` +
    `To turn it on, add --generate-secret (or --secret-file FILE) and say which integrator shares the secret (${integratorHow(dep)}); ${jwtOnHow(dep)}.`
  );
}

/**
 * The note for rotate-secret on a server whose JWT is off: the new secret comes with enforcement (the switches become
 * true), so from then on DS refuses what the integrator sends unless it has the new secret. `off`: jwtSwitchesOff().
 */
export function jwtTurnsOnNote(dep: Deployment | undefined, off: readonly string[]): string {
  const docker = dep?.mechanism === 'docker';
  return (
    `JWT is not enforced on this server (${switchesText(dep, off)}): rotate-secret turns it on (${docker ? 'JWT_ENABLED=true: ' : ''}${words(off.map(shortKey))} → true) ` +
    `together with the new secret. From then on DS refuses requests and editor sessions that are not signed with the new secret: the integrator must have it, ` +
    `with the same header, or documents stop opening (${integratorHow(dep)}).`
  );
}
