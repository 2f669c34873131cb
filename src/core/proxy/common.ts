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

const ipaddr: typeof ipaddrNamespace =
  (ipaddrNamespace as unknown as { default?: typeof ipaddrNamespace }).default ?? ipaddrNamespace;

export type ProxyType = 'haproxy' | 'nginx' | 'apache';
export const PROXY_TYPES: readonly ProxyType[] = ['haproxy', 'nginx', 'apache'];

/** One allowed block: `cidr` as the proxies write it (`192.168.10.20`, `10.1.0.0/16`, `2001:db8::/32`), and what the user gave. */
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
  /** Public host name of DS (nginx server_name, Apache ServerName); `_`/none when absent. */
  readonly serverName?: string;
  /** Origins allowed to embed the editor (Content-Security-Policy frame-ancestors), e.g. `https://cloud.example.org`. */
  readonly frameAncestors: readonly string[];
  /** The command line that regenerates the snippet (printed in its header). */
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
    const v = raw.trim();
    if (v.includes('/')) {
      if (!ipaddr.isValidCIDR(v)) throw new Error(`--allow ${raw}: not a CIDR block (write 10.0.0.0/8 or 2001:db8::/32)`);
      const [ip, prefix] = ipaddr.parseCIDR(v);
      const net = ip.kind() === 'ipv6' ? ipaddr.IPv6.networkAddressFromCIDR(v) : ipaddr.IPv4.networkAddressFromCIDR(v);
      if (net.toString() !== ip.toString()) throw new Error(`--allow ${raw}: its host bits are set; the block is ${net.toString()}/${prefix}`);
      add({ cidr: `${net.toString()}/${prefix}`, given: raw });
      continue;
    }
    const glob = normalizeRuleAddress(v);
    if (glob === '*') throw new Error(`--allow ${raw}: "*" would let everybody reach the server-to-server routes; give the integrator's address`);
    const cidr = globToCidr(glob);
    if (cidr === null) {
      throw new Error(
        ipaddr.isValid(glob.replace(/\*/g, '0')) || /^[\d.*]+$/.test(glob)
          ? `--allow ${raw}: this glob is not a whole address block; write a CIDR block (e.g. 10.1.2.0/24) or exact addresses`
          : `--allow ${raw}: a proxy matches client addresses, not host names; give the integrator's IP address or CIDR block`,
      );
    }
    add({ cidr, given: raw });
  }
  for (const lo of LOOPBACK) add(lo);
  return out;
}

/** `host:port` with a numeric port; IPv6 hosts in brackets. Throws Error when it is not. */
export function parseUpstream(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`--upstream ${value}: write host:port, e.g. 127.0.0.1:80 (DS's nginx) or 127.0.0.1:8000 (DocService)`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** An origin for frame-ancestors: scheme://host[:port], nothing else. Throws Error otherwise. */
export function checkOrigin(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`--frame-ancestors ${value}: not an origin (write https://cloud.example.org)`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new Error(`--frame-ancestors ${value}: give only scheme, host and port (https://cloud.example.org)`);
  }
  return u.origin;
}

/** The regular expression for the integrator-only routes (see core/ds/routes.ts), without a case flag. */
export const INTEGRATOR_RE = routesRegex(INTEGRATOR_ROUTES);
/** The regular expression for the host-only routes (/internal). */
export const HOST_ONLY_RE = routesRegex(HOST_ONLY_ROUTES);

/** `frame-ancestors 'self' <origins>` (the editor frames its own pages too, so 'self' stays). */
export function cspValue(origins: readonly string[]): string {
  return `frame-ancestors 'self' ${origins.join(' ')}`;
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
