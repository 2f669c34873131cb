/**
 * How to read DS's answers (pure): each exchange → a verdict, and all of them → the live observations the
 * live rules (DSH8xx) judge. Facts: ds-observed §3d (CommandService `error` 0/6/7, ConvertService -8/-7), §3e/§3f
 * (ipfilter answers `errorcode` with Express's status text, errorcode 200 answers `OK`; the left-most
 * X-Forwarded-For entry decides; a non-IP entry passes), and DocService's banner on /index.html
 * (`Server is functioning normally. Version: 9.3.1. Build: 11…`, server.js:180-206).
 */
import { planXff, type FilterOutcome, type ProbeId } from './plan.js';

/** What one request came back with (the adapter's answer, reduced to what is judged and shown). */
export interface Exchange {
  readonly id: ProbeId;
  readonly label: string;
  readonly method: 'GET' | 'POST';
  /** the URL that answered (after same-origin redirects) */
  readonly url: string;
  readonly status?: number;
  readonly contentType?: string;
  /** the first bytes of the body (DS's answers here hold no secret) */
  readonly body?: string;
  readonly error?: string;
  readonly code?: string;
  /** a redirect to another origin that was not followed */
  readonly offOriginRedirect?: string;
}

/**
 * - accepted: DS did what was asked (CommandService `error` 0 or another non-token error; conversion past the token check)
 * - refused: DS refused the token (CommandService 6, conversion -8)
 * - expired: CommandService 7
 * - blocked: refused before DS looked (ipfilter's errorcode, or the proxy in front)
 * - public: a page answered 200
 * - absent: 404
 * - other: anything else (5xx, redirect, unexpected body)
 * - no-answer: connection refused, timeout, TLS error, not sent
 */
export type Verdict = 'accepted' | 'refused' | 'expired' | 'blocked' | 'public' | 'absent' | 'other' | 'no-answer';

export interface Observation {
  readonly id: ProbeId;
  readonly label: string;
  readonly url: string;
  readonly verdict: Verdict;
  /** who blocked: DS's ipfilter (Express status text) or something else in front */
  readonly blockedBy?: 'ipfilter' | 'proxy';
  /** one line: "HTTP 200 {"error":6}", "connection refused" */
  readonly detail: string;
}

export interface LiveObservations {
  /** the base URL probed */
  readonly target: string;
  readonly fromIntegrator: boolean;
  /** requests sent (redirects included) and the limit */
  readonly requests: number;
  readonly maxRequests: number;
  readonly observations: readonly Observation[];
  /** the version the server reports (banner, or the accepted CommandService answer) */
  readonly version?: { readonly text: string; readonly build?: string; readonly url: string };
  /** X-Forwarded-For: how the filtered route answered without the header, and whether a forged one changed it */
  readonly xff: { readonly baseline: FilterOutcome; readonly spoofable?: boolean; readonly via?: ProbeId; readonly claimed?: string };
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden' };

function clip(s: string, n = 100): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

function describe(e: Exchange): string {
  if (e.offOriginRedirect) return `HTTP ${e.status} redirect to ${e.offOriginRedirect} (another origin: not followed)`;
  if (e.status === undefined) {
    if (e.code === 'ECONNREFUSED') return 'connection refused';
    if (e.code === 'ETIMEDOUT') return e.error ?? 'timed out';
    return e.error ?? e.code ?? 'no answer';
  }
  const body = e.body ? clip(e.body) : '';
  return `HTTP ${e.status}${body ? ` ${body}` : ''}`;
}

/** DS's ipfilter answers with Express's status text for its errorcode; anything else refusing is in front of DS. */
function blocked(e: Exchange): 'ipfilter' | 'proxy' | undefined {
  const s = e.status;
  if (s === undefined) return undefined;
  const body = (e.body ?? '').trim();
  if (s === 200) return body === 'OK' ? 'ipfilter' : undefined;
  if (s === 401 || s === 403) return body === STATUS_TEXT[s] ? 'ipfilter' : 'proxy';
  if (s === 400 && /<html|<body/i.test(body)) return 'proxy';
  return undefined;
}

function json(body: string | undefined): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body ?? '');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function base(e: Exchange, verdict: Verdict, extra: { blockedBy?: 'ipfilter' | 'proxy' } = {}): Observation {
  return { id: e.id, label: e.label, url: e.url, verdict, detail: describe(e), ...extra };
}

function common(e: Exchange): Observation | undefined {
  if (e.status === undefined) return base(e, 'no-answer');
  if (e.offOriginRedirect) return base(e, 'other');
  const by = blocked(e);
  if (by) return base(e, 'blocked', { blockedBy: by });
  if (e.status === 404) return base(e, 'absent');
  return undefined;
}

