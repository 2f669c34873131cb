/**
 * URLs a user gives ds-harden to send HTTP requests to (--health-url, check --url, the probe URL, --storage-url): the
 * one judgement of "is this an http(s) URL", so every flag refuses `file:///etc/passwd`, `ftp://…` or garbage the same
 * way, before anything is read or written. Pure (the WHATWG URL parser Node provides).
 */

/**
 * Why `raw` is not an http:// or https:// URL with a host, or undefined when it is one. The text follows the value
 * in a message and says what to write (`example`); `use` says what the URL is for ("ds-harden probes the healthcheck").
 * `noCredentials`: a user name or password in it is a problem too (the probe sends requests to strangers' servers).
 */
export function httpUrlProblem(raw: string, o: { readonly use: string; readonly example: string; readonly noCredentials?: boolean }): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `not a URL (e.g. ${o.example})`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${o.use} over http:// or https://, not ${u.protocol} (e.g. ${o.example})`;
  if (!u.hostname) return `no host name (e.g. ${o.example})`;
  if (o.noCredentials && (u.username || u.password)) return 'leave credentials out of the URL';
  return undefined;
}
