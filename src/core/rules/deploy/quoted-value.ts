/**
 * DSH902: a value the entrypoint reads keeps quotes or surrounding white space, or holds a character that breaks the
 * entrypoint's write. Compose list syntax `- JWT_SECRET="abc"` keeps the quotes (compose-spec/compose-go@e70e961c
 * types/mapping.go:86-112; Docker-DocumentServer#839), map syntax keeps the spaces inside quotes; the entrypoint pastes
 * JWT_SECRET and JWT_HEADER into a single-quoted JavaScript string (run-document-server.sh:390-396), so a `'` makes the
 * write fail (the key keeps its old value) and `\` escapes are interpreted (deploy-modes §2.2, §2.5).
 */
import type { Rule, RuleHit } from '../rule.js';
import { ENTRYPOINT_VARS } from '../../deploy/entrypoint.js';
import { at, containerEnv } from './support.js';

const SECRET_LIKE = new Set(['JWT_SECRET', 'SECURE_LINK_SECRET']);

export const dockerQuotedValue: Rule = {
  id: 'DSH902',
  area: 'deployment',
  severity: 'high',
  title: 'A Docker variable keeps quotes or spaces in its value',
  why:
    'In compose list syntax (- KEY="value") the quotes are part of the value; in map syntax, spaces inside the quotes are. The ' +
    'entrypoint writes the value as it gets it: a JWT_SECRET of "abc" with its quotes is not the secret Nextcloud has, and every ' +
    'token fails. A single quote or a backslash in JWT_SECRET or JWT_HEADER breaks the entrypoint\'s write or changes the value.',
  remediation: 'Write the value without quotes in list syntax (- JWT_SECRET=abc), or use map syntax (JWT_SECRET: "abc"); use only letters and digits in secrets.',
  remedies: {
    docker: 'Write the value without quotes in list syntax (- JWT_SECRET=abc), or use map syntax (JWT_SECRET: "abc"), in {containerDef}; use only letters and digits in secrets. Then {recreate}.',
  },
  reads: [],
  check(ctx) {
    const c = containerEnv(ctx);
    if (!c || !c.entrypoint.active) return [];
    const hits: RuleHit[] = [];
    for (const v of c.env.values()) {
      // JWT_ENABLED is DSH903's (anything but the exact "true" turns JWT off)
      if (!Object.hasOwn(ENTRYPOINT_VARS, v.name) || v.name === 'JWT_ENABLED' || v.value === undefined) continue;
      const val = v.value;
      const shown = SECRET_LIKE.has(v.name) ? `a ${val.length}-character value` : JSON.stringify(val);
      const loc = { file: v.origin.file, line: v.origin.line, column: v.origin.column };
      const q = /^(["'])[\s\S]*\1$/.exec(val);
      if (q && val.length >= 2) {
        hits.push({
          message:
            `${v.name} (${at(v)}) is ${shown} that starts and ends with ${q[1] === '"' ? 'a double' : 'a single'} quote${v.listSyntax ? ' — compose keeps quotes in list syntax (- KEY="value")' : ''}: ` +
            `the container gets the quotes as part of the value${v.name === 'JWT_SECRET' ? ', so DS\'s secret differs from the integrator\'s and every token fails' : ''}.`,
          location: loc,
        });
        continue;
      }
      if (/^\s|\s$/.test(val)) {
        hits.push({
          message: `${v.name} (${at(v)}) has white space at its ${/^\s/.test(val) ? 'start' : 'end'}: the container gets it as part of the value${v.name === 'JWT_SECRET' ? ', so DS\'s secret differs from the integrator\'s' : ''}.`,
          location: loc,
        });
        continue;
      }
      const failed = c.entrypoint.failed.find((f) => f.from.name === v.name);
      if (failed) hits.push({ message: `${v.name} (${at(v)}): the entrypoint cannot write it — ${failed.why}; ${failed.key} keeps its old value and the container log shows a stack trace.`, location: loc });
      else if ((v.name === 'JWT_SECRET' || v.name === 'JWT_HEADER') && val.includes('\\')) {
        hits.push({ message: `${v.name} (${at(v)}) holds a backslash: the entrypoint pastes it into a JavaScript string, which reads it as an escape, so DS stores a different value.`, location: loc });
      }
    }
    return hits;
  },
};
