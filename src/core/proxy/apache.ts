/**
 * Apache httpd (≥ 2.4.47, tested with Debian's 2.4): a VirtualHost in front of DS. Pure: ProxyInput → text.
 *
 * Apache facts used (httpd 2.4 documentation): <LocationMatch> is matched against the decoded URL path after dot
 * segments are removed and slashes merged, and mod_proxy forwards that normalised path (an encoded slash is
 * refused by the default AllowEncodedSlashes Off); `ProxyAddHeaders Off` stops mod_proxy_http from appending to
 * X-Forwarded-For (it would keep the client's value in front) so the header is set with mod_headers and an
 * `expr=` value; `upgrade=websocket` on ProxyPass (2.4.47+) tunnels the editors' websocket; `Require ip` takes
 * addresses and CIDR blocks.
 */
import { commentLines, cspValue, headerLines, HOST_ONLY_RE, INTEGRATOR_RE, parseUpstream, type ProxyInput, type ServerName } from './common.js';

/** Modules the VirtualHost needs (Debian: a2enmod …). */
export const APACHE_MODULES = ['proxy', 'proxy_http', 'headers', 'authz_core', 'authz_host'] as const;

/** `80` → `*:80`; `127.0.0.1:8080` stays. (A matching `Listen` directive must exist: Debian's ports.conf has 80 and 443.) */
function vhostAddress(listen: string | undefined): string {
  const l = listen ?? '80';
  return /^\d+$/.test(l) ? `*:${l}` : l;
}

/**
 * ServerName for an exact host name or IPv4 address; a wildcard, and an IPv6 address (Debian's 2.4 refuses
 * `ServerName [2001:db8::30]`: "AH00526 … Invalid ServerName"), are matched only as a ServerAlias.
 */
function serverNameLines(n: ServerName | undefined): string[] {
  if (!n || (n.form === 'exact' && !n.name.startsWith('['))) return [`    ServerName ${n?.name ?? 'office.example.org'}`];
  const why = n.form === 'exact' ? 'ServerName does not take an IPv6 address' : 'it is a wildcard, and ServerName takes one exact name';
  return [...commentLines([`Apache matches ${n.name} as a ServerAlias (${why}).`], '    '), `    ServerAlias ${n.name}`];
}

export function apacheSnippet(input: ProxyInput): string {
  const up = parseUpstream(input.upstream);
  const c = commentLines;
  const target = `http://${up.host}:${up.port}/`;
  const lines = [
    ...c(headerLines(input, 'Apache VirtualHost')),
    '#',
    `# Needs mod_${APACHE_MODULES.join(', mod_')} (Debian: a2enmod ${APACHE_MODULES.filter((m) => !m.startsWith('authz')).join(' ')}).`,
    '# Put it in /etc/apache2/sites-available/onlyoffice-proxy.conf (a2ensite onlyoffice-proxy), add your TLS',
    '# lines (SSLEngine on, certificates) and reload (apache2ctl configtest && systemctl reload apache2).',
    '# It replaces a hand-written ProxyPass + mod_rewrite block: websocket and path rules are both handled here.',
    '',
    `<VirtualHost ${vhostAddress(input.listen)}>`,
    ...serverNameLines(input.serverName),
    '',
    ...c(
      [
        '1. X-Forwarded-For is the address that connected here, never what the client sent. mod_proxy would',
        '   append to the client\'s header (ProxyAddHeaders), so it is switched off and the headers are set here.',
      ],
      '    ',
    ),
    '    ProxyAddHeaders Off',
    '    RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"',
    '    RequestHeader set X-Forwarded-Proto "expr=%{REQUEST_SCHEME}"',
    '    RequestHeader set X-Forwarded-Host "expr=%{HTTP_HOST}"',
    '    ProxyPreserveHost On',
    ...(input.frameAncestors.length
      ? ['', ...c(['5. Only these origins may embed the editor in a frame.'], '    '), `    Header always set Content-Security-Policy "${cspValue(input.frameAncestors)}"`]
      : []),
    '',
    ...c(['4. Everything goes to DS, the editors\' websocket (/doc/…) included; sections 2 and 3 restrict paths.'], '    '),
    `    ProxyPass / ${target} upgrade=websocket`,
    `    ProxyPassReverse / ${target}`,
    '',
    ...c(['2. Command/conversion/builder/WOPI services, healthcheck, /info, /welcome, /example: integrator only.'], '    '),
    `    <LocationMatch "(?i)${INTEGRATOR_RE}">`,
    `        Require ip ${input.allow.map((a) => a.cidr).join(' ')}`,
    '    </LocationMatch>',
    '',
    ...c(['3. /internal (cluster shutdown, pre-stop): nobody through the proxy.'], '    '),
    `    <LocationMatch "(?i)${HOST_ONLY_RE}">`,
    '        Require all denied',
    '    </LocationMatch>',
    '</VirtualHost>',
    '',
  ];
  return lines.join('\n');
}
