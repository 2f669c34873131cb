/**
 * `ds-harden proxy --type haproxy|nginx|apache`: print (or write with -o) the reverse-proxy rules that close what
 * DS itself cannot: X-Forwarded-For overwritten, server-to-server routes, /info, /welcome and /example for the
 * integrator only, optional frame-ancestors. Read-only apart from -o.
 */
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { writeFileAtomic } from '../adapters/atomic-write.js';
import { allowedBlocks, checkOrigin, parseUpstream, type ProxyType } from '../core/proxy/common.js';
import { proxySnippet } from '../core/proxy/index.js';
import { TOOL_VERSION } from '../version.js';
import { parsePolicyText } from '../apply/request.js';
import { readSmallFile } from '../adapters/small-file.js';
import { outputPath, writingOutput } from '../adapters/output-file.js';

export interface ProxyOptions {
  readonly type: ProxyType;
  readonly allow: readonly string[];
  /** JSON file with `allow` (the same file `apply --policy` reads; its other keys are not used here). */
  readonly policy?: string;
  readonly upstream: string;
  readonly listen?: string;
  readonly serverName?: string;
  readonly frameAncestors: readonly string[];
  readonly output?: string;
}

/** The `allow` list of a policy file (`apply --policy`): an array of strings, or nothing. */
async function policyAllow(file: string, cwd: string): Promise<string[]> {
  // read and parsed as apply reads it: a regular file of bounded size, a BOM dropped, errors at line:column
  const value = parsePolicyText(file, readSmallFile(file, cwd, `--policy ${file}`));
  const allow = value && typeof value === 'object' && !Array.isArray(value) ? (value as { allow?: unknown }).allow : undefined;
  if (allow === undefined) return [];
  if (!Array.isArray(allow) || allow.some((a) => typeof a !== 'string')) throw new UsageError(`--policy ${file}: "allow" must be a list of addresses`);
  return allow as string[];
}

/** The command line that regenerates the snippet (shown in its header); never contains a secret (there is none). */
function commandLine(o: ProxyOptions, allow: readonly string[]): string {
  const parts = ['ds-harden proxy', `--type ${o.type}`, ...allow.map((a) => `--allow ${a}`), `--upstream ${o.upstream}`];
  if (o.listen) parts.push(`--listen ${o.listen}`);
  if (o.serverName) parts.push(`--server-name ${o.serverName}`);
  for (const f of o.frameAncestors) parts.push(`--frame-ancestors ${f}`);
  return parts.join(' ');
}

export async function runProxy(o: ProxyOptions, io: Io): Promise<number> {
  const outFile = o.output !== undefined ? outputPath(o.output, io.cwd) : undefined;
  const allow = [...(o.policy ? await policyAllow(o.policy, io.cwd) : []), ...o.allow];
  if (allow.length === 0) throw new UsageError('give the integrator address(es) with --allow ADDRESS (repeatable) or --policy FILE');
  let text: string;
  try {
    parseUpstream(o.upstream);
    text = proxySnippet(o.type, {
      allow: allowedBlocks(allow),
      upstream: o.upstream,
      ...(o.listen ? { listen: o.listen } : {}),
      ...(o.serverName ? { serverName: o.serverName } : {}),
      frameAncestors: o.frameAncestors.map(checkOrigin),
      command: commandLine(o, allow),
      toolVersion: TOOL_VERSION,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (o.output && outFile) {
    await writingOutput(o.output, () => writeFileAtomic(outFile, text, { mode: 0o644 }));
    io.err(`${o.type} rules written to ${o.output}\n`);
  } else io.out(text);
  return EXIT.OK;
}
