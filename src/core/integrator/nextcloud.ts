/**
 * The integrator end of the JWT secret: what the ONLYOFFICE app for Nextcloud (and ownCloud) reads, how occ takes a
 * value without it ever being an argument, and how the app's own connection check reads. Pure: the occ calls are in
 * adapters/integrator/occ.ts.
 *
 * Facts (onlyoffice-nextcloud@9d5157cb, ds-facts §6, deploy-modes §9):
 * - Each key is read from the app config first (`occ config:app:get onlyoffice <key>`), then from config.php's
 *   system array `'onlyoffice' => [<key> => …]` (lib/AppConfig.php:377-386).
 * - An empty jwt_secret makes the app send no token; jwt_header defaults to "Authorization" (:600-628, :1299-1330).
 * - `occ config:import [file]` reads JSON {"apps": {"onlyoffice": {...}}} from the file or, without one, from stdin
 *   (nextcloud/server@0fca8837:core/Command/Config/Import.php execute/getArrayFromStdin); app values must be strings,
 *   ints or null (null deletes). `config:app:set --value=…` would put the secret in argv and echoes it back.
 * - `occ onlyoffice:documentserver --check` runs, in order: mixed-content test, GET healthcheck, CommandService
 *   {"c":"version"} signed with jwt_secret in <jwt_header> and in the body, a docx→docx conversion of the app's empty
 *   file (DS downloads it from StorageUrl: outgoing ipfilter, SSRF filter, outbox token), then a GET of the result;
 *   it prints "Error connection: <message>" (exit 1) or "… is successfully connected" (exit 0)
 *   (lib/DocumentService.php checkDocServiceUrl; lib/Command/DocumentServer.php:96-130).
 */

/** App keys ds-harden reads or writes (the app's own names). */
export const NC_KEYS = {
  secret: 'jwt_secret',
  header: 'jwt_header',
  url: 'DocumentServerUrl',
  internalUrl: 'DocumentServerInternalUrl',
  storageUrl: 'StorageUrl',
} as const;

export const NC_APP = 'onlyoffice';

/** The app's default header when jwt_header is unset (lib/AppConfig.php JwtHeader). */
export const NC_DEFAULT_HEADER = 'Authorization';

/** A value as the app resolves it: app config, else config.php's system array, else unset. */
export interface AppValue {
  readonly value?: string;
  readonly source: 'app' | 'system' | 'unset';
}

export type NcSettings = Readonly<Record<(typeof NC_KEYS)[keyof typeof NC_KEYS], AppValue>>;

/** The JSON `occ config:import` takes to set (or, with null, delete) app values. */
export function importDocument(values: Readonly<Record<string, string | null>>): string {
  return JSON.stringify({ apps: { [NC_APP]: values } });
}

/** The header the app sends (jwt_header, or its default). */
export function effectiveHeader(s: NcSettings): string {
  return s.jwt_header.value || NC_DEFAULT_HEADER;
}

/** The steps of the app's connection check, in the order it runs them. */
export const CHECK_STEPS = ['configured', 'mixed-content', 'healthcheck', 'version', 'conversion', 'result'] as const;
export type CheckStep = (typeof CHECK_STEPS)[number];

export const STEP_TEXT: Readonly<Record<CheckStep, string>> = {
  configured: 'the app knows the DS address',
  'mixed-content': 'https Nextcloud talks to https DS',
  healthcheck: 'DS healthcheck answers true',
  version: 'signed version command accepted (JWT secret and header match)',
  conversion: 'DS downloads a test file from the storage URL and converts it',
  result: 'Nextcloud fetches the converted file from DS',
};

export interface CheckReport {
  readonly ok: boolean;
  /** The step that failed (undefined when ok). */
  readonly failedStep?: CheckStep;
  /** The failure is an authentication failure ("Invalid token": secret or header mismatch). */
  readonly auth: boolean;
  /** The app's message (from "Error connection: …"), or the success line. */
  readonly message: string;
  /** The check did not finish in time (the app waits up to 120 s for a conversion). */
  readonly timedOut?: boolean;
}

