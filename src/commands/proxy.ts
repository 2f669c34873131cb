/**
 * `ds-harden proxy --type haproxy|nginx|apache`: print (or write with -o) the reverse-proxy rules that close what
 * DS itself cannot: X-Forwarded-For overwritten, server-to-server routes, /info, /welcome and /example for the
 * integrator only, optional frame-ancestors. Read-only apart from -o.
 *
 * Every value is checked before any text is made (core/proxy/input.ts; the allow list first with apply's own check,
 * apply/request.ts): a bad one exits 2 naming the flag and the value, and nothing is printed or written.
 */
import type { Io } from '../cli/io.js';
import { UsageError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { checkAllowInput } from '../apply/request.js';
import { ProxyValueError, type ProxyType } from '../core/proxy/common.js';
import { proxyInput } from '../core/proxy/input.js';
import { proxySnippet } from '../core/proxy/index.js';
import { TOOL_VERSION } from '../version.js';
import { checkOutputFolder, writeOutput } from './output.js';
import { readPolicy } from './policy-file.js';

export interface ProxyOptions {
  readonly type: ProxyType;
  readonly allow: readonly string[];
  /** JSON file with `allow` (the same file `apply --policy` reads, validated the same way; its other keys are not used here). */
  readonly policy?: string;
  readonly upstream: string;
  readonly listen?: string;
  readonly serverName?: string;
  readonly frameAncestors: readonly string[];
  readonly output?: string;
}

export async function runProxy(o: ProxyOptions, io: Io): Promise<number> {
  if (o.output !== undefined) checkOutputFolder(o.output, io.cwd);
  for (const a of o.allow) checkAllowInput(a, '--allow');
  const allow = [...(o.policy ? ((await readPolicy(o.policy, io.cwd)).allow ?? []) : []), ...o.allow];
  if (allow.length === 0) throw new UsageError('give the integrator address(es) with --allow ADDRESS (repeatable) or --policy FILE');
  let text: string;
  try {
    const input = proxyInput(
      {
        type: o.type,
        allow,
        upstream: o.upstream,
        ...(o.listen !== undefined ? { listen: o.listen } : {}),
        ...(o.serverName !== undefined ? { serverName: o.serverName } : {}),
        frameAncestors: o.frameAncestors,
      },
      TOOL_VERSION,
    );
    text = proxySnippet(o.type, input);
  } catch (e) {
    if (e instanceof ProxyValueError) throw new UsageError(e.message);
    throw e;
  }
  if (o.output !== undefined) {
    await writeOutput(o.output, io.cwd, text, 0o644);
    io.err(`${o.type} rules written to ${o.output}\n`);
  } else io.out(text);
  return EXIT.OK;
}
