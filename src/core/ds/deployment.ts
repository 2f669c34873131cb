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