/** Which step produced `message` (the app's texts; Guzzle errors name the URL they failed on). */
export function stepOfMessage(message: string): { step: CheckStep; auth: boolean } {
  const m = message;
  if (/not configured|Document server is not configured/i.test(m)) return { step: 'configured', auth: false };
  if (/Mixed Active Content/i.test(m)) return { step: 'mixed-content', auth: false };
  if (/Bad healthcheck status/i.test(m) || /\/healthcheck\b/.test(m)) return { step: 'healthcheck', auth: false };
  // "Invalid token": command error 6 or conversion error -8 — either way the pair does not match
  if (/Invalid token/i.test(m)) return { step: /ConvertService|converter/i.test(m) ? 'conversion' : 'version', auth: true };
  if (/CommandService\.ashx|Not supported version|Command not corre|Internal server error/i.test(m)) return { step: 'version', auth: false };
  if (/downloading the document|Error document request|Conversion error|Timeout conversion|conversion result database|Incorrect password|encrypt signature|Bad Response|can't read xml|ConvertService|\/converter\b|Unknown error|ErrorCode = -?\d+/i.test(m)) {
    return { step: 'conversion', auth: false };
  }
  if (/\/cache\/files\//.test(m)) return { step: 'result', auth: false };
  return { step: 'result', auth: false };
}

/** Read `occ onlyoffice:documentserver --check` output. */
export function readCheckOutput(exitCode: number | undefined, output: string, timedOut = false): CheckReport {
  const text = output.replace(/<\/?(info|error|comment)>/g, '').trim();
  if (timedOut) return { ok: false, failedStep: 'conversion', auth: false, message: 'the check did not finish in time (the app waits up to 120 s for the test conversion)', timedOut: true };
  if (exitCode === 0 && /successfully connected/i.test(text)) return { ok: true, auth: false, message: text.split('\n').pop() ?? text };
  const m = /Error connection:\s*([\s\S]*)$/.exec(text);
  const message = (m ? m[1]! : text || `occ exited with status ${exitCode ?? '?'}`).trim().split('\n')[0]!;
  const { step, auth } = stepOfMessage(message);
  return { ok: false, failedStep: step, auth, message };
}

/** How far a check got: the index of the failed step, or the number of steps when it passed. */
export function progressOf(r: CheckReport): number {
  return r.ok ? CHECK_STEPS.length : CHECK_STEPS.indexOf(r.failedStep ?? 'result');
}

export type CheckVerdict =
  /** passed after the change */
  | { readonly kind: 'passed' }
  /** the change broke the pair: roll both ends back */
  | { readonly kind: 'broke'; readonly why: string }
  /** it failed before as well, at the same step or earlier: keep the change, report the cause */
  | { readonly kind: 'failed-before-too'; readonly why: string };

/**
 * Judge the change by what it made worse: an authentication failure, or a step that passed before and fails now,
 * means the two ends no longer work together; a failure at a step that failed before too is not the change's.
 */
export function judgeChange(before: CheckReport | undefined, after: CheckReport): CheckVerdict {
  if (after.ok) return { kind: 'passed' };
  const step = after.failedStep!;
  if (after.auth && !(before && !before.ok && before.auth)) {
    return { kind: 'broke', why: `the app's check now fails authentication (${after.message}): DS and the app do not share the same secret and header` };
  }
  if (!before || progressOf(after) < progressOf(before)) {
    const was = before ? (before.ok ? 'passed before the change' : `got further before the change (to "${STEP_TEXT[before.failedStep!]}")`) : 'was not checked before';
    return { kind: 'broke', why: `the app's check fails at "${STEP_TEXT[step]}" (${after.message}), which ${was}` };
  }
  return { kind: 'failed-before-too', why: `the app's check fails at "${STEP_TEXT[step]}" (${after.message}), as it did before the change: ${adviceFor(step, after.message)}` };
}

/** What to change when a step fails for reasons ds-harden's change does not touch. */
export function adviceFor(step: CheckStep, message: string): string {
  switch (step) {
    case 'configured':
      return 'set the DS address in the ONLYOFFICE app settings (DocumentServerUrl)';
    case 'mixed-content':
      return 'serve DS over https (a reverse proxy with a certificate), or open Nextcloud over http';
    case 'healthcheck':
      return 'DS is not healthy or not reachable from Nextcloud at DocumentServerInternalUrl (check the DS log, the URL, and ipfilter with useforrequest)';
    case 'version':
      return /Invalid token/i.test(message) ? 'make jwt_secret and jwt_header equal to DS\'s inbox secret and header' : 'check the DS version and the CommandService answer';
    case 'conversion':
      return /downloading/i.test(message)
        ? "DS cannot download from Nextcloud: set StorageUrl to an address DS reaches, allow that host in ipfilter (--allow), and check request-filtering-agent for private addresses"
        : 'check the converter (ds-converter / ds:converter) and its log';
    case 'result':
      return "Nextcloud cannot fetch the converted file from DS: check DocumentServerInternalUrl and the proxy in front of DS (/cache/files)";
  }
}

/**
 * What to do by hand when ds-harden cannot run occ: the app settings page and an occ command that reads the
 * secret from a file (never a command-line value). `secret` is shown only when the caller was asked to.
 */
export function manualSteps(o: { product: 'Nextcloud' | 'ownCloud'; secret: string; header: string }): string[] {
  // the secret as it is (the caller masks it): only when JSON needs no escape in it, so masking finds it verbatim
  const inJson = JSON.stringify(o.secret) === `"${o.secret}"` ? o.secret : '<the secret key above>';
  return [
    `${o.product} → Administration settings → ONLYOFFICE → Advanced server settings: "Secret key" = ${o.secret}, "Authorization header" = ${o.header}; Save.`,
    `or with occ, without the secret on a command line: put ${importDocument({ [NC_KEYS.secret]: inJson, [NC_KEYS.header]: o.header })} in a file readable only by the web server user, then run`,
    `  sudo -u www-data php occ config:import <that file>   (then delete the file)`,
    `then check the pair: sudo -u www-data php occ onlyoffice:documentserver --check`,
  ];
}

/** The integrators ds-harden knows (apply --integrator, the wizard's first question). */
export type IntegratorKind = 'nextcloud' | 'owncloud' | 'seafile' | 'other';

/** The product name a message uses for each kind ("the integrator" when ds-harden does not know it). */
export const INTEGRATOR_PRODUCT: Readonly<Record<IntegratorKind, string>> = { nextcloud: 'Nextcloud', owncloud: 'ownCloud', seafile: 'Seafile', other: 'the integrator' };

/**
 * Where `kind` keeps the JWT secret and header DS checks, in words; without a kind (check, which cannot know the
 * integrator), where each known integrator keeps them. The ONLYOFFICE app for Nextcloud/ownCloud: "Secret key" and
 * "Authorization header" in its admin settings (app keys jwt_secret, jwt_header — NC_KEYS); Seafile: seahub_settings.py
 * (seafileLines). Never a command with the secret in its argv. `what`: the secret, the header, or both.
 */
export function integratorSettings(kind?: IntegratorKind, what: 'secret' | 'header' | 'both' = 'both'): string {
  const appFields = what === 'secret' ? '"Secret key"' : what === 'header' ? '"Authorization header"' : '"Secret key" and "Authorization header"';
  const seafile = `${what === 'secret' ? 'ONLYOFFICE_JWT_SECRET' : what === 'header' ? 'ONLYOFFICE_JWT_HEADER' : 'ONLYOFFICE_JWT_SECRET and ONLYOFFICE_JWT_HEADER'} in seahub_settings.py`;
  switch (kind) {
    case 'nextcloud':
    case 'owncloud':
      return `${INTEGRATOR_PRODUCT[kind]}'s ONLYOFFICE app settings (${appFields})`;
    case 'seafile':
      return seafile;
    case 'other':
      return "the integrator's ONLYOFFICE settings";
    default:
      return `its ONLYOFFICE settings (Nextcloud, ownCloud: the ONLYOFFICE app's ${appFields}; Seafile: ${seafile})`;
  }
}

/** What check says about the integrator's end of a new secret (it cannot know which integrator this is). */
export const INTEGRATOR_SECRET_NOTE = `Give the integrator the same secret, in ${integratorSettings(undefined, 'secret')}.`;

/** A Python string literal for seahub_settings.py (single quotes; backslash and quote escaped). */
export function pythonString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The seahub_settings.py lines for Seafile's ONLYOFFICE integration (haiwen/seahub@dbe823e6:
 * seahub/onlyoffice/settings.py: ONLYOFFICE_JWT_SECRET, ONLYOFFICE_JWT_HEADER default 'Authorization').
 */
export function seafileLines(o: { secret: string; header: string }): string[] {
  return [`ONLYOFFICE_JWT_SECRET = ${pythonString(o.secret)}`, `ONLYOFFICE_JWT_HEADER = ${pythonString(o.header)}`];
}
