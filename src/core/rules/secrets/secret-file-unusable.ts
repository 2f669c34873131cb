/**
 * DSH305: a secret file DS reads (secret.*.string empty, secret.*.file set) cannot be used as intended. Needs host facts
 * (ctx.host.secretFiles, gathered by the adapter); without them the rule stays silent.
 *  - unreadable: ds-harden could not read it (DS, running as the service user, likely cannot either) → every token fails;
 *  - the service user cannot read it (mode/owner);
 *  - trailing newline: DS reads the file raw, not trimmed (ds-facts §2.2), so the newline is part of the HMAC key and
 *    the integrator's jwt_secret (typed without it) does not match;
 *  - world-readable: any local user can read the JWT secret.
 */
import type { FileStat } from '../../types.js';
import type { Rule, RuleHit, HostFacts } from '../rule.js';
import { decidingKey, secretsInUse, short, where, SECRET, SECRET_FROM_INBOX, SECRET_FILE_ELSEWHERE } from './common.js';
import { shellQuote } from '../../text/shell.js';

function serviceUserCanRead(stat: FileStat, user: NonNullable<HostFacts['serviceUser']>): boolean {
  if (user.uid === 0) return true;
  if (stat.uid === user.uid) return (stat.mode & 0o400) !== 0;
  if (stat.gid === user.gid || user.groups.includes(stat.gid)) return (stat.mode & 0o040) !== 0;
  return (stat.mode & 0o004) !== 0;
}

export const secretFileUnusable: Rule = {
  id: 'DSH305',
  area: 'secrets',
  severity: 'medium',
  title: 'A secret file cannot be used',
  why:
    'When secret.*.string is "" DS reads the JWT secret from secret.*.file, raw and without trimming, and caches it for an hour. ' +
    'A file DS cannot read makes every token check fail; a trailing newline (what echo and most editors write) becomes part ' +
    'of the key, so the integrator\'s jwt_secret no longer matches; a world-readable file hands the secret to every local user.',
  remediation:
    'Write the secret without a newline (printf \'%s\' "$SECRET" > {file}), make it owned by root with group {user} and mode 0640 ' +
    '(chown root:{user} {file}; chmod 0640 {file}), then {restart}.',
  remedies: {
    ...SECRET_FILE_ELSEWHERE,
    snap: 'Write the secret without a newline (printf \'%s\' "$SECRET" > {file}) and chmod 600 {file} (the snap runs DocService as root), then {restart}.',
  },
  reads: [`${SECRET}.inbox.file`, `${SECRET}.outbox.file`, `${SECRET}.session.file`, `${SECRET}.browser.file`, SECRET_FROM_INBOX],
  check(ctx) {
    const files = ctx.host.secretFiles;
    if (!files) return [];
    // one report per file, however many secrets point at it
    const byPath = new Map<string, string[]>();
    for (const use of secretsInUse(ctx)) {
      if (use.source !== 'file' || use.file === undefined) continue;
      const list = byPath.get(use.file) ?? [];
      list.push(decidingKey(use));
      byPath.set(use.file, list);
    }
    const hits: RuleHit[] = [];
    for (const [path, keys] of byPath) {
      const facts = files.get(path);
      if (!facts) continue;
      const key = keys[0]!;
      const loc = ctx.origin(key);
      const users = `${keys.map(short).join(', ')} at ${where(loc)}`;
      // the fix is about the secret file, not the layer that names it
      const hit = (text: string) => hits.push({ message: `The secret file ${JSON.stringify(path)} (used by ${users}) ${text}`, location: loc, key, fill: { file: shellQuote(path) } });
      if (facts.error !== undefined) {
        hit(`cannot be read (${facts.error}); if DS cannot read it either, DS has no secret and every token check fails.`);
        continue;
      }
      if (facts.content !== undefined && /\r?\n$/.test(facts.content)) {
        hit(
          'ends with a newline. DS reads the file raw, so the newline is part of the HMAC key and the integrator\'s secret, entered ' +
            'without it, does not match: every token fails.',
        );
      }
      const stat = facts.stat;
      if (stat && !stat.isSymlink) {
        const user = ctx.host.serviceUser;
        if (user && !serviceUserCanRead(stat, user)) {
          hit(
            `is not readable by the service user ${user.name} (owner ${stat.uid}:${stat.gid}, mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}): ` +
              'DS cannot load the secret and every token check fails.',
          );
        }
        if ((stat.mode & 0o004) !== 0) {
          hit(`is world-readable (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}): every local user can read the JWT secret.`);
        }
      }
    }
    return hits;
  },
};