/** CommandService: HTTP 200 and `error` 0 (accepted), 6 (token refused), 7 (expired); other codes come after the token check. */
export function judgeCommand(e: Exchange): Observation {
  const c = common(e);
  if (c) return c;
  const j = json(e.body);
  if (e.status !== 200 || !j || typeof j.error !== 'number') return base(e, 'other');
  if (j.error === 6) return base(e, 'refused');
  if (j.error === 7) return base(e, 'expired');
  return base(e, 'accepted');
}

/** ConvertService: `-8` (token refused; JSON or XML), `-7` or a result (past the token check). */
export function judgeConvert(e: Exchange): Observation {
  const c = common(e);
  if (c) return c;
  if (e.status !== 200) return base(e, 'other');
  const j = json(e.body);
  const xml = /<Error>\s*(-?\d+)\s*<\/Error>/i.exec(e.body ?? '');
  const code = typeof j?.error === 'number' ? j.error : xml ? Number(xml[1]) : undefined;
  if (code === -8) return base(e, 'refused');
  if (code !== undefined || (j && ('endConvert' in j || 'percent' in j || 'fileUrl' in j))) return base(e, 'accepted');
  return base(e, 'other');
}

/** A page: 200 is public (the healthcheck only with `true`/`false`, info.json only as JSON). */
export function judgePage(e: Exchange): Observation {
  const c = common(e);
  if (c) return c;
  if (e.status !== 200) return base(e, 'other');
  const body = (e.body ?? '').trim();
  if (e.id === 'healthcheck' || e.id.startsWith('xff-')) return base(e, body === 'true' || body === 'false' ? 'public' : 'other');
  if (e.id === 'info') return base(e, json(body) ? 'public' : 'other');
  return base(e, 'public');
}

export function judgeExchange(e: Exchange): Observation {
  if (e.id.startsWith('cmd-')) return judgeCommand(e);
  if (e.id.startsWith('convert-')) return judgeConvert(e);
  return judgePage(e);
}

/** How the filtered route (healthcheck) came out: passed, blocked, or something that cannot be compared. */
export function filterOutcome(o: Observation | undefined): FilterOutcome {
  if (!o) return 'other';
  if (o.verdict === 'public') return 'passed';
  if (o.verdict === 'blocked') return 'blocked';
  return 'other';
}

/** `9.3.1`, build `11` from the banner, or from CommandService's `version` ("9.3.1.11"). */
export function versionOf(exchanges: readonly Exchange[]): LiveObservations['version'] {
  const banner = exchanges.find((e) => e.id === 'banner' && e.status === 200);
  const m = banner ? /Version:\s*(\d+\.\d+\.\d+)\.?\s*Build:\s*(\d+)/.exec(banner.body ?? '') : null;
  if (m && banner) return { text: m[1]!, build: m[2]!, url: banner.url };
  for (const e of exchanges) {
    if (!e.id.startsWith('cmd-') || judgeCommand(e).verdict !== 'accepted') continue;
    const v = json(e.body)?.version;
    const n = typeof v === 'string' ? /^(\d+\.\d+\.\d+)(?:\.(\d+))?/.exec(v) : null;
    if (n) return { text: n[1]!, ...(n[2] ? { build: n[2] } : {}), url: e.url };
  }
  return undefined;
}

/**
 * Everything the probe saw, judged. `claimed` is the address forged in X-Forwarded-For when the baseline was
 * refused (xff-allowed). The forged requests are compared with the baseline as planXff planned them.
 */
export function observe(input: {
  target: string;
  fromIntegrator: boolean;
  requests: number;
  maxRequests: number;
  exchanges: readonly Exchange[];
  claimed?: string;
}): LiveObservations {
  const observations = input.exchanges.map(judgeExchange);
  const byId = (id: ProbeId) => observations.find((o) => o.id === id);
  const baseline = filterOutcome(byId('healthcheck'));
  const planned = planXff(baseline, input.claimed ?? '').map((r) => r.id);
  let spoofable: boolean | undefined;
  let via: ProbeId | undefined;
  for (const id of planned) {
    const o = byId(id);
    if (!o) continue;
    const outcome = filterOutcome(o);
    if (outcome === 'other') continue;
    if (outcome !== baseline) {
      spoofable = true;
      via = id;
      break;
    }
    spoofable = false;
  }
  const version = versionOf(input.exchanges);
  return {
    target: input.target,
    fromIntegrator: input.fromIntegrator,
    requests: input.requests,
    maxRequests: input.maxRequests,
    observations,
    ...(version ? { version } : {}),
    xff: { baseline, ...(spoofable !== undefined ? { spoofable } : {}), ...(via ? { via } : {}), ...(input.claimed && baseline === 'blocked' ? { claimed: input.claimed } : {}) },
  };
}

