/**
 * Caveats of the way DS is deployed, for the keys a change writes — one owner for the Docker advice that apply,
 * the wizard and rotate-secret print. (Issue 10 extends this to every deployment mode.)
 *
 * Docker facts (deploy-modes §2.2, Docker-DocumentServer@ce582025:run-document-server.sh:385-436, Dockerfile:140):
 * the entrypoint rewrites token.enable.*, secret.*.string and the inbox/outbox headers of local.json from
 * JWT_ENABLED/JWT_SECRET/JWT_HEADER on every container start (a new random secret when JWT_SECRET is unset), and
 * /etc/onlyoffice is not a volume.
 */
import type { HostFacts } from '../rules/rule.js';

/** Notes for a change that writes `keys` (dotted) on this host. */
export function deploymentNotes(facts: HostFacts, keys: readonly string[]): string[] {
  if (!facts.docker || keys.length === 0) return [];
  const out: string[] = [];
  if (keys.some((k) => k.includes('.token.') || k.includes('.secret.'))) {
    out.push(
      'Docker image: its entrypoint rewrites the JWT settings of local.json from the container environment on every start. ' +
        'Set JWT_ENABLED=true, JWT_SECRET (the same secret) and JWT_HEADER in the container definition too, or the next restart undoes this (and without JWT_SECRET picks a new random one).',
    );
  }
  if (keys.some((k) => k.includes('.ipfilter.'))) {
    out.push('Docker image: /etc/onlyoffice is not a volume, so the ipfilter rules survive `docker restart` but not re-creating the container; keep local.json in a mounted file.');
  }
  return out;
}
