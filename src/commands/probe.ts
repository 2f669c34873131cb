/**
 * `ds-harden probe <url>` (and `check --url`): plan (core/probe/plan) → sign (core/probe/tokens) → send through the
 * probe client (adapters/http: one origin, bounded count and time) → judge (core/probe/judge) → live rules → report.
 * The secret comes from the local configuration (the loader `check` uses), --secret-file or --secret-env; it never
 * appears in argv, output or errors.
 */
import { randomBytes } from 'node:crypto';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { probeClient } from '../adapters/http.js';
import { readSmallFile } from '../adapters/small-file.js';
import { secretOfFileText } from '../apply/secret.js';
import { gatherHostFacts } from '../adapters/host-facts.js';
import type { CheckOptions } from './check.js';
import { loadTarget } from './target.js';
import type { LoadedConfig } from '../core/layers/load.js';
import { evaluate, liveOnlyContext } from '../core/evaluate.js';
import { liveRules } from '../core/rules/index.js';
import { K } from '../core/ds/keys.js';
import { getPath } from '../core/layers/merge.js';
import { MAX_PROBE_REQUESTS, PROBE_URL, planProbe, planXff, type ProbeRequest } from '../core/probe/plan.js';
import { makeToken } from '../core/probe/tokens.js';
import { filterOutcome, judgePage, observe, type Exchange, type LiveObservations } from '../core/probe/judge.js';
import { claimAddress, inboxCredentials, type InboxCredentials } from '../core/probe/credentials.js';
import { failed, type ProbeReport } from '../core/report.js';
import { scrubText } from '../core/redact.js';
import { TOOL_VERSION } from '../version.js';
import { httpUrlProblem } from '../core/text/url.js';
import { formatProbeText } from '../formatters/probe-text.js';
import { formatProbeJson } from '../formatters/json.js';
import { formatSarif } from '../formatters/sarif.js';
import { checkOutputFolder, writeOutput } from './output.js';

export interface LiveOptions {
  readonly url: string;
  readonly fromIntegrator: boolean;
  readonly secretFile?: string;
  readonly secretEnv?: string;
  /** JWT header name, when it differs from the configuration's token.inbox.header */
  readonly header?: string;
  readonly insecure: boolean;
  /** per request, ms */
  readonly timeoutMs: number;
}

export interface ProbeOptions extends LiveOptions, Pick<CheckOptions, 'root' | 'configDir' | 'dsVersion' | 'hostname' | 'format' | 'failOn' | 'noColor' | 'output'> {
  /** --no-config: read no local DS configuration (a remote server; the secret from --secret-file/--secret-env) */
  readonly noConfig?: boolean;
}

