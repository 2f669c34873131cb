/**
 * What the three proxy generators share: the input, the integrator address list as CIDR blocks, and the
 * explanations each snippet carries as comments. Pure.
 *
 * Addresses take the same `--allow` values as `apply` (an IP, a DS glob such as `10.1.*`, or a CIDR block) and go
 * through the same normalisation (core/ds/ipfilter.ts `normalizeRuleAddress`); proxies match address blocks, so a
 * glob becomes the CIDR block it stands for, and any CIDR prefix is accepted (haproxy, nginx and Apache all have
 * CIDR, unlike DS). Loopback (127.0.0.1 and ::1) is always allowed, as `apply` allows it in ipfilter: monitoring on
 * the proxy host and DS's own health checks come from there.
 */
import * as ipaddrNamespace from 'ipaddr.js';
import { normalizeRuleAddress } from '../ds/ipfilter.js';
import { HOST_ONLY_ROUTES, INTEGRATOR_ROUTES, routesRegex } from '../ds/routes.js';
import { hostNameProblem } from '../text/host-name.js';

const ipaddr: typeof ipaddrNamespace =
  (ipaddrNamespace as unknown as { default?: typeof ipaddrNamespace }).default ?? ipaddrNamespace;

/**
 * A value given for `flag` that cannot go into a proxy configuration. The message names the flag, shows the value
 * (JSON-quoted, so a line break or a quote is visible) and says what to write instead.
 */
export class ProxyValueError extends Error {
  override readonly name = 'ProxyValueError';
  constructor(
    readonly flag: string,
    readonly value: string,
    reason: string,
  ) {
    super(`${flag} ${JSON.stringify(value)}: ${reason}`);
  }
}

export type ProxyType = 'haproxy' | 'nginx' | 'apache';
export const PROXY_TYPES: readonly ProxyType[] = ['haproxy', 'nginx', 'apache'];

/** One allowed block: `cidr` as the proxies write it (`192.168.10.20`, `10.1.0.0/16`, `2001:db8::/32`), and what the user gave (checked). */
export interface AllowedBlock {
  readonly cidr: string;
  readonly given: string;
}

export interface ProxyInput {
  /** Integrator blocks, loopback included (see {@link allowedBlocks}). */
  readonly allow: readonly AllowedBlock[];
  /** Where DS answers, as `host:port` (its packaged nginx, the Docker container's port 80, or DocService's 8000). */
  readonly upstream: string;
  /** Where nginx and Apache listen (`80`, `127.0.0.1:8443`); haproxy's frontend is the user's own. Default 80. */
  readonly listen?: string;
  /** Public host name of DS (nginx server_name, Apache ServerName/ServerAlias); `_`/none when absent. */
  readonly serverName?: ServerName;
  /** Origins allowed to embed the editor (Content-Security-Policy frame-ancestors), e.g. `https://cloud.example.org`. */
  readonly frameAncestors: readonly string[];
  /** The command line that regenerates the snippet (printed in its header), each argument shell-quoted. */
  readonly command: string;
  /** ds-harden's version (printed in the header). */
  readonly toolVersion: string;
}

const LOOPBACK: readonly AllowedBlock[] = [
  { cidr: '127.0.0.1', given: 'loopback' },
  { cidr: '::1', given: 'loopback' },
];

