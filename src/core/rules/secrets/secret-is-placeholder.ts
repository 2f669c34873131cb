/**
 * DSH300: a JWT secret DS uses is the public default "secret", a well-known placeholder, or empty.
 * ds-facts §2.2, §2.8 (installers ≤ 7.0 wrote the literal "secret"), §4.3 ("empty secret"), §4.6 (string beats file), §7 CVE-2021-43445.
 */
import type { Rule, RuleHit } from '../rule.js';
import { decidingKey, describeSecret, fileContent, placeholderKind, secretsInUse, short, where, SECRET, SECRET_FROM_INBOX } from './common.js';
import { fixes, INTEGRATOR } from '../fixes.js';

export const secretIsPlaceholder: Rule = {
  id: 'DSH300',
  area: 'secrets',
  fixedByApply: true,
  severity: 'critical',
  title: 'A JWT secret is the public default or a placeholder',
  why:
    'Every DS ships secret.*.string = "secret", and installers before 7.2 wrote that literal into local.json. Anyone who knows ' +
    'the secret can sign tokens DS accepts (commands, conversions, editor configs: CVE-2021-43445) and forge DS\'s callbacks to ' +
    'the integrator. An empty secret makes DS log "empty secret" and reject every token, which usually ends with someone ' +
    'switching JWT off. A secret set only through secret.*.file does not help while secret.*.string is non-empty: the string wins.',
  remediation:
    'Generate one random secret (e.g. openssl rand -hex 32) and set it as secret.inbox.string, secret.outbox.string and ' +
    'secret.session.string in local.json (or put it in a file without a trailing newline, set secret.*.file and set ' +
    `secret.*.string to ""), then {restart}. ${INTEGRATOR}`,
  fix: fixes.secrets,
  reads: [`${SECRET}.inbox`, `${SECRET}.outbox`, `${SECRET}.session`, `${SECRET}.browser`, SECRET_FROM_INBOX],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const use of secretsInUse(ctx)) {
      const label = `secret.${use.name}`;
      if (use.source === 'empty') {
        const key = use.stringKey;
        const loc = ctx.origin(key);
        hits.push({
          message:
            `${short(key)} is empty (${where(loc)}) and ${label}.file is not set: DS has no ${use.name} secret (it ${use.role}). ` +
            `DS logs "empty secret" and every token fails, so with JWT enabled every signed request or editor session is rejected.`,
          location: loc,
          key,
        });
        continue;
      }
      if (use.source === 'string') {
        const value = use.value ?? '';
        const kind = placeholderKind(value);
        if (!kind) continue;
        const stringLoc = ctx.origin(use.stringKey);
        const what = kind === 'public-default' ? describeSecret(value) : `a well-known placeholder (${value.length} characters)`;
        if (use.file !== undefined) {
          const loc = ctx.origin(use.fileKey);
          hits.push({
            message:
              `${short(use.fileKey)} is set to ${JSON.stringify(use.file)} (${where(loc)}) but DS ignores it: ${short(use.stringKey)} ` +
              `is not empty and a non-empty string wins over the file, so ${what} from ${where(stringLoc)} stays in effect ` +
              `(it ${use.role}, so anyone can ${use.risk}). Set ${short(use.stringKey)} to "" to use the file.`,
            location: loc,
            key: use.fileKey,
          });
        } else {
          hits.push({
            message:
              `${short(use.stringKey)} is ${what} (${where(stringLoc)}); ` +
              `it ${use.role}, so anyone can ${use.risk}.`,
            location: stringLoc,
            key: use.stringKey,
          });
        }
        continue;
      }
      // source === 'file': judge the content when the adapter could read it (DS uses it raw; ignore one trailing newline here, DSH305 reports it).
      const content = use.file !== undefined ? fileContent(ctx, use.file) : undefined;
      if (content === undefined) continue;
      const kind = placeholderKind(content.replace(/\r?\n$/, ''));
      if (!kind) continue;
      const key = decidingKey(use);
      const loc = ctx.origin(key);
      hits.push({
        message:
          kind === 'empty'
            ? `${short(key)} points at ${JSON.stringify(use.file)} (${where(loc)}), which is empty: DS has no usable ${use.name} secret and every token fails.`
            : `${short(key)} points at ${JSON.stringify(use.file)} (${where(loc)}), which holds ${kind === 'public-default' ? describeSecret(content.replace(/\r?\n$/, '')) : 'a well-known placeholder'}; it ${use.role}, so anyone can ${use.risk}.`,
        location: loc,
        key,
      });
    }
    return hits;
  },
};
