/**
 * DSH900: the container gets no JWT_SECRET (unset, empty, or a ${VARIABLE} with no value), so the official image's
 * entrypoint picks a new random secret at every start (Docker-DocumentServer@ce582025:run-document-server.sh:121-123,
 * `JWT_SECRET=${JWT_SECRET:-$(pwgen -s 32)}`; maintainers: "this is the expected behavior", DocumentServer#2087). The
 * integrator keeps the old one, so every token fails after the next restart or re-creation.
 */
import type { Rule } from '../rule.js';
import { anchorOf } from '../../deploy/types.js';
import { at, containerEnv, intendedVariable } from './support.js';
import { INTEGRATOR, SECRET_WORDS } from '../fixes.js';

export const dockerSecretUnset: Rule = {
  id: 'DSH900',
  area: 'deployment',
  severity: 'high',
  title: 'The Docker container gets no JWT_SECRET, so its secret changes at every start',
  why:
    'Without JWT_SECRET the official image writes a new random secret into local.json every time the container starts ' +
    '(docker restart, a reboot, an image update). DS keeps JWT on, but the integrator still has the ' +
    'old secret, so editors stop opening and saves fail with "Invalid token" after the next restart.',
  remediation:
    'Set JWT_SECRET in the container environment to one random secret of 32 or more letters and digits (the same value as the ' +
    'integrator\'s), then re-create the container.',
  fixedByApply: true,
  fix: {
    set: { 'services.CoAuthoring.secret.inbox.string': SECRET_WORDS },
    note: INTEGRATOR,
  },
  reads: ['services.CoAuthoring.secret.inbox.string'],
  check(ctx) {
    const c = containerEnv(ctx);
    if (!c || !c.entrypoint.active) return [];
    if (!c.entrypoint.generated.some((g) => g.variable === 'JWT_SECRET')) return [];
    // a misspelt JWT_SECRET is DSH901's finding (it names the line)
    if (c.spec.env.some((v) => intendedVariable(v.name) === 'JWT_SECRET')) return [];
    const v = c.env.get('JWT_SECRET');
    const unsetVar = v?.interpolated?.find((u) => u.unset);
    const how = !v
      ? 'JWT_SECRET is not set'
      : unsetVar
        ? `JWT_SECRET (${at(v)}) is empty: \${${unsetVar.name}} has no value in the project's .env (compose says "The "${unsetVar.name}" variable is not set. Defaulting to a blank string." unless the shell that runs it exports it)`
        : `JWT_SECRET is empty (${at(v)})`;
    return [
      {
        message:
          `${how}, so the entrypoint writes a new random ${ctx.version.source !== 'unknown' && ctx.version.max.major === 7 && ctx.version.max.minor < 4 ? '20- or 32' : '32'}-character secret at every container start: ` +
          'the integrator\'s copy stops matching after the next restart, and editors fail with "Invalid token".',
        location: v ? { file: v.origin.file, line: v.origin.line, column: v.origin.column } : anchorOf(c.spec),
        key: 'services.CoAuthoring.secret.inbox.string',
      },
    ];
  },
};
