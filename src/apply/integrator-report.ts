/**
 * The integrator part of an apply result, and the exact steps printed when ds-harden cannot reach the integrator
 * itself. The secret appears in the steps as given; the pipeline masks it unless the user asked with --show-secrets.
 */
import type { CheckReport, CheckVerdict } from '../core/integrator/nextcloud.js';
import { manualSteps, seafileLines } from '../core/integrator/nextcloud.js';
import { commandLine } from '../core/text/shell.js';

export interface IntegratorSummary {
  readonly kind: 'nextcloud' | 'owncloud' | 'seafile' | 'other';
  /** The occ prefix used (no secrets in it). */
  readonly occ?: string;
  /** The integrator's secret or header differs from what DS verifies after the change. */
  readonly needsChange: boolean;
  readonly headerBefore?: string;
  /** The header DS verifies after the change (what the app must send). */
  readonly headerAfter?: string;
  readonly secretMatchedBefore?: boolean;
  /** Where the app read its secret from before: app config, config.php, or not set. */
  readonly secretSourceBefore?: 'app' | 'system' | 'unset';
  /** The app's check before and after the change, and the verdict. */
  readonly preCheck?: CheckReport;
  readonly report?: CheckReport;
  readonly verdict?: CheckVerdict;
  /** The integrator's old values were put back with DS's rollback; its check afterwards. */
  readonly restored?: boolean;
  readonly recheck?: CheckReport;
  readonly undoError?: string;
  /** What to do by hand (no occ access, Seafile, other integrators). */
  readonly instructions?: readonly string[];
  readonly notes?: readonly string[];
}

/**
 * The steps for the integrator end when ds-harden cannot run them. `secret` appears as is (masked later unless
 * --show-secrets); `targetArgs` reach the same DS for the command that prints the secret.
 */
export function integratorInstructions(kind: IntegratorSummary['kind'], pair: { secret: string; header: string }, targetArgs: readonly string[]): string[] {
  const read = commandLine(['sudo', 'ds-harden', 'check', ...targetArgs, '--explain', 'services.CoAuthoring.secret.inbox.string', '--show-secrets']);
  const see = `(the secret is shown masked; re-run with --show-secrets, or read it with: ${read})`;
  if (kind === 'nextcloud' || kind === 'owncloud') {
    return [...manualSteps({ product: kind === 'owncloud' ? 'ownCloud' : 'Nextcloud', secret: pair.secret, header: pair.header }), see, 'or let ds-harden do both ends: add --nextcloud-occ "sudo -u www-data php /var/www/nextcloud/occ" (your occ command).'];
  }
  if (kind === 'seafile') {
    return ['Seafile: in seahub_settings.py set', ...seafileLines(pair).map((l) => `  ${l}`), 'then restart Seahub (e.g. ./seahub.sh restart, or restart the seafile container).', see];
  }
  return [`Set the same JWT secret and the header ${pair.header} in the integrator's ONLYOFFICE settings.`, see];
}
