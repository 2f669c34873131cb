/**
 * DocService's HTTP routes as facts: which ones answer server-to-server calls (and so belong to the integrator
 * only), which ones are public pages, and which ones the editors need in every browser. One owner for these
 * facts: the proxy generators (core/proxy), the live probe (core/probe) and the reach rule read them from here.
 *
 * Sources (ONLYOFFICE/server@4e56b8d0, DocService/sources/server.js; the same routes at v9.3.1.11, ds-observed §3e):
 * - `checkClientIp` (ipfilter with useforrequest) guards: GET/POST /coauthoring/CommandService.ashx (:223-224),
 *   POST /command (:225), GET/POST /ConvertService.ashx (:227-228), POST /converter (:229), GET /healthcheck (:252),
 *   POST /docbuilder (:271), /info/info.json (routes/info.js:316), /internal/cluster/inactive and /pre-stop
 *   (:276-280), WOPI /hosting/discovery, /hosting/capabilities, /lool|cool/convert-to (:325-328), /dummyCallback
 *   (:353). ≤ 8.2 also /FileUploader.ashx (ds-facts §3.3).
 * - Not guarded (ipfilter never applies): /index.html (:180, the version banner), static files (:211),
 *   /upload, /downloadas, /savefile, /printfile, /downloadfile (:245-251), /internal/connections/edit (:282),
 *   socket.io /doc/ (the editor websocket), /cache/files (served by DS's nginx with a secure link).
 * - DS's own nginx (document-server-package@01c980c1): `/` redirects to /welcome/ (ds-docservice.conf.m4:2);
 *   /welcome/ and /example/ come from the example package (documentserver-example/nginx/includes/ds-example.conf.m4:1-14);
 *   /info and /internal are limited to 127.0.0.1 there (ds-docservice.conf.m4:58-73), but port 8000 is not;
 *   and any path behind a version prefix `/<x.y.z>-<tag>/` is passed to DocService with the prefix removed
 *   (ds-docservice.conf.m4:79-82), so a path rule must also match the prefixed form.
 * - Express matches routes case-insensitively and accepts a trailing slash (express 4 defaults), so rules must too.
 */

/** What a route is for, from the point of view of who must reach it. */
export type RouteKind = 'server-api' | 'monitoring' | 'admin-info' | 'welcome' | 'example' | 'internal';

export interface DsRoute {
  /** Path (no version prefix), as DS routes it; matched case-insensitively, with or without what follows a `/`. */
  readonly path: string;
  readonly kind: RouteKind;
  /** DS guards it with checkClientIp (ipfilter with useforrequest). */
  readonly ipfilter: boolean;
  /** What it does, for comments and reports. */
  readonly what: string;
}

/**
 * Routes a reverse proxy should refuse to everybody but the integrator (and the host itself): the server-to-server
 * APIs, monitoring, the info page, the welcome page and the example application.
 */
export const INTEGRATOR_ROUTES: readonly DsRoute[] = [
  { path: '/coauthoring/CommandService.ashx', kind: 'server-api', ipfilter: true, what: 'command service (info, drop, forcesave, version …)' },
  { path: '/command', kind: 'server-api', ipfilter: true, what: 'command service (JSON API)' },
  { path: '/ConvertService.ashx', kind: 'server-api', ipfilter: true, what: 'conversion service' },
  { path: '/converter', kind: 'server-api', ipfilter: true, what: 'conversion service (JSON API)' },
  { path: '/docbuilder', kind: 'server-api', ipfilter: true, what: 'document builder (runs scripts)' },
  { path: '/FileUploader.ashx', kind: 'server-api', ipfilter: true, what: 'file uploader (DS ≤ 8.2)' },
  { path: '/hosting/discovery', kind: 'server-api', ipfilter: true, what: 'WOPI discovery' },
  { path: '/hosting/capabilities', kind: 'server-api', ipfilter: true, what: 'WOPI capabilities' },
  { path: '/lool/convert-to', kind: 'server-api', ipfilter: true, what: 'WOPI conversion' },
  { path: '/cool/convert-to', kind: 'server-api', ipfilter: true, what: 'WOPI conversion' },
  { path: '/dummyCallback', kind: 'server-api', ipfilter: true, what: 'test callback endpoint' },
  { path: '/healthcheck', kind: 'monitoring', ipfilter: true, what: 'health check (Nextcloud and monitoring)' },
  { path: '/info', kind: 'admin-info', ipfilter: true, what: 'info page and /info/info.json (connections, licence, build)' },
  { path: '/welcome', kind: 'welcome', ipfilter: false, what: 'welcome page (says which server this is)' },
  { path: '/example', kind: 'example', ipfilter: false, what: 'example application (anyone can create and edit documents)' },
];

/** Routes nobody outside the DS host needs (cluster shutdown and pre-stop); DS's own nginx allows them from 127.0.0.1 only. */
export const HOST_ONLY_ROUTES: readonly DsRoute[] = [
  { path: '/internal', kind: 'internal', ipfilter: true, what: 'cluster shutdown / pre-stop and connection counts' },
];

/**
 * What the editors need from every browser; a proxy must leave these working (they are listed in comments and
 * requested by the proxy tests): the API script, the static apps, the websocket, the cache files and the
 * editor's upload/download calls.
 */
export const EDITOR_PATHS: readonly string[] = [
  '/web-apps/apps/api/documents/api.js',
  '/web-apps/',
  '/sdkjs/',
  '/sdkjs-plugins/',
  '/fonts/',
  '/dictionaries/',
  '/doc/',
  '/cache/files/',
  '/downloadas/',
  '/downloadfile/',
  '/upload/',
  '/savefile/',
  '/printfile/',
];

/** The editor API script integrators load (public by design). */
export const API_SCRIPT = '/web-apps/apps/api/documents/api.js';

/**
 * DS's version prefix as its nginx matches it (`[\d]+\.[\d]+\.[\d]+[\.|-][\w]+`, ds-docservice.conf.m4:79),
 * as a regular-expression fragment without the leading slash.
 */
export const VERSION_PREFIX_RE = String.raw`\d+\.\d+\.\d+[.|-]\w+`;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A case-insensitive-ready regular expression (PCRE and JavaScript syntax; no flags inside) that matches the
 * request path of any of `routes`: with or without DS's version prefix, with repeated slashes, with anything after
 * a `/` (`/info/info.json`) or nothing. Give it the flag (`~*`, `-i`, `(?i)`) of the proxy that uses it.
 * E.g. `^(/+\d+\.\d+\.\d+[.|-]\w+)?/+(command|healthcheck)(/.*)?$`.
 */
export function routesRegex(routes: readonly DsRoute[]): string {
  const alts = routes.map((r) => r.path.replace(/^\/+/, '').split('/').map(escapeRe).join('/+'));
  return `^(/+${VERSION_PREFIX_RE})?/+(${alts.join('|')})(/.*)?$`;
}
