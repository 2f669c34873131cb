/** The DS image names and versions from image references. Pure; kept apart from compose.ts so it loads without `yaml`. */
import type { Version } from '../types.js';
import { parseVersion } from '../ds/versions.js';

/**
 * The official image (onlyoffice/documentserver, -de, -ee; Docker-DocumentServer README) and Nextcloud All-in-One's DS
 * container (nextcloud/aio-onlyoffice, ghcr.io/nextcloud-releases/aio-onlyoffice; nextcloud/all-in-one@0195785e
 * php/containers.json, "nextcloud-aio-onlyoffice").
 */
export const DS_IMAGE = /(^|\/)(documentserver(-de|-ee)?|aio-onlyoffice)(:[^/]*|@sha256:[0-9a-f]+)?$/i;

/** Reverse proxies commonly put in front of DS in the same compose project. */
export const PROXY_IMAGE = /(^|\/)(nginx|nginx-proxy|nginx-proxy-manager|openresty|traefik|caddy|haproxy|httpd|apache2?|swag|envoy)(:[^/]*)?$/i;

/** DS version from an image tag: "onlyoffice/documentserver:9.2.0" → 9.2.0, ":9.2" → 9.2.0; latest or no tag → undefined. */
export function imageVersion(image: string | undefined): Version | undefined {
  const tag = image ? /:([^/:@]+)(@.*)?$/.exec(image)?.[1] : undefined;
  return tag && /^\d+\.\d+/.test(tag) ? parseVersion(tag) : undefined;
}
