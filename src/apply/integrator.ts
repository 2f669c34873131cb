/**
 * The integrator end of a change, as one step of the apply transaction: back up the app's jwt_secret/jwt_header
 * (journal, 0600), set the new ones right after DS restarts (the window in which the two ends disagree is the
 * restart itself), run the app's own check once DS is healthy and judge the change by what it made worse, and undo
 * it when DS is rolled back — so the two ends never disagree after ds-harden exits.
 */
import type { Occ } from '../adapters/integrator/occ.js';
import {
  INTEGRATOR_PRODUCT,
  NC_DEFAULT_HEADER,
  NC_KEYS,
  STEP_TEXT,
  judgeChange,
  type CheckReport,
  type CheckVerdict,
  type NcSettings,
} from '../core/integrator/nextcloud.js';

/** What the transaction calls; every method reports progress itself. */
export interface IntegratorStep {
  /** "Nextcloud (occ)". */
  readonly label: string;
  readonly kind: string;
  /** The occ prefix words (for the journal). */
  readonly occ: readonly string[];
  /** The old app values, to back up in the journal. */
  backup(): Readonly<Record<string, string | null>>;
  /** Set the new secret and header. */
  apply(): Promise<void>;
  /** Run the app's check and judge it against the check before the change. */
  verify(): Promise<{ verdict: CheckVerdict; report: CheckReport }>;
  /** Put the old values back (from the backup). */
  undo(values?: Readonly<Record<string, string | null>>): Promise<void>;
  /** Run the app's check again after a rollback (it also clears the app's stored settings_error). */
  recheck(): Promise<CheckReport>;
}

export interface IntegratorState {
  /** The app's settings before the change (values stay in memory). */
  readonly before: NcSettings;
  /** The app's check before the change (undefined when skipped). */
  readonly preCheck?: CheckReport;
  /** The raw app-config values of the keys ds-harden writes (null = not set in app config). */
  readonly appBefore: Readonly<Record<string, string | null>>;
}

/** Read the app's settings and run its check once before anything changes (it may take up to two minutes). */
export async function readIntegrator(occ: Occ, kind: 'nextcloud' | 'owncloud', progress: (l: string) => void, checkTimeoutMs: number): Promise<IntegratorState> {
  const product = INTEGRATOR_PRODUCT[kind];
  progress(`${product}: reading the ONLYOFFICE app settings through occ (${occ.label})`);
  const before = await occ.settings();
  const appBefore: Record<string, string | null> = {};
  for (const k of [NC_KEYS.secret, NC_KEYS.header]) appBefore[k] = (await occ.appValue(k)) ?? null;
  progress(`${product}: running the app's check before the change (it converts a test file; up to ${Math.round(checkTimeoutMs / 1000)} s)`);
  const preCheck = await runCheck(occ, checkTimeoutMs, progress);
  return { before, preCheck, appBefore };
}

async function runCheck(occ: Occ, timeoutMs: number, progress: (l: string) => void): Promise<CheckReport> {
  const t0 = Date.now();
  const tick = setInterval(() => progress(`  … still checking (${Math.round((Date.now() - t0) / 1000)} s)`), 10_000);
  try {
    const r = await occ.check(timeoutMs);
    progress(r.ok ? `  check passed: ${r.message}` : `  check failed at "${STEP_TEXT[r.failedStep!]}": ${r.message}`);
    return r;
  } finally {
    clearInterval(tick);
  }
}

export function integratorStep(
  occ: Occ,
  kind: 'nextcloud' | 'owncloud',
  state: IntegratorState,
  target: { secret: string; header: string },
  progress: (l: string) => void,
  checkTimeoutMs: number,
): IntegratorStep {
  const product = INTEGRATOR_PRODUCT[kind];
  return {
    label: `${product} (occ)`,
    kind,
    occ: occ.prefix,
    backup: () => state.appBefore,
    async apply() {
      progress(`${product}: setting jwt_secret and jwt_header of the ONLYOFFICE app (config:import from stdin)`);
      await occ.importValues({ [NC_KEYS.secret]: target.secret, [NC_KEYS.header]: target.header });
    },
    async verify() {
      progress(`${product}: running the app's check after the change`);
      const report = await runCheck(occ, checkTimeoutMs, progress);
      return { verdict: judgeChange(state.preCheck, report), report };
    },
    async undo(values = state.appBefore) {
      progress(`${product}: restoring the app's previous jwt_secret and jwt_header`);
      await occ.importValues(values);
    },
    async recheck() {
      progress(`${product}: running the app's check after the rollback`);
      return runCheck(occ, checkTimeoutMs, progress);
    },
  };
}

/** The header the integrator should use: the one given, else the one DS uses, else the app's default. */
export function headerFor(given: string | undefined, dsHeader: unknown): string {
  return given ?? (typeof dsHeader === 'string' && dsHeader ? dsHeader : NC_DEFAULT_HEADER);
}

/** Which integrator shares DS's secret, and how to reach it. */
export interface IntegratorOptions {
  readonly kind: 'nextcloud' | 'owncloud' | 'seafile' | 'other';
  /** occ command prefix (argv words) for Nextcloud/ownCloud; undefined = print the steps instead. */
  readonly occ?: readonly string[];
  /** How long the app's check may take, ms (the app itself waits up to 120 s for the test conversion). */
  readonly checkTimeoutMs: number;
}

/** The undo half of an integrator step, rebuilt from the journal (for `ds-harden rollback`). */
export function integratorUndoStep(occ: Occ, kind: string, values: Readonly<Record<string, string | null>>, progress: (l: string) => void, checkTimeoutMs: number): IntegratorStep {
  const product = kind === 'owncloud' ? INTEGRATOR_PRODUCT.owncloud : INTEGRATOR_PRODUCT.nextcloud;
  return {
    label: `${product} (occ)`,
    kind,
    occ: occ.prefix,
    backup: () => values,
    apply: () => Promise.reject(new Error('not part of a rollback')),
    verify: () => Promise.reject(new Error('not part of a rollback')),
    async undo() {
      progress(`${product}: restoring the app's previous jwt_secret and jwt_header`);
      await occ.importValues(values);
    },
    recheck: () => runCheck(occ, checkTimeoutMs, progress),
  };
}
