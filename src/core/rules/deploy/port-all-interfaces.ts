/**
 * DSH906: a DS port of the container (nginx 80/443, DocService 8000) is published on every interface of the Docker host
 * while a reverse proxy is in front (a proxy service in the same compose project, proxy labels, or ipfilter's
 * useforrequest, which trusts X-Forwarded-For from a proxy). Clients can then go around the proxy — its access rules, and
 * the X-Forwarded-For it overwrites (ds-facts §3.4; DSH509).
 */
import type { Rule, RuleHit } from '../rule.js';
import { K } from '../../ds/keys.js';

const DS_PORTS = new Set([80, 443, 8000]);
const ALL = new Set(['', '0.0.0.0', '::', '[::]']);

export const dockerPortPublished: Rule = {
  id: 'DSH906',
  area: 'deployment',
  severity: 'medium',
  title: 'A DS port is published on every interface although a proxy is in front',
  why:
    'docker publishes "80:80" on all addresses of the host (and past the host firewall\'s INPUT chain). With a reverse proxy in ' +
    'front, anyone who reaches the host can talk to DS directly: the proxy\'s allow-list and headers do not apply, and with ' +
    'ipfilter.useforrequest a forged X-Forwarded-For passes ipfilter.',
  remediation: 'Publish the port on loopback only (127.0.0.1:8080:80), or not at all and let the proxy reach DS over the Docker network.',
  remedies: {
    docker: 'In {containerDef} publish the port on loopback only ("127.0.0.1:8080:80"), or drop it and let the proxy reach DS over the compose network; then {recreate}.',
  },
  reads: [K.ipUseForRequest],
  check(ctx) {
    const spec = ctx.host.deployment?.container;
    if (!spec) return [];
    const xff = ctx.get(K.ipUseForRequest) === true;
    if (spec.proxies.length === 0 && !xff) return [];
    const hits: RuleHit[] = [];
    for (const p of spec.ports) {
      if (!DS_PORTS.has(p.containerPort) || !ALL.has(p.hostIp)) continue;
      const proxy = spec.proxies.length ? `a proxy is in front (${spec.proxies.join(', ')})` : 'ipfilter.useforrequest is on, so DS expects requests through a proxy';
      hits.push({
        message:
          `Container port ${p.containerPort} is published on every interface of the host as port ${p.hostPort || '(random)'} (${p.origin.file}:${p.origin.line}) while ${proxy}: clients can bypass the proxy` +
          (xff ? ' and pass ipfilter with a forged X-Forwarded-For.' : '.'),
        location: { file: p.origin.file, line: p.origin.line, column: p.origin.column },
        severity: xff ? 'high' : 'medium',
      });
    }
    return hits;
  },
};
