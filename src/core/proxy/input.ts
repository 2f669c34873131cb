/**
 * Every user value that reaches a proxy snippet, checked before any text is made (pure): the allow list, the
 * upstream, where nginx/Apache listen, the server name and the frame-ancestors origins. A value that a server would
 * read as more than one value — a line break, `;`, `{`, `}`, `#`, a quote or a space — never fits the forms accepted
 * here, so nothing a user types can end a comment or add a directive. The snippet's "Regenerate with:" line is the
 * same values, each argument shell-quoted (core/text/shell.ts), so running it in a shell makes the same snippet.
 */
import { commandLine } from '../text/shell.js';
import { allowedBlocks, checkListen, checkOrigin, parseServerName, parseUpstream, ProxyValueError, type ProxyInput, type ProxyType } from './common.js';

/** What the user asked for, as given (flags and the policy file's allow list). */
export interface ProxyRequest {
  readonly type: ProxyType;
  /** The integrator addresses: the policy file's first, then --allow's. */
  readonly allow: readonly string[];
  readonly upstream: string;
  readonly listen?: string;
  readonly serverName?: string;
  readonly frameAncestors: readonly string[];
}

/**
 * The request checked and made into a generator's input. Throws ProxyValueError naming the first flag whose value
 * cannot be used (with the value, JSON-quoted, and what to write instead); no other error for bad input.
 */
export function proxyInput(req: ProxyRequest, toolVersion: string): ProxyInput {
  if (req.listen !== undefined && req.type === 'haproxy') {
    throw new ProxyValueError('--listen', req.listen, "haproxy's snippet is a backend; the address it answers on is the bind line of your own frontend");
  }
  const allow = allowedBlocks(req.allow);
  parseUpstream(req.upstream);
  const listen = req.listen !== undefined ? checkListen(req.listen) : undefined;
  const serverName = req.serverName !== undefined ? parseServerName(req.type, req.serverName) : undefined;
  const frameAncestors = req.frameAncestors.map(checkOrigin);
  const argv = ['ds-harden', 'proxy', '--type', req.type, ...req.allow.flatMap((a) => ['--allow', a]), '--upstream', req.upstream];
  if (req.listen !== undefined) argv.push('--listen', req.listen);
  if (req.serverName !== undefined) argv.push('--server-name', req.serverName);
  for (const f of req.frameAncestors) argv.push('--frame-ancestors', f);
  return {
    allow,
    upstream: req.upstream,
    ...(listen !== undefined ? { listen } : {}),
    ...(serverName ? { serverName } : {}),
    frameAncestors,
    command: commandLine(argv),
    toolVersion,
  };
}