/** `10.1.*` → `10.1.0.0/16`; `2001:db8:*` → `2001:db8::/32`; an exact address → itself; otherwise null. */
export function globToCidr(glob: string): string | null {
  if (!glob.includes('*')) {
    if (!ipaddr.isValid(glob)) return null;
    const ip = ipaddr.parse(glob);
    return ip.kind() === 'ipv6' ? (ip as ipaddrNamespace.IPv6).toString() : ip.toString();
  }
  if (glob === '*') return null;
  if (!glob.includes(':')) {
    const m = /^((?:\d{1,3}\.){1,3})\*$/.exec(glob);
    if (!m) return null;
    const octets = m[1]!.slice(0, -1).split('.');
    if (octets.some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return null;
    const full = [...octets, ...Array(4 - octets.length).fill('0')].join('.');
    return `${full}/${octets.length * 8}`;
  }
  const m = /^((?:[0-9a-f]{1,4}:){1,7})\*$/i.exec(glob);
  if (!m) return null;
  const groups = m[1]!.slice(0, -1).split(':');
  const full = [...groups, ...Array(8 - groups.length).fill('0')].join(':');
  return `${ipaddr.IPv6.parse(full).toString()}/${groups.length * 16}`;
}

/**
 * The integrator list as blocks for a proxy, loopback added. Each value is an IP, a DS glob or a CIDR block.
 * Throws Error with a message that names the value and what to write instead (host names, `*`, globs that are
 * not a whole block such as `10.1.2.1*`, CIDR with host bits set).
 */
export function allowedBlocks(values: readonly string[]): AllowedBlock[] {
  const out: AllowedBlock[] = [];
  const add = (b: AllowedBlock) => {
    if (!out.some((o) => o.cidr === b.cidr)) out.push(b);
  };
  for (const raw of values) {
    const fail = (reason: string) => new ProxyValueError('--allow', raw, reason);
    // what reaches the snippet's comments is only what this check lets through: no space, quote or line break
    if (!/^[0-9A-Za-z.:*\/-]+$/.test(raw)) throw fail('not an IP address, IP glob or CIDR block (one address per --allow; no spaces, quotes or separators)');
    const v = raw;
    if (v.includes('/')) {
      if (!ipaddr.isValidCIDR(v)) throw fail('not a CIDR block (write 10.0.0.0/8 or 2001:db8::/32)');
      const [ip, prefix] = ipaddr.parseCIDR(v);
      const net = ip.kind() === 'ipv6' ? ipaddr.IPv6.networkAddressFromCIDR(v) : ipaddr.IPv4.networkAddressFromCIDR(v);
      if (net.toString() !== ip.toString()) throw fail(`its host bits are set; the block is ${net.toString()}/${prefix}`);
      add({ cidr: `${net.toString()}/${prefix}`, given: raw });
      continue;
    }
    let glob: string;
    try {
      glob = normalizeRuleAddress(v);
    } catch (e) {
      throw fail((e as Error).message);
    }
    if (glob === '*') throw fail('"*" would let everybody reach the server-to-server routes; give the integrator\'s address');
    const cidr = globToCidr(glob);
    if (cidr === null) {
      throw fail(
        ipaddr.isValid(glob.replace(/\*/g, '0')) || /^[\d.*]+$/.test(glob)
          ? 'this glob is not a whole address block; write a CIDR block (e.g. 10.1.2.0/24) or exact addresses'
          : 'a proxy matches client addresses, not host names; give the integrator\'s IP address or CIDR block',
      );
    }
    add({ cidr, given: raw });
  }
  for (const lo of LOOPBACK) add(lo);
  return out;
}

/** An IPv4 address written as four decimal numbers (what nginx, Apache and haproxy parse as an address). */
export function isDottedQuad(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && ipaddr.IPv4.isValidFourPartDecimal(s);
}

/** The inside of `[…]`: an IPv6 address without a zone (`%eth0` means nothing to another host). */
export function isBracketedIpv6(s: string): boolean {
  return /^\[[0-9A-Fa-f:.]+\]$/.test(s) && ipaddr.IPv6.isValid(s.slice(1, -1));
}

/** A TCP port, 1–65535, in decimal. */
function port(s: string): number | undefined {
  const n = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * `host:port` with a numeric port: a host name, a dotted-quad IPv4 address or an IPv6 address in brackets.
 * Throws ProxyValueError (--upstream) when it is not.
 */
export function parseUpstream(value: string): { host: string; port: number } {
  const fail = (why: string) => new ProxyValueError('--upstream', value, why);
  const m = /^(\[[^\]]*\]|[^:[\]]*):([^:]*)$/.exec(value);
  if (!m) throw fail("write host:port, e.g. 127.0.0.1:80 (DS's nginx), 127.0.0.1:8000 (DocService) or [::1]:80");
  const [, host, p] = m as unknown as [string, string, string];
  const n = port(p);
  if (n === undefined) throw fail('the port must be a number from 1 to 65535');
  if (host.startsWith('[')) {
    if (!isBracketedIpv6(host)) throw fail(`${host} is not an IPv6 address`);
  } else if (!isDottedQuad(host)) {
    const why = hostNameProblem(host);
    if (why) throw fail(`the host ${JSON.stringify(host)}: ${why}`);
  }
  return { host, port: n };
}

/**
 * Where nginx or Apache listens: `PORT`, `*:PORT`, `IPv4:PORT` or `[IPv6]:PORT` (the forms nginx `listen` and Apache
 * `<VirtualHost>` share; a host name is resolved once at start-up, so an address is asked for). Returns the value;
 * throws ProxyValueError (--listen) otherwise.
 */
export function checkListen(value: string): string {
  const fail = (why: string) => new ProxyValueError('--listen', value, why);
  const m = /^(?:(\*|\[[^\]]*\]|[^:[\]]*):)?([^:]*)$/.exec(value);
  const usage = 'write a port (8080), ADDRESS:PORT (127.0.0.1:8080, *:8080) or [IPv6]:PORT ([::1]:8080)';
  if (!m) throw fail(usage);
  const [, addr, p] = m as unknown as [string, string | undefined, string];
  if (port(p) === undefined) throw fail(`the port must be a number from 1 to 65535; ${usage}`);
  if (addr === undefined || addr === '*' || isDottedQuad(addr) || isBracketedIpv6(addr)) return value;
  throw fail(addr.startsWith('[') ? `${addr} is not an IPv6 address` : `${JSON.stringify(addr)} is not an IP address; ${usage}`);
}

