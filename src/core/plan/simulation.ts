/**
 * The ipfilter simulation apply shows before it writes: which clients and hosts the new rules let in, judged by
 * DS's own first-match semantics (core/ds/ipfilter.ts evaluateIpFilter). Pure: the storage host's address is
 * resolved by the caller (an adapter), as DS's outgoing check resolves it (ds-facts §3.3).
 */
import { evaluateIpFilter, type IpVerdict } from '../ds/ipfilter.js';

/** Something to test against the rules: a client IP, or an outgoing host name with the one address DS resolves. */
export interface SimTarget {
  readonly label: string;
  readonly ip?: string;
  readonly hostname?: string;
}

export interface SimulationRow {
  /** What was tested: "10.0.0.5", "nc.example (192.0.2.7)". */
  readonly target: string;
  readonly label: string;
  readonly decision: IpVerdict['decision'];
  /** 1-based rule number that decided, with the rule, or undefined when no rule matched. */
  readonly rule?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '0:0:0:0:0:0:0:1']);

/** A concrete address a glob such as `10.1.*` or `2001:db8:*` matches (for the simulation), or undefined. */
export function sampleAddress(glob: string): string | undefined {
  if (glob === '*') return undefined;
  if (/^[\d.*]+$/.test(glob)) {
    const parts = glob.split('.');
    const filled = parts.flatMap((p) => (p === '*' ? Array(Math.max(1, 5 - parts.length)).fill('7') : [p]));
    return filled.slice(0, 4).join('.');
  }
  if (/^[0-9a-f:*]+$/i.test(glob)) return glob.replace(/\*/g, '7');
  return undefined;
}

/**
 * The targets worth showing for `rules`: the storage host, each allowed integrator (a sample address for a glob,
 * the name for a host-name rule), loopback, the caller's test addresses, and a public, a LAN and the IPv6 loopback
 * address that an allow-list must refuse.
 */
export function simulationTargets(rules: readonly { address: string; allowed: boolean }[], storage: SimTarget | undefined, testAddresses: readonly string[]): SimTarget[] {
  const targets: SimTarget[] = storage ? [storage] : [];
  for (const r of rules) {
    if (!r.allowed) continue;
    const ip = r.address.includes('*') ? sampleAddress(r.address) : r.address;
    if (LOOPBACK.has(r.address)) targets.push({ label: 'loopback (health checks, nginx)', ip: r.address });
    else if (ip && /^[\d.:a-f]+$/i.test(ip)) targets.push({ label: r.address === ip ? 'integrator' : `integrator (${r.address})`, ip });
    else targets.push({ label: 'integrator host name', hostname: r.address });
  }
  for (const a of testAddresses) targets.push({ label: 'test address', ip: a });
  targets.push({ label: 'public address', ip: '203.0.113.50' }, { label: 'LAN address', ip: '192.168.77.77' }, { label: 'IPv6 loopback (::1)', ip: '::1' });
  return targets;
}

/** Each target judged against `rules` as DS would (errorcode 403: a deny blocks). */
export function simulateRules(rules: readonly { address: string; allowed: boolean }[], targets: readonly SimTarget[]): SimulationRow[] {
  return targets.map((t) => {
    const target = t.hostname !== undefined && t.ip !== undefined ? `${t.hostname} (${t.ip})` : (t.hostname ?? t.ip ?? '(no address)');
    const v = evaluateIpFilter(rules, { ...(t.ip !== undefined ? { ip: t.ip } : {}), ...(t.hostname !== undefined ? { hostname: t.hostname } : {}) }, 403);
    return {
      target,
      label: t.label,
      decision: v.decision,
      ...(v.matchedIndex !== undefined ? { rule: `#${v.matchedIndex + 1} ${JSON.stringify(rules[v.matchedIndex])}` } : {}),
    };
  });
}
