/**
 * The wizard's answers as the one request every front end gives the apply pipeline (the policy's shape, checked by
 * validateRequest like flags), and the `ds-harden apply …` command line that makes the same request without
 * questions — built from the validated request itself, so the two cannot drift apart. Pure.
 *
 * The command never holds a secret: a kept or generated secret is `--generate-secret` (which keeps a strong secret
 * and otherwise generates one; `--rotate` when the admin asked for a new one), a secret from a file is
 * `--secret-file PATH`.
 */
import type { ApplyRequest } from '../../apply/request.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, DEFAULT_HEALTH_URL, DEFAULT_STATE_DIR } from '../../apply/defaults.js';
import { commandLine } from '../../core/text/shell.js';
import type { TargetOptions } from '../target.js';
import type { ServiceOptions } from '../services.js';
import type { Answers } from './questions.js';
import type { Detected } from './detect.js';

/**
 * The answers in the policy's shape (input for validateRequest). "Generate a new secret" while DS has a strong one
 * is --generate-secret with --rotate; otherwise --generate-secret alone (it keeps a strong secret, replaces a weak
 * one), so repeating the command later keeps the secret.
 */
export function policyOf(a: Answers, d: Detected): Record<string, unknown> {
  return {
    integrator: a.integrator,
    allow: [...a.allow],
    ...(a.storageUrl ? { storageUrl: a.storageUrl } : {}),
    ...(a.secret === 'file' ? { secretFile: a.secretFile } : { generateSecret: true }),
    ...(a.secret === 'generate' && d.secret.state === 'strong' ? { rotate: true } : {}),
    header: a.header,
    useforrequest: a.useforrequest,
    ...(a.useforrequest && a.behindProxy ? { behindProxy: true } : {}),
    ...(a.occ ? { occ: a.occ } : {}),
  };
}

/** The options of a wizard run that choose the host, the services and how the change is verified. */
export interface RunTargetOptions extends TargetOptions, ServiceOptions {
  readonly stateDir: string;
  readonly normalize: boolean;
  readonly integratorCheckTimeoutMs?: number;
}

/** Seconds for a flag value, from ms (3000 → "3", 1500 → "1.5"). */
function secondsOf(ms: number): string {
  return String(ms / 1000);
}

/** The flags that reach the same host and services as this run (only those that differ from the defaults). */
export function targetArgs(o: RunTargetOptions): string[] {
  return [
    ...(o.root !== '/' ? ['--root', o.root] : []),
    ...(o.configDir ? ['--config-dir', o.configDir] : []),
    ...(o.dsVersion ? ['--ds-version', o.dsVersion] : []),
    ...(o.hostname ? ['--hostname', o.hostname] : []),
    ...(o.serviceManager !== 'auto' ? ['--service-manager', o.serviceManager] : []),
    ...(o.supervisorConf ? ['--supervisor-conf', o.supervisorConf] : []),
    ...(o.restartAll ? ['--restart-all'] : []),
    ...(o.settleMs !== undefined ? ['--settle', secondsOf(o.settleMs)] : []),
    ...(o.healthUrl === undefined ? ['--no-health'] : o.healthUrl !== DEFAULT_HEALTH_URL ? ['--health-url', o.healthUrl] : []),
    ...(o.healthUrl !== undefined && o.healthTimeoutMs !== DEFAULT_HEALTH_TIMEOUT_MS ? ['--health-timeout', secondsOf(o.healthTimeoutMs)] : []),
    ...(o.stateDir !== DEFAULT_STATE_DIR ? ['--state-dir', o.stateDir] : []),
    ...(o.integratorCheckTimeoutMs !== undefined ? ['--integrator-check-timeout', secondsOf(o.integratorCheckTimeoutMs)] : []),
    ...(o.normalize ? ['--normalize'] : []),
  ];
}

/** `apply`'s flags for a validated request, in the order the wizard asks. */
export function requestArgs(req: ApplyRequest): string[] {
  const occFlag = req.integrator === 'owncloud' ? '--owncloud-occ' : '--nextcloud-occ';
  return [
    ...(req.integrator ? ['--integrator', req.integrator] : []),
    ...(req.allow ?? []).flatMap((a) => ['--allow', a]),
    ...(req.storageUrl ? ['--storage-url', req.storageUrl] : []),
    ...(req.secretFile !== undefined ? ['--secret-file', req.secretFile] : []),
    ...(req.secretEnv !== undefined ? ['--secret-env', req.secretEnv] : []),
    ...(req.generateSecret ? ['--generate-secret'] : []),
    ...(req.rotate ? ['--rotate'] : []),
    ...(req.header !== undefined ? ['--header', req.header] : []),
    ...(req.useforrequest === true ? ['--useforrequest'] : req.useforrequest === false ? ['--no-useforrequest'] : []),
    ...(req.behindProxy ? ['--behind-proxy'] : []),
    ...(req.errorcode !== undefined ? ['--errorcode', String(req.errorcode)] : []),
    ...(req.occ !== undefined ? [occFlag, req.occ] : []),
  ];
}

/**
 * The command that repeats this change without questions: `sudo ds-harden apply …` on the live host (`--root /`),
 * `ds-harden apply … --root DIR` for a copied tree (no sudo, as check's next step prints it).
 */
export function equivalentCommand(req: ApplyRequest, o: RunTargetOptions): string {
  const line = commandLine(['ds-harden', 'apply', ...requestArgs(req), ...targetArgs(o)]);
  return o.root === '/' ? `sudo ${line}` : line;
}
