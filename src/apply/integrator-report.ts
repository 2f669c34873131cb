/**
 * The integrator part of an apply result, and the exact steps printed when ds-harden cannot reach the integrator
 * itself. The secret appears in the steps as given; the pipeline masks it unless the user asked with --show-secrets.
 */
import type { CheckReport, CheckVerdict, IntegratorKind } from '../core/integrator/nextcloud.js';
import { INTEGRATOR_PRODUCT, integratorSettings, manualSteps, seafileLines } from '../core/integrator/nextcloud.js';
import { commandLine } from '../core/text/shell.js';
import { K } from '../core/ds/keys.js';

export interface IntegratorSummary {
  readonly kind: IntegratorKind;
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
 * The command that prints DS's JWT secret (a person runs it when the integrator needs the value); `targetArgs` reach the
 * same DS (--root, --config-dir, --compose …).
 */
export function readSecretCommand(targetArgs: readonly string[]): string {
  return commandLine(['sudo', 'ds-harden', 'check', ...targetArgs, '--explain', K.secretInbox, '--show-secrets']);
}

/**
 * The steps for the integrator end when ds-harden cannot run them. `secret` appears as is (masked later unless
 * --show-secrets); `readSecret` is the command that prints it once written (readSecretCommand) — undefined when the
 * run writes nothing (the change is printed for the user to make), so no command can read it back; `secretFile`: the
 * file the user gave the secret in (--secret-file), which holds it anyway.
 */
export function integratorInstructions(kind: IntegratorKind, pair: { secret: string; header: string }, readSecret: string | undefined, secretFile?: string): string[] {
  const see = secretFile
    ? `(the secret is shown masked; it is the one in ${secretFile})`
    : readSecret
      ? `(the secret is shown masked; re-run with --show-secrets, or read it with: ${readSecret})`
      : '(the secret is shown masked: re-run with --show-secrets to see it here and in the change above, or choose it yourself with --secret-file FILE)';
  if (kind === 'nextcloud' || kind === 'owncloud') {
    return [
      ...manualSteps({ product: kind === 'owncloud' ? 'ownCloud' : 'Nextcloud', secret: pair.secret, header: pair.header }),
      see,
      `or let ds-harden do both ends: add --${kind}-occ "sudo -u www-data php /var/www/${kind}/occ" (your occ command).`,
    ];
  }
  if (kind === 'seafile') {
    return ['In seahub_settings.py set', ...seafileLines(pair).map((l) => `  ${l}`), 'then restart Seahub (e.g. ./seahub.sh restart, or restart the seafile container).', see];
  }
  return [`Set the same JWT secret and the header ${pair.header} in the integrator's ONLYOFFICE settings.`, see];
}

/**
 * The closing text of a run that changed the secret or header DS checks while ds-harden neither changed the
 * integrator's end (occ) nor printed its steps: who must now match, where that integrator keeps them, and the command
 * that prints the secret. `kind` undefined (no --integrator): every integrator of this DS, each with its place.
 */
export function integratorFollowUp(kind: IntegratorKind | undefined, readSecret: string): string {
  const who = kind === undefined ? 'Every integrator that uses this DS' : kind === 'other' ? 'The integrator' : INTEGRATOR_PRODUCT[kind];
  const steps = kind === undefined ? ' (--integrator nextcloud|owncloud|seafile|other prints the exact steps)' : '';
  return `${who} must now use the same secret and header, set in ${integratorSettings(kind)}${steps}. Read the secret with:\n  ${readSecret}`;
}
