/**
 * nginx (tested with Debian's 1.22): a file for the http context (e.g. /etc/nginx/conf.d/onlyoffice.conf) with a
 * server block in front of DS. Pure: ProxyInput → text.
 *
 * nginx facts used (nginx documentation): `location` matching uses the decoded, normalised URI (dot segments
 * resolved, slashes merged), and `proxy_pass` without a URI part forwards the request line unchanged; regular
 * expression locations (`~*`: case-insensitive) are checked in the order written, after the longest prefix; a level
 * that has any `proxy_set_header` inherits none from the level above, so the server level lists them all; `allow`
 * and `deny` are checked in order.
 *
 * Where DS ships its own nginx (deb/rpm, document-server-package@01c980c1):
 * - /etc/onlyoffice/documentserver/nginx/includes/*.conf are package files, symlinked into /etc/nginx/includes/
 *   (deb/template/package.install.m4:5, package.links.m4:3-7; rpm/common.spec:169 `%config`): an upgrade replaces
 *   them, so never edit them.
 * - /etc/onlyoffice/documentserver/nginx/ds.conf is made once from ds.conf.tmpl (deb postinst.m4 setup_nginx: only
 *   `if [ ! -e $DS_CONF ]`; rpm/common.spec:172 `%config(noreplace)`) and linked as /etc/nginx/conf.d/ds.conf.
 * So this file goes beside it, in /etc/nginx/conf.d/ (also a file the package does not own), as its own server on
 * the public port, and DS's server moves to loopback: change its `listen 0.0.0.0:80;`/`[::]:80` lines in ds.conf to
 * `listen 127.0.0.1:8080;` (an upgrade keeps ds.conf) and use --upstream 127.0.0.1:8080.
 */
import { commentLines, cspValue, headerLines, HOST_ONLY_RE, INTEGRATOR_RE, parseUpstream, type ProxyInput } from './common.js';

export function nginxSnippet(input: ProxyInput): string {
  const up = parseUpstream(input.upstream);
  const c = commentLines;
  const allow = input.allow.map((a) => `        allow ${a.cidr};`);
  const lines = [
    ...c(headerLines(input, 'nginx server block')),
    '#',
    '# Put this file in the http context, e.g. /etc/nginx/conf.d/onlyoffice-proxy.conf, add your TLS lines',
    '# (listen 443 ssl; ssl_certificate …) and reload nginx (nginx -t && systemctl reload nginx).',
    '# On a deb/rpm DS host whose own nginx (/etc/nginx/conf.d/ds.conf) holds port 80: move that server to',
    '# loopback by editing the listen lines in /etc/onlyoffice/documentserver/nginx/ds.conf (an upgrade keeps',
    '# ds.conf, but replaces the files in /etc/onlyoffice/documentserver/nginx/includes/, so never edit those),',
    '# e.g. "listen 127.0.0.1:8080;", and generate this file with --upstream 127.0.0.1:8080.',
    '',
    '# The websocket needs "Connection: upgrade" only when the client asks for an upgrade.',
    'map $http_upgrade $dsh_connection {',
    '    default upgrade;',
    "    ''      close;",
    '}',
    '',
    'upstream dsh_onlyoffice {',
    `    server ${up.host}:${up.port};`,
    '}',
    '',
    'server {',
    `    listen ${input.listen ?? '80'};`,
    `    server_name ${input.serverName?.name ?? '_'};`,
    '    server_tokens off;',
    '    # documents are uploaded through the editor',
    '    client_max_body_size 100m;',
    '',
    ...c(
      [
        '1. X-Forwarded-For is the address that connected here, never what the client sent',
        '   ($proxy_add_x_forwarded_for would keep the client\'s value in front, where DS reads it).',
        'Every proxy_set_header lives at this level, so that all locations below inherit the same set.',
      ],
      '    ',
    ),
    '    proxy_http_version 1.1;',
    '    proxy_set_header X-Forwarded-For $remote_addr;',
    '    proxy_set_header Host $http_host;',
    '    proxy_set_header X-Forwarded-Host $http_host;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_set_header Upgrade $http_upgrade;',
    '    proxy_set_header Connection $dsh_connection;',
    '    # open websockets stay up while idle',
    '    proxy_read_timeout 1h;',
    ...(input.frameAncestors.length
      ? ['', ...c(['5. Only these origins may embed the editor in a frame.'], '    '), `    add_header Content-Security-Policy "${cspValue(input.frameAncestors)}" always;`]
      : []),
    '',
    ...c(['2. Command/conversion/builder/WOPI services, healthcheck, /info, /welcome, /example: integrator only.'], '    '),
    `    location ~* ${INTEGRATOR_RE} {`,
    ...allow,
    '        deny all;',
    '        proxy_pass http://dsh_onlyoffice;',
    '    }',
    '',
    ...c(['3. /internal (cluster shutdown, pre-stop): nobody through the proxy.'], '    '),
    `    location ~* ${HOST_ONLY_RE} {`,
    '        deny all;',
    '    }',
    '',
    ...c(['4. Everything else (editors, static files, cache files, websocket) goes to DS unchanged.'], '    '),
    '    location / {',
    '        proxy_pass http://dsh_onlyoffice;',
    '    }',
    '}',
    '',
  ];
  return lines.join('\n');
}
