/**
 * DSH204: token.inbox.header and token.outbox.header differ. The Nextcloud app has a single jwt_header that it both
 * sends (inbox) and reads on callbacks (outbox), ds-facts §6.1/§6.2; DS installers write both from one JWT_HEADER (§2.8).
 */
import type { Rule } from '../rule.js';
import { TOKEN, show, where } from './common.js';
import { fixes } from '../fixes.js';
import { integratorSettings } from '../../integrator/nextcloud.js';

const INBOX = `${TOKEN}.inbox.header`;
const OUTBOX = `${TOKEN}.outbox.header`;

/** HTTP header names compare case-insensitively (DS reads the inbox header with req.get, case-insensitive). */
function norm(v: unknown): string {
  return typeof v === 'string' ? v.trim().toLowerCase() : JSON.stringify(v ?? null);
}

export const jwtHeadersDiffer: Rule = {
  id: 'DSH204',
  area: 'jwt',
  fixedByApply: true,
  severity: 'high',
  title: 'Inbox and outbox JWT headers differ',
  why:
    'Integrators such as Nextcloud have one jwt_header setting: they send their token in it and read DS\'s callback token ' +
    'from it. When DS expects one header name and signs callbacks in another, one direction always fails ' +
    '(requests answered with error 6/-8, or callbacks the integrator cannot verify).',
  remediation:
    'Set services.CoAuthoring.token.inbox.header and token.outbox.header to the same name: the header the integrator sends its ' +
    `token in (default "Authorization"), then {restart}. The integrator's is in ${integratorSettings(undefined, 'header')}.`,
  fix: fixes.headers,
  reads: [INBOX, OUTBOX],
  check(ctx) {
    const inbox = ctx.get(INBOX);
    const outbox = ctx.get(OUTBOX);
    if (norm(inbox) === norm(outbox)) return [];
    // Point at the side somebody changed: the non-default layer (outbox wins a tie, it is usually the forgotten one).
    const outboxEdited = ctx.originLayer(OUTBOX)?.kind !== 'default';
    const inboxEdited = ctx.originLayer(INBOX)?.kind !== 'default';
    const key = outboxEdited || !inboxEdited ? OUTBOX : INBOX;
    return [
      {
        message:
          `token.inbox.header is ${show(inbox)} (${where(ctx.origin(INBOX))}) but token.outbox.header is ${show(outbox)} ` +
          `(${where(ctx.origin(OUTBOX))}): an integrator with one jwt_header cannot both send requests and verify callbacks.`,
        location: ctx.origin(key),
        key,
      },
    ];
  },
};
