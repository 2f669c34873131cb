/** The proxy snippet generators by type (pure). */
import type { ProxyInput, ProxyType } from './common.js';
import { haproxySnippet } from './haproxy.js';
import { nginxSnippet } from './nginx.js';
import { apacheSnippet } from './apache.js';

export function proxySnippet(type: ProxyType, input: ProxyInput): string {
  switch (type) {
    case 'haproxy':
      return haproxySnippet(input);
    case 'nginx':
      return nginxSnippet(input);
    case 'apache':
      return apacheSnippet(input);
  }
}
