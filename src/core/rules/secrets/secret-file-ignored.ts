/**
 * DSH304: secret.*.file is set but DS never reads it, because secret.*.string is not empty and a non-empty string wins
 * (DS getSecretByElem, ds-facts §4.6). node-config deep-merges, so a local.json that sets only `file` keeps
 * default.json's "string": "secret" (§1.2).
 */
import type { Rule, RuleHit } from '../rule.js';
import { describeSecret, secretsInUse, short, where, SECRET, SECRET_FROM_INBOX, SECRET_FILE_ELSEWHERE } from './common.js';

export const secretFileIgnored: Rule = {
  id: 'DSH304',
  area: 'secrets',
  severity: 'high',
  title: 'secret.*.file is set but ignored because secret.*.string is not empty',
  why:
    'DS uses secret.*.string whenever it is non-empty and reads secret.*.file only otherwise. Because node-config merges ' +
    'local.json into default.json, setting only "file" leaves default.json\'s "string": "secret" in place: the secret in the ' +
    'file is never used and the public default stays in effect.',
  remediation: 'Next to each "file" setting, add "string": "" in the same secret.* object ({file}), then {restart}.',
  remedies: {
    ...SECRET_FILE_ELSEWHERE,
    'config-management': 'Add "string": "" next to each "file" setting in the variable {tool} renders {managedFile} from, and run {tool} again.',
  },
  reads: [`${SECRET}.inbox`, `${SECRET}.outbox`, `${SECRET}.session`, `${SECRET}.browser`, SECRET_FROM_INBOX],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const use of secretsInUse(ctx)) {
      if (use.source !== 'string' || use.file === undefined) continue;
      const loc = ctx.origin(use.fileKey);
      const stringLoc = ctx.origin(use.stringKey);
      const fromDefault = ctx.originLayer(use.stringKey)?.kind === 'default';
      const winner = fromDefault
        ? `${describeSecret(use.value ?? '')} from ${where(stringLoc)}, which your file setting did not replace`
        : `the ${(use.value ?? '').length}-character string set at ${where(stringLoc)}`;
      hits.push({
        message:
          `${short(use.fileKey)} is ${JSON.stringify(use.file)} (${where(loc)}) but DS never reads it: ${short(use.stringKey)} ` +
          `is not empty, so DS uses ${winner}. Set ${short(use.stringKey)} to "" to use the file.`,
        location: loc,
        key: use.fileKey,
      });
    }
    return hits;
  },
};
