/**
 * DSH901: a variable the entrypoint would read is written under another name (JWT-SECRET, jwt_secret, JWT_KEY,
 * JWT_SECERT …). Environment variable names are case-sensitive and the entrypoint reads only its exact names
 * (Docker-DocumentServer@ce582025:run-document-server.sh:93, 112-129), so the value is ignored and the default applies —
 * for JWT_SECRET a new random secret at every start.
 */
import type { Rule, RuleHit } from '../rule.js';
import type { Severity } from '../../types.js';
import { at, containerEnv, intendedVariable } from './support.js';

const CONSEQUENCE: Readonly<Record<string, { severity: Severity; text: string }>> = {
  JWT_SECRET: { severity: 'high', text: 'so the entrypoint writes a new random secret at every start and the integrator\'s tokens stop matching after the next restart' },
  JWT_HEADER: { severity: 'high', text: 'so DS expects tokens in the Authorization header; an integrator set to another header (Nextcloud AIO: AuthorizationJwt) is refused' },
  JWT_ENABLED: { severity: 'medium', text: 'so the image\'s default applies (JWT on since 7.2, off before)' },
};

export const dockerMisspeltVariable: Rule = {
  id: 'DSH901',
  area: 'deployment',
  severity: 'high',
  title: 'A Docker variable name is misspelt, so the entrypoint ignores it',
  why:
    'The image\'s entrypoint reads JWT_ENABLED, JWT_SECRET, JWT_HEADER, ALLOW_PRIVATE_IP_ADDRESS and the other variables by their exact, ' +
    'case-sensitive names. JWT-SECRET, jwt_secret or JWT_KEY are passed to the container and never read: the setting silently ' +
    'keeps its default — for the secret, a new random one at every start.',
  remediation: 'Rename the variable to the exact name the entrypoint reads, then re-create the container.',
  remedies: {
    docker: 'Rename the variable to the exact name the entrypoint reads, in {containerDef}; then {recreate}.',
  },
  reads: [],
  check(ctx) {
    const c = containerEnv(ctx);
    if (!c || !c.entrypoint.active) return [];
    const hits: RuleHit[] = [];
    for (const v of c.spec.env) {
      const meant = intendedVariable(v.name);
      if (!meant) continue;
      const real = c.env.get(meant);
      const realSet = real?.value !== undefined && real.value !== '';
      const cons = CONSEQUENCE[meant] ?? { severity: 'medium' as Severity, text: 'so its default applies' };
      hits.push({
        message: realSet
          ? `${JSON.stringify(v.name)} (${at(v)}) is not a variable the entrypoint reads; ${meant} is set too (${at(real!)}) and decides — remove the misspelt one.`
          : `${JSON.stringify(v.name)} (${at(v)}) is not a variable the entrypoint reads — it reads ${meant}, which is not set, ${cons.text}.`,
        location: { file: v.origin.file, line: v.origin.line, column: v.origin.column },
        severity: realSet ? 'low' : cons.severity,
      });
    }
    return hits;
  },
};
