/** Build a RuleContext from in-memory files, optionally on top of a real upstream release's config files. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type LoadOptions, type LoadedConfig } from '../../src/core/layers/load.js';
import { makeContext, evaluate } from '../../src/core/evaluate.js';
import type { HostFacts, Rule, RuleContext } from '../../src/core/rules/rule.js';
import type { Finding } from '../../src/core/types.js';
import { memoryHost, ETC, type MemFile } from './memory-host.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_CONFIGS = path.resolve(REPO, '../shared/ds-configs');

/** Release directories available in ../shared/ds-configs (e.g. "v9.3.0"), oldest first. */
export function releases(): string[] {
  return fs
    .readdirSync(SHARED_CONFIGS)
    .filter((v) => /^v\d/.test(v))
    .sort((a, b) => {
      const pa = a.slice(1).split('.').map(Number);
      const pb = b.slice(1).split('.').map(Number);
      return pa[0]! - pb[0]! || pa[1]! - pb[1]! || pa[2]! - pb[2]!;
    });
}

/** The stock server files of a release, as host-path → text, under /etc/onlyoffice/documentserver. */
export function stockFiles(release: string): Record<string, string> {
  const dir = path.join(SHARED_CONFIGS, release, 'server');
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of ['default.json', 'production-linux.json']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) out[`${ETC}/${name}`] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

export interface CtxOptions extends LoadOptions {
  release?: string;
  host?: HostFacts;
  hostname?: string;
}

export async function load(files: Record<string, string | MemFile>, opts: CtxOptions = {}): Promise<LoadedConfig> {
  const all = { ...(opts.release ? stockFiles(opts.release) : {}), ...files };
  const dsVersion = opts.dsVersion ?? (opts.release ? opts.release.slice(1) : undefined);
  return loadConfig(memoryHost(all, opts.hostname), { ...opts, ...(dsVersion ? { dsVersion } : {}) });
}

export async function context(files: Record<string, string | MemFile>, opts: CtxOptions = {}): Promise<RuleContext> {
  const loaded = await load(files, opts);
  return makeContext(loaded, { deployment: loaded.deployment, ...(opts.host ?? {}) });
}

/** Run one rule (or several) over files; returns its findings. */
export async function run(rule: Rule | readonly Rule[], files: Record<string, string | MemFile>, opts: CtxOptions = {}): Promise<Finding[]> {
  return evaluate(Array.isArray(rule) ? rule : [rule as Rule], await context(files, opts));
}

export const LOCAL = `${ETC}/local.json`;
export { ETC };
