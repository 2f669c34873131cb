/**
 * DSH904: JWT_SECRET is a public default, a placeholder, too short or guessable — judged by judgeSecret (the one owner
 * of secret strength, core/ds/secret-strength.ts). The upstream compose example suggests `JWT_SECRET=secret`
 * (Docker-DocumentServer@ce582025:docker-compose.yml:19); images before 7.2 used that literal as the default.
 */
import type { Rule } from '../rule.js';
import { judgeSecret } from '../../ds/secret-strength.js';
import { describeSecret, placeholderKind } from '../secrets/common.js';
import { INTEGRATOR, SECRET_WORDS } from '../fixes.js';

/**
 * What is wrong with the value, said once: the public default by name, a placeholder with its length, else the verdict's
 * reason ("12 characters long; use at least 32", "guessable: …") — never the value itself.
 */
function weakness(value: string, reason: string): string {
  const kind = placeholderKind(value);
  if (kind === 'public-default') return describeSecret(value);
  if (kind === 'placeholder') return `a well-known placeholder (${value.length} characters)`;
  return reason.replace(/^it is /, '');
}
import { at, containerEnv } from './support.js';

export const dockerWeakSecret: Rule = {
  id: 'DSH904',
  area: 'deployment',
  severity: 'critical',
  title: 'JWT_SECRET is a default, a placeholder or too weak',
  why:
    'Whoever knows or guesses the secret signs commands, conversions and editor configs DS accepts, and forges DS\'s callbacks to ' +
    'the integrator. The compose example\'s "secret", placeholders such as "changeme" and short or word-like values are found by ' +
    'anyone who tries.',
  remediation: 'Set JWT_SECRET to one random value of 32 or more letters and digits (openssl rand -hex 20), the same in the integrator, then re-create the container.',
  fixedByApply: true,
  fix: {
    set: { 'services.CoAuthoring.secret.inbox.string': SECRET_WORDS },
    note: INTEGRATOR,
  },
  supersedes: ['DSH300', 'DSH301', 'DSH302'],
  reads: ['services.CoAuthoring.secret.inbox.string'],
  check(ctx) {
    const c = containerEnv(ctx);
    if (!c || !c.entrypoint.active) return [];
    const v = c.env.get('JWT_SECRET');
    if (!v || v.value === undefined || v.value === '') return [];
    const verdict = judgeSecret(v.value);
    if (verdict.ok) return [];
    return [
      {
        message: `JWT_SECRET (${at(v)}) is ${weakness(v.value, verdict.reason)}. It becomes secret.inbox, outbox and session at every start, so anyone who guesses it can sign requests DS accepts.`,
        location: { file: v.origin.file, line: v.origin.line, column: v.origin.column },
        key: 'services.CoAuthoring.secret.inbox.string',
        severity: verdict.ruleId === 'DSH300' ? 'critical' : 'high',
      },
    ];
  },
};
