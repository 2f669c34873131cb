/**
 * The defaults of the change commands (apply, rollback, rotate-secret, wizard): one owner, so the help text,
 * the pipeline and the hints printed to users never disagree.
 */

/** Journal, backups and lock live here (a host path; below --root when one is given). Mode 0700. */
export const DEFAULT_STATE_DIR = '/var/lib/ds-harden';

/** DocService's own healthcheck (ds-facts §5.4: answers `true` when DB, queue and storage work). */
export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:8000/healthcheck';

/** What a --health-url must be (core/text/url.ts checks it when the flags are parsed). */
export const HEALTH_URL = { use: 'ds-harden probes the healthcheck', example: DEFAULT_HEALTH_URL } as const;

/** How long the healthcheck may take to answer `true` after a restart, in ms. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;

/**
 * How long restarted services must stay up, in ms. supervisor: startsecs 1 and startretries 3 give FATAL ≈ 9 s
 * after a bad restart, but a crash shows as BACKOFF or a pid change within 3 s (ds-observed §3b).
 * systemd: Restart=always + RestartSec=30 hides a crash loop; two samples 30 s apart need > 35 s (ds-facts §5.4).
 */
export const DEFAULT_SETTLE_MS: Readonly<Record<'supervisor' | 'systemd', number>> = { supervisor: 3_000, systemd: 35_000 };
