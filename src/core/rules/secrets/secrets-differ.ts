/**
 * DSH303: the inbox, outbox and session secrets differ. Installers write one value to all of them (ds-facts §2.8) and
 * Nextcloud has a single jwt_secret for both directions (§6.2): an outbox secret that differs from the inbox secret
 * means callbacks cannot be verified by the integrator. A different session secret breaks no integrator (DS signs and
 * verifies session tokens itself), so it is reported as medium: it is a hand edit that rotation will miss.
 * Values are compared, never printed.
 */
import type { Severity } from '../../types.js';
import type { Rule, RuleHit, RuleContext } from '../rule.js';
import { decidingKey, fileContent, secretsInUse, where, SECRET, SECRET_FROM_INBOX, type SecretUse } from './common.js';
import { fixes, INTEGRATOR } from '../fixes.js';

type Identity = { kind: 'value'; v: string } | { kind: 'file'; path: string } | { kind: 'empty' };

function identity(ctx: RuleContext, use: SecretUse): Identity {
  if (use.source === 'string') return { kind: 'value', v: use.value ?? '' };
  if (use.source === 'file' && use.file !== undefined) {
    const content = fileContent(ctx, use.file);
    return content !== undefined ? { kind: 'value', v: content } : { kind: 'file', path: use.file };
  }
  return { kind: 'empty' };
}

/** true/false when comparable, undefined when one side is a file ds-harden could not read (or a secret is empty: DSH300). */
function same(a: Identity, b: Identity): boolean | undefined {
  if (a.kind === 'empty' || b.kind === 'empty') return undefined;
  if (a.kind === 'value' && b.kind === 'value') return a.v === b.v;
  if (a.kind === 'file' && b.kind === 'file') return a.path === b.path ? true : undefined;
  return undefined;
}

function describe(ctx: RuleContext, use: SecretUse): string {
  const key = decidingKey(use);
  const at = where(ctx.origin(key));
  if (use.source === 'file') return `read from ${JSON.stringify(use.file)}, set at ${at}`;
  return `${(use.value ?? '').length} characters, set at ${at}`;
}

const SEVERITY: Record<string, Severity> = { outbox: 'high', browser: 'high', session: 'medium' };

export const secretsDiffer: Rule = {
  id: 'DSH303',
  area: 'secrets',
  fixedByApply: true,
  severity: 'high',
  title: 'Inbox, outbox and session secrets differ',
  why:
    'DS verifies integrator and editor tokens with the inbox secret and signs callbacks with the outbox secret. Integrators ' +
    'such as Nextcloud have one jwt_secret for both directions, so different inbox and outbox secrets make one direction fail ' +
    '(typically saving: callbacks are signed with a key Nextcloud does not know). Installers write one value everywhere; ' +
    'differences come from partial hand edits and are missed by the next rotation.',
  remediation:
    `Set secret.inbox.string, secret.outbox.string and secret.session.string to the same strong value, then {restart}. ${INTEGRATOR}`,
  fix: fixes.secrets,
  reads: [`${SECRET}.inbox`, `${SECRET}.outbox`, `${SECRET}.session`, `${SECRET}.browser`, SECRET_FROM_INBOX],
  check(ctx) {
    const uses = secretsInUse(ctx);
    const inbox = uses.find((u) => u.name === 'inbox');
    if (!inbox) return [];
    const ref = identity(ctx, inbox);
    const hits: RuleHit[] = [];
    for (const use of uses) {
      if (use === inbox) continue;
      if (same(ref, identity(ctx, use)) !== false) continue;
      const key = decidingKey(use);
      const effect =
        use.name === 'outbox'
          ? 'an integrator with one jwt_secret (Nextcloud) cannot verify DS\'s callbacks, so saving fails'
          : use.name === 'browser'
            ? 'editor configs signed with the integrator\'s jwt_secret are rejected by DS ≤ 7.1 (token.browser.secretFromInbox is off)'
            : 'no integrator is affected, but the secrets were edited separately and a rotation of one will miss the other';
      hits.push({
        message: `secret.${use.name} (${describe(ctx, use)}) differs from secret.inbox (${describe(ctx, inbox)}): ${effect}.`,
        location: ctx.origin(key),
        key,
        severity: SEVERITY[use.name] ?? 'high',
      });
    }
    return hits;
  },
};