/** The base URL: http(s), no credentials, no query; a path prefix (DS under /office/) is kept and ends in "/". */
export function probeBase(raw: string): URL {
  const problem = httpUrlProblem(raw, PROBE_URL);
  if (problem) throw new UsageError(`${JSON.stringify(raw)}: ${problem}`);
  const u = new URL(raw);
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

async function secretFromOptions(o: LiveOptions, io: Io): Promise<{ value: string; source: string } | undefined> {
  if (o.secretFile && o.secretEnv) throw new UsageError('choose one of --secret-file and --secret-env');
  if (o.secretFile) {
    // read as apply reads it: a regular file of bounded size (a FIFO would hang), BOM and final newline dropped
    return { value: secretOfFileText(readSmallFile(o.secretFile, io.cwd, `--secret-file ${o.secretFile}`)), source: `file ${o.secretFile}` };
  }
  if (o.secretEnv) {
    const v = io.env[o.secretEnv];
    if (!v) throw new UsageError(`--secret-env ${o.secretEnv}: the variable is not set or empty`);
    return { value: v, source: `environment variable ${o.secretEnv}` };
  }
  return undefined;
}

/**
 * Probe the running server. `loaded` (the local configuration, when there is one) gives the secret, header and an
 * address to claim in X-Forwarded-For. Sends at most MAX_PROBE_REQUESTS requests, all to the URL's origin.
 * Throws UsageError for a bad URL or when nothing at all answered.
 */
export async function liveProbe(o: LiveOptions, io: Io, loaded?: LoadedConfig, secretFiles?: ReadonlyMap<string, { content?: string }>): Promise<{ live: LiveObservations; secret?: string }> {
  const base = probeBase(o.url);
  const fromConfig: InboxCredentials = loaded
    ? inboxCredentials((p) => getPath(loaded.effective.value, p), secretFiles)
    : { header: 'Authorization', prefix: 'Bearer ' };
  const given = await secretFromOptions(o, io);
  const secret = given?.value ?? fromConfig.secret;
  const header = o.header ?? fromConfig.header;
  const claimed = loaded ? claimAddress(getPath(loaded.effective.value, K.ipRules), getPath(loaded.effective.value, K.ipErrorCode)) : '127.0.0.1';
  const client = probeClient({ origin: base.origin, maxRequests: MAX_PROBE_REQUESTS, timeoutMs: o.timeoutMs, insecure: o.insecure });
  const now = Math.floor(Date.now() / 1000);
  const wrongSecret = randomBytes(24).toString('base64url');

  const send = async (r: ProbeRequest): Promise<Exchange> => {
    const headers: Record<string, string> = { ...r.headers };
    let body: Record<string, unknown> | undefined = r.body ? { ...r.body } : undefined;
    if (r.token) {
      const token = await makeToken({ kind: r.token, claims: r.body ?? {}, ...(secret ? { secret } : {}), wrongSecret, now });
      headers[header.toLowerCase()] = `${fromConfig.prefix}${token}`;
      body = { ...body, token };
    }
    const a = await client.send({ url: new URL(r.path, base).href, method: r.method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    return {
      id: r.id,
      label: r.label,
      method: r.method,
      url: a.url,
      ...(a.status !== undefined ? { status: a.status } : {}),
      ...(a.headers?.['content-type'] ? { contentType: a.headers['content-type'] } : {}),
      ...(a.body !== undefined ? { body: a.body.slice(0, 2048) } : {}),
      ...(a.error ? { error: a.error } : {}),
      ...(a.code ? { code: a.code } : {}),
      ...(a.offOriginRedirect ? { offOriginRedirect: a.offOriginRedirect } : {}),
    };
  };

  const exchanges: Exchange[] = [];
  for (const r of planProbe({ haveSecret: Boolean(secret) })) exchanges.push(await send(r));
  if (exchanges.every((e) => e.status === undefined)) {
    // nothing reached the server: there is nothing to report, and it is not a pass (exit 2, as for a wrong URL)
    const first = exchanges[0]!;
    throw new UsageError(
      `${base.href} did not answer (${first.error ?? first.code ?? 'no answer'}; none of ${exchanges.length} requests got an answer, so nothing was checked): ` +
        `is it DS's public address?${first.code?.startsWith('CERT') || /certificate/i.test(first.error ?? '') ? ' (--insecure skips TLS verification for a test server)' : ''}`,
    );
  }
  const baseline = filterOutcome(judgePage(exchanges.find((e) => e.id === 'healthcheck')!));
  for (const r of planXff(baseline, claimed)) exchanges.push(await send(r));
  const live = observe({ target: base.href, fromIntegrator: o.fromIntegrator, requests: client.sent(), maxRequests: MAX_PROBE_REQUESTS, exchanges, claimed });
  return { live, ...(secret ? { secret } : {}) };
}

/** The local configuration, when the host has one (a probe from a workstation has none: that is fine). */
async function localConfig(o: ProbeOptions, io: Io): Promise<{ loaded?: LoadedConfig; secretFiles?: ReadonlyMap<string, { content?: string }> }> {
  if (o.noConfig) return {};
  const explicit = o.root !== '/' || o.configDir !== undefined;
  try {
    const { loaded, host } = await loadTarget(o, io.cwd);
    const facts = await gatherHostFacts(host, loaded);
    return { loaded, ...(facts.secretFiles ? { secretFiles: facts.secretFiles } : {}) };
  } catch (e) {
    if (explicit || !(e instanceof UsageError)) throw e;
    return {};
  }
}

export async function runProbe(o: ProbeOptions, io: Io): Promise<number> {
  if (o.output !== undefined) checkOutputFolder(o.output, io.cwd);
  const { loaded, secretFiles } = await localConfig(o, io);
  const { live, secret } = await liveProbe(o, io, loaded, secretFiles);
  const findings = evaluate(liveRules, liveOnlyContext(live));
  const report: ProbeReport = {
    tool: { name: 'ds-harden', version: TOOL_VERSION },
    target: live.target,
    live,
    findings,
    failOn: o.failOn,
    rules: liveRules.map(({ id, area, severity, title, why, remediation }) => ({ id, area, severity, title, why, remediation })),
  };
  const style = await io.style(o.noColor || o.format !== 'text' || Boolean(o.output));
  let text = o.format === 'json' ? formatProbeJson(report) : o.format === 'sarif' ? formatSarif(report, { showSecrets: false }) : formatProbeText(report, { style });
  // belt and braces: DS's answers never echo the secret, but nothing that carries it may reach the output
  if (secret) text = scrubText(text, [secret]);
  if (o.output !== undefined) {
    await writeOutput(o.output, io.cwd, text);
    io.err(`report written to ${o.output}\n`);
  } else io.out(text);
  // findings at or above --fail-on, or requests without an answer (INCOMPLETE): not a pass
  return failed(report) ? EXIT.FINDINGS : EXIT.OK;
}