/**
 * An origin for frame-ancestors: scheme://host[:port], nothing else; the host a name (a leading `*.` wildcard is
 * CSP's, W3C CSP3 host-source), a dotted-quad IPv4 or a bracketed IPv6 address. Returns the serialised origin;
 * throws ProxyValueError (--frame-ancestors) otherwise.
 */
export function checkOrigin(value: string): string {
  const fail = (why: string) => new ProxyValueError('--frame-ancestors', value, why);
  // the URL parser drops tabs and line breaks silently; the value as given goes into the snippet's header
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(value)) throw fail('contains a space or control character (one origin per --frame-ancestors)');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw fail('not an origin (write https://cloud.example.org)');
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw fail('give only scheme, host and port (https://cloud.example.org)');
  }
  const host = u.hostname;
  if (!isDottedQuad(host) && !isBracketedIpv6(host)) {
    const why = hostNameProblem(host.startsWith('*.') ? host.slice(2) : host);
    if (why) throw fail(`the host ${JSON.stringify(host)}: ${why}`);
  }
  return u.origin;
}

/**
 * The public name a snippet answers to, as given: `exact` a host name or address; `leading` `*.example.org`;
 * `trailing` `www.example.*`; `dot` `.example.org` (nginx: the name and all its subdomains).
 */
export interface ServerName {
  readonly name: string;
  readonly form: 'exact' | 'leading' | 'trailing' | 'dot';
}

/**
 * A `--server-name` as `type` accepts it (nginx server_name: exact names, `*.x`, `x.*` and `.x`, nginx.org
 * "Server names"; Apache: ServerName takes one exact name, ServerAlias the wildcards, httpd 2.4 core docs; haproxy:
 * the Host header matched exactly, by its end or its start). Regular-expression names are not offered. Throws
 * ProxyValueError (--server-name) naming what to write.
 */
