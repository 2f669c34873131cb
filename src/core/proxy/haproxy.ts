/**
 * haproxy (≥ 2.0, tested with Debian's 2.6): a `backend` section to use from the frontend that terminates TLS.
 * Pure: ProxyInput → text.
 *
 * haproxy facts used (haproxy 2.6 configuration manual): `http-request set-header` replaces every header of that
 * name; `src` is the address of the TCP client; `path` is the raw path without the query string, so it is decoded
 * with `url_dec` before matching (DS's nginx decodes and normalises the path before it forwards a versioned URL,
 * ds-docservice.conf.m4:79-82); single-quoted arguments are taken literally (no backslash processing); HTTP mode
 * passes WebSocket upgrades through, and `timeout tunnel` governs the open websocket.
 */
import { commentLines, cspValue, headerLines, HOST_ONLY_RE, INTEGRATOR_RE, parseUpstream, type ProxyInput, type ServerName } from './common.js';

/** The backend's name; the frontend selects it with `use_backend`. */
export const HAPROXY_BACKEND = 'onlyoffice';

/** The frontend's test of the Host header for the server name: exact, by its end (`*.x`) or by its start (`x.*`). */
function hostMatch(n: ServerName | undefined): string {
  if (!n) return 'hdr(host) -i office.example.org';
  if (n.form === 'leading') return `hdr_end(host) -i ${n.name.slice(1)}`;
  if (n.form === 'trailing') return `hdr_beg(host) -i ${n.name.slice(0, -1)}`;
  return `hdr(host) -i ${n.name}`;
}

export function haproxySnippet(input: ProxyInput): string {
  const up = parseUpstream(input.upstream);
  const c = commentLines;
  const srcs = input.allow.map((a) => a.cidr).join(' ');
  const lines = [
    ...c(headerLines(input, 'haproxy backend')),
    '#',
    '# Select it from the frontend that terminates TLS, e.g.:',
    '#   frontend https',
    '#       bind :443 ssl crt /etc/haproxy/certs/office.pem',
    `#       use_backend ${HAPROXY_BACKEND} if { ${hostMatch(input.serverName)} }`,
    '# and remove "option forwardfor" there (it would only add a second, correct header, but it is not needed).',
    '',
    `backend ${HAPROXY_BACKEND}`,
    '    mode http',
    '    # The editors keep a websocket open (/doc/…); haproxy passes the upgrade, this keeps it alive when idle.',
    '    timeout tunnel 1h',
    '',
    ...c(['1. The client\'s own X-Forwarded-For is dropped; DS sees the address that connected to haproxy.'], '    '),
    '    http-request set-header X-Forwarded-For %[src]',
    '',
    ...c(['Who may use the server-to-server routes: the integrator(s) and this host.'], '    '),
    `    acl dsh_integrator src ${srcs}`,
    ...c(
      [
        'Encoded or dot-segment paths (/a/../command, /%63ommand): browsers never send them, and DS\'s nginx would',
        'normalise them into a route that the rules below did not see. Refuse them outright.',
      ],
      '    ',
    ),
    String.raw`    acl dsh_dot_segment path,url_dec -m reg '(^|/)\.\.?(/|$)'`,
    '    http-request deny deny_status 400 if dsh_dot_segment',
    '',
    ...c(['2. Command/conversion/builder/WOPI services, healthcheck, /info, /welcome, /example: integrator only.'], '    '),
    `    acl dsh_integrator_only path,url_dec -m reg -i '${INTEGRATOR_RE}'`,
    '    http-request deny deny_status 403 if dsh_integrator_only !dsh_integrator',
    '',
    ...c(['3. /internal (cluster shutdown, pre-stop): nobody through the proxy.'], '    '),
    `    acl dsh_host_only path,url_dec -m reg -i '${HOST_ONLY_RE}'`,
    '    http-request deny deny_status 403 if dsh_host_only',
    '',
    ...c(['4. Everything else (editors, static files, cache files, websocket) goes to DS unchanged.'], '    '),
    `    server ds ${up.host}:${up.port}`,
    ...(input.frameAncestors.length
      ? ['', ...c(['5. Only these origins may embed the editor in a frame.'], '    '), `    http-response set-header Content-Security-Policy "${cspValue(input.frameAncestors)}"`]
      : []),
    '',
  ];
  return lines.join('\n');
}
