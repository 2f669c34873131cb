/**
 * What the live probe requests, as data (pure). The requests are few, harmless (no document is converted or
 * changed: CommandService `version` and a conversion request without a source) and all go to the origin given.
 *
 * What DS answers (ds-observed §3d/§3e, from a real DocService 9.3.1):
 * - CommandService (`POST /coauthoring/CommandService.ashx` `{"c":"version"}`): always HTTP 200; `error` 0 and the
 *   version when accepted, 6 for a missing/invalid/wrong-secret/`alg:none` token, 7 for an expired one. A body
 *   `token` is used when present, otherwise the inbox header (with the `Bearer ` prefix) (ds-facts §4.1).
 * - ConvertService (`POST /ConvertService.ashx`, `Accept: application/json`): `-8` when the token is missing or
 *   wrong, `-7` (bad parameters, nothing converted) when it is accepted.
 * - ipfilter (useforrequest): a denied client gets `errorcode` with Express's status text (`Forbidden`,
 *   `Unauthorized`; errorcode 200 gives `OK`); DS judges the left-most X-Forwarded-For entry; a non-IP entry
 *   matches no rule and passes.
 */
import type { TokenKind } from './tokens.js';

export type ProbeId =
  | 'banner'
  | 'healthcheck'
  | 'info'
  | 'welcome'
  | 'example'
  | 'api'
  | 'cmd-unsigned'
  | 'cmd-configured'
  | 'cmd-wrong'
  | 'cmd-default'
  | 'cmd-none'
  | 'cmd-expired'
  | 'convert-unsigned'
  | 'convert-configured'
  | 'xff-allowed'
  | 'xff-non-ip'
  | 'xff-denied';

export interface ProbeRequest {
  readonly id: ProbeId;
  readonly method: 'GET' | 'POST';
  /** path below the base URL, without a leading slash */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body; `token` is added when `token` is set */
  readonly body?: Readonly<Record<string, unknown>>;
  /** the token this request carries, in the configured header (with the prefix) and in the body */
  readonly token?: TokenKind;
  /** for people: "CommandService, unsigned" */
  readonly label: string;
}

/** What a URL to probe must be (probe's argument, check --url; core/text/url.ts checks it when the flags are parsed). */
export const PROBE_URL = { use: 'ds-harden probes a server', example: 'https://office.example.org/', noCredentials: true } as const;

/** Requests the probe sends at most, redirects included (stated in --help). */
export const MAX_PROBE_REQUESTS = 24;

export const COMMAND_PATH = 'coauthoring/CommandService.ashx';
export const CONVERT_PATH = 'ConvertService.ashx';
/** A filtered route that reads nothing and changes nothing: the baseline for the X-Forwarded-For test. */
export const FILTERED_PATH = 'healthcheck';
/** A documentation address (RFC 5737 TEST-NET-3) that no allow-list admits. */
export const DENIED_ADDRESS = '203.0.113.50';

const VERSION_BODY = { c: 'version' } as const;

export interface PlanInput {
  /** a secret is known (local config, --secret-file, --secret-env): send the integrator's signed requests */
  readonly haveSecret: boolean;
}

/** The first round: pages, CommandService with every kind of token, conversion. */
export function planProbe(input: PlanInput): ProbeRequest[] {
  const page = (id: ProbeId, path: string, label: string): ProbeRequest => ({ id, method: 'GET', path, headers: { accept: '*/*' }, label });
  const api = (path: string, service: string) => (id: ProbeId, label: string, token?: TokenKind): ProbeRequest => ({
    id,
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: VERSION_BODY,
    ...(token ? { token } : {}),
    label: `${service}, ${label}`,
  });
  const cmd = api(COMMAND_PATH, 'CommandService');
  const convert = api(CONVERT_PATH, 'ConvertService (converts nothing)');
  return [
    page('banner', 'index.html', 'version banner /index.html'),
    page('api', 'web-apps/apps/api/documents/api.js', 'editor API script'),
    page('welcome', 'welcome/', 'welcome page /welcome/'),
    page('example', 'example/', 'example application /example/'),
    page('info', 'info/info.json', 'info page /info/info.json'),
    page('healthcheck', FILTERED_PATH, 'healthcheck'),
    cmd('cmd-unsigned', 'unsigned'),
    ...(input.haveSecret ? [cmd('cmd-configured', 'signed with the configured secret', 'configured')] : []),
    cmd('cmd-wrong', 'signed with a wrong secret', 'wrong'),
    cmd('cmd-default', 'signed with the stock secret "secret"', 'default'),
    cmd('cmd-none', 'token with alg "none"', 'none'),
    ...(input.haveSecret ? [cmd('cmd-expired', 'expired token (configured secret)', 'expired')] : []),
    convert('convert-unsigned', 'unsigned'),
    ...(input.haveSecret ? [convert('convert-configured', 'signed with the configured secret', 'configured')] : []),
  ];
}

/** How the baseline request to the filtered route came out (see judge.ts `classifyFilter`). */
export type FilterOutcome = 'passed' | 'blocked' | 'other';

/**
 * The second round: the filtered route again with a forged X-Forwarded-For, chosen from how the first try came out.
 * - refused: claim an address the rules allow (`allowedAddress`), then a non-IP value; if either passes, DS trusts
 *   the client's header.
 * - passed: claim an address no allow-list admits; if that is refused, DS judges the client's header (so an outsider
 *   can claim an allowed one).
 * - anything else (404, 5xx, no answer): nothing to compare with, no request.
 */
export function planXff(baseline: FilterOutcome, allowedAddress: string): ProbeRequest[] {
  const xff = (id: ProbeId, value: string, label: string): ProbeRequest => ({
    id,
    method: 'GET',
    path: FILTERED_PATH,
    headers: { accept: '*/*', 'x-forwarded-for': value },
    label: `healthcheck with X-Forwarded-For: ${value} (${label})`,
  });
  if (baseline === 'blocked') return [xff('xff-allowed', allowedAddress, 'an allowed address'), xff('xff-non-ip', 'unknown', 'not an IP address')];
  if (baseline === 'passed') return [xff('xff-denied', DENIED_ADDRESS, 'an address no allow-list admits')];
  return [];
}
