/**
 * DSH903: JWT_ENABLED is set to something other than the exact string `true`. The entrypoint turns every other value
 * — `false`, `True`, `1`, `yes`, `"true"` with compose list-syntax quotes, ` true` — into false and writes it into
 * token.enable.browser/request.inbox/request.outbox (Docker-DocumentServer@ce582025:run-document-server.sh:112-119,
 * 386-388), so DS accepts unsigned requests and editor configs.
 */
import type { Rule } from '../rule.js';
import { at, containerEnv } from './support.js';
import { INTEGRATOR, SECRET_WORDS } from '../fixes.js';

export const dockerJwtNotEnabled: Rule = {
  id: 'DSH903',
  area: 'deployment',
  severity: 'critical',
  title: 'JWT_ENABLED is not exactly "true", so the container runs without JWT',
  why:
    'The entrypoint normalises JWT_ENABLED: only the exact string true enables JWT; false, True, 1, yes, a value with quotes kept ' +
    'by compose list syntax or with a space all disable it for incoming requests, callbacks and editors — anyone who reaches DS ' +
    'can run commands and conversions and open editors.',
  remediation: 'Set JWT_ENABLED=true (or leave it unset: true is the default since 7.2) and a strong JWT_SECRET, then re-create the container.',
  fixedByApply: true,
  fix: {
    set: { 'services.CoAuthoring.token.enable.request.inbox': 'true', 'services.CoAuthoring.secret.inbox.string': SECRET_WORDS },
    note: INTEGRATOR,
  },
  supersedes: ['DSH200', 'DSH201', 'DSH202', 'DSH203'],
  reads: ['services.CoAuthoring.token.enable.browser', 'services.CoAuthoring.token.enable.request.inbox', 'services.CoAuthoring.token.enable.request.outbox'],
  check(ctx) {
    const c = containerEnv(ctx);
    if (!c || !c.entrypoint.active) return [];
    const v = c.env.get('JWT_ENABLED');
    if (!v || v.value === undefined || v.value === '' || v.value === 'true') return [];
    const why =
      v.value === 'false'
        ? 'false'
        : /^(["']).*\1$/.test(v.value)
          ? `${JSON.stringify(v.value)}, quotes included${v.listSyntax ? ' (compose list syntax keeps them)' : ''}`
          : /^\s|\s$/.test(v.value)
            ? `${JSON.stringify(v.value)}, with white space`
            : `${JSON.stringify(v.value)}, not the exact string true`;
    return [
      {
        message:
          `JWT_ENABLED is ${why} (${at(v)}), so the entrypoint writes false into token.enable.browser, token.enable.request.inbox and ` +
          'token.enable.request.outbox at every start: DS accepts requests and editor configs without a token.',
        location: { file: v.origin.file, line: v.origin.line, column: v.origin.column },
        key: 'services.CoAuthoring.token.enable.request.inbox',
      },
    ];
  },
};