export function parseServerName(type: ProxyType, value: string): ServerName {
  const fail = (why: string) => new ProxyValueError('--server-name', value, why);
  if (isDottedQuad(value) || isBracketedIpv6(value)) return { name: value, form: 'exact' };
  let form: ServerName['form'] = 'exact';
  let rest = value;
  if (value.startsWith('*.')) [form, rest] = ['leading', value.slice(2)];
  else if (value.endsWith('.*')) [form, rest] = ['trailing', value.slice(0, -2)];
  else if (value.startsWith('.') && value.length > 1) [form, rest] = ['dot', value.slice(1)];
  if (value.startsWith('~')) throw fail('regular-expression names are not offered; give a host name or a wildcard such as *.example.org');
  if (value === '_') throw fail('leave --server-name out for a server that answers any name');
  if (rest.includes('*')) throw fail('a wildcard "*" may only be the first or the last label (*.example.org, www.example.*)');
  const why = hostNameProblem(rest);
  if (why) throw fail(why);
  if (form === 'dot' && type !== 'nginx') throw fail(`".example.org" is nginx's shorthand for the name and its subdomains; ${type === 'apache' ? 'Apache' : 'haproxy'} takes one name: ${rest} or *.${rest}`);
  return { name: value, form };
}

/** The regular expression for the integrator-only routes (see core/ds/routes.ts), without a case flag. */
export const INTEGRATOR_RE = routesRegex(INTEGRATOR_ROUTES);
/** The regular expression for the host-only routes (/internal). */
export const HOST_ONLY_RE = routesRegex(HOST_ONLY_ROUTES);

/** `frame-ancestors 'self' <origins>` (the editor frames its own pages too, so 'self' stays). */
export function cspValue(origins: readonly string[]): string {
  return `frame-ancestors 'self' ${origins.join(' ')}`;
}

/**
 * Lines as comments (`# …`, `#` for an empty line) indented by `pad`. All three servers end a comment at a line
 * break, so a line that holds one would let what follows it be read as configuration: that is refused here (a
 * bug, since every value is checked before it reaches a snippet).
 */
export function commentLines(lines: readonly string[], pad = ''): string[] {
  return lines.map((l) => {
    if (/[\r\n\u2028\u2029]/.test(l)) throw new Error(`internal: a comment line of the proxy snippet holds a line break: ${JSON.stringify(l)}`);
    return l ? `${pad}# ${l}` : `${pad}#`;
  });
}

/** The comment lines every snippet starts with (without the comment marker). */
export function headerLines(input: ProxyInput, what: string): string[] {
  return [
    `ds-harden ${input.toolVersion}: ${what} in front of ONLYOFFICE Docs (Document Server).`,
    `Regenerate with: ${input.command}`,
    '',
    'What it does:',
    '  1. X-Forwarded-For is replaced by the address the client connects from. DS (ipfilter with useforrequest)',
    '     judges the left-most X-Forwarded-For entry, which a client can otherwise write itself.',
    '  2. The server-to-server routes (command and conversion services, docbuilder, WOPI discovery and',
    '     conversion, healthcheck), /info, /welcome and /example answer only the integrator addresses:',
    ...input.allow.map((a) => `       ${a.cidr}${a.given !== a.cidr && a.given !== 'loopback' ? `  (--allow ${a.given})` : a.given === 'loopback' ? '  (loopback: this host)' : ''}`),
    '     with or without DS\'s version prefix (/9.3.1-abc/command reaches /command through DS\'s nginx),',
    '     in any letter case (DS\'s routes ignore case).',
    '  3. /internal (cluster shutdown) answers nobody through the proxy.',
    '  4. Everything else passes: the editors, their static files (/web-apps, /sdkjs, /fonts …), the cache',
    '     files (/cache/files, secure links), the editor calls (/downloadas, /upload …) and the websocket (/doc/).',
    ...(input.frameAncestors.length
      ? [`  5. Content-Security-Policy "${cspValue(input.frameAncestors)}": only these origins may embed the editor.`]
      : []),
    '',
    'It does not replace JWT: keep services.CoAuthoring.token.enable.* true (ds-harden apply). And it only helps',
    'if this proxy is the only way in: firewall DS\'s own ports (80/443 of its nginx, 8000 of DocService) so that',
    'only this proxy reaches them, or a client can go around it and forge X-Forwarded-For there.',
  ];
}
