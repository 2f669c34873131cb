/** The configuration keys ds-harden reads and writes, and their stock values (ds-facts §2). */

export const CO = 'services.CoAuthoring';

export const K = {
  ipRules: `${CO}.ipfilter.rules`,
  ipUseForRequest: `${CO}.ipfilter.useforrequest`,
  ipErrorCode: `${CO}.ipfilter.errorcode`,
  enableBrowser: `${CO}.token.enable.browser`,
  enableInbox: `${CO}.token.enable.request.inbox`,
  enableOutbox: `${CO}.token.enable.request.outbox`,
  inboxHeader: `${CO}.token.inbox.header`,
  outboxHeader: `${CO}.token.outbox.header`,
  secretInbox: `${CO}.secret.inbox.string`,
  secretOutbox: `${CO}.secret.outbox.string`,
  secretSession: `${CO}.secret.session.string`,
  secretBrowser: `${CO}.secret.browser.string`,
} as const;

/** The keys `ds-harden apply` writes (core/plan/plan.ts desiredValues): what its flags can change, on any install. */
export const APPLY_KEYS: readonly string[] = [
  K.enableBrowser,
  K.enableInbox,
  K.enableOutbox,
  K.inboxHeader,
  K.outboxHeader,
  K.secretInbox,
  K.secretOutbox,
  K.secretSession,
  K.secretBrowser,
  K.ipUseForRequest,
  K.ipErrorCode,
  K.ipRules,
];

/** Subtrees whose values decide whether DS is locked down. */
export const MANAGED_PREFIXES: readonly string[] = [`${CO}.ipfilter`, `${CO}.token`, `${CO}.secret`];

export function isManaged(path: string): boolean {
  return MANAGED_PREFIXES.some((p) => path === p || path.startsWith(p + '.'));
}

/** Stock default.json values of the managed keys (identical 5.2.9 → 9.3, except errorcode 401 on 5.2). */
export const STOCK: Readonly<Record<string, unknown>> = {
  [K.ipRules]: [{ address: '*', allowed: true }],
  [K.ipUseForRequest]: false,
  [K.enableBrowser]: false,
  [K.enableInbox]: false,
  [K.enableOutbox]: false,
  [K.secretInbox]: 'secret',
  [K.secretOutbox]: 'secret',
  [K.secretSession]: 'secret',
  [K.secretBrowser]: 'secret',
};
