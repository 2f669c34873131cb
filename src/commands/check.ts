/** `ds-harden check`: discover → load → resolve → evaluate → report. Read-only. */
import fs from 'node:fs';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { rootedHost } from '../adapters/host-fs.js';
import { gatherHostFacts } from '../adapters/host-facts.js';
import { loadConfig, type LoadedConfig } from '../core/layers/load.js';
import { evaluate, makeContext } from '../core/evaluate.js';
import { rules } from '../core/rules/index.js';
import { failed, type Report } from '../core/report.js';
import type { Severity } from '../core/types.js';
import { TOOL_VERSION } from '../version.js';
import { explain } from './explain.js';
import { formatJson } from '../formatters/json.js';
import { formatText } from '../formatters/text.js';

export interface CheckOptions {
  readonly root: string;
  readonly configDir?: string;
  readonly dsVersion?: string;
  readonly hostname?: string;
  readonly format: 'text' | 'json' | 'sarif';
  readonly failOn: Severity;
  readonly explain?: string;
  readonly showSecrets: boolean;
  readonly noColor: boolean;
  readonly output?: string;
}

/** Shared by check and apply: load the configuration DS would load from this root. */
export async function loadFromRoot(opts: Pick<CheckOptions, 'root' | 'configDir' | 'dsVersion' | 'hostname'>, cwd: string): Promise<{ loaded: LoadedConfig; host: ReturnType<typeof rootedHost> }> {
  const root = path.resolve(cwd, opts.root);
  let isDir = false;
  try {
    isDir = fs.statSync(root).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new UsageError(`--root ${opts.root}: no such directory`);
  const host = rootedHost(root);
  const loaded = await loadConfig(host, {
    ...(opts.configDir ? { configDir: opts.configDir } : {}),
    ...(opts.dsVersion ? { dsVersion: opts.dsVersion } : {}),
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
  });
  const listing = await host.list(loaded.configDir);
  if (!listing) {
    throw new UsageError(
      `no DS configuration directory at ${loaded.configDir}${root === '/' ? '' : ` under ${root}`} — pass --config-dir DIR or --root DIR`,
    );
  }
  if (loaded.layers.length === 0) {
    throw new UsageError(`${loaded.configDir} holds no configuration file DS would load (default.json, local.json, …)`);
  }
  return { loaded, host };
}

export async function runCheck(opts: CheckOptions, io: Io): Promise<number> {
  const { loaded, host } = await loadFromRoot(opts, io.cwd);
  const style = await io.style(opts.noColor || opts.format !== 'text' || Boolean(opts.output));

  if (opts.explain) {
    io.out(explain(loaded, opts.explain, opts.showSecrets, style).text);
    return EXIT.OK;
  }

  const facts = await gatherHostFacts(host, loaded);
  const findings = evaluate(rules, makeContext(loaded, facts));
  const report: Report = {
    tool: { name: 'ds-harden', version: TOOL_VERSION },
    configDir: loaded.configDir,
    root: host.root,
    dsVersion: loaded.version,
    layers: loaded.layers.map((l) => ({ file: l.file, kind: l.kind, status: l.status, atStartup: l.atStartup })),
    findings,
    failOn: opts.failOn,
    rules: rules.map(({ id, area, severity, title, why, remediation, fixedByApply }) => ({ id, area, severity, title, why, remediation, ...(fixedByApply ? { fixedByApply } : {}) })),
  };
  let text: string;
  if (opts.format === 'json') text = formatJson(report, { showSecrets: opts.showSecrets });
  // SARIF's fingerprints need node:crypto, which costs a few ms to load: only for --format sarif
  else if (opts.format === 'sarif') text = (await import('../formatters/sarif.js')).formatSarif(report, { showSecrets: opts.showSecrets });
  else text = formatText(report, { style });
  if (opts.output) {
    fs.writeFileSync(path.resolve(io.cwd, opts.output), text);
    io.err(`report written to ${opts.output}\n`);
  } else io.out(text);
  return failed(report) ? EXIT.FINDINGS : EXIT.OK;
}
