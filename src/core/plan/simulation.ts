/**
 * The ipfilter simulation apply shows before it writes: which clients and hosts the new rules let in, judged by
 * DS's own first-match semantics (core/ds/ipfilter.ts evaluateIpFilter). Pure: the storage host's address is
 * resolved by the caller (an adapter), as DS's outgoing check resolves it (ds-facts §3.3).
 */
import { reach, type ReachVerdict } from '../ds/reach.js';

/**
 * Something to test against the rules: a client IP (an incoming request), or — `outgoing` — a host DS calls
 * (callbacks, downloads) with the one address it resolves to.
 */
export interface SimTarget {
  readonly label: string;
  readonly ip?: string;
  readonly hostname?: string;
  readonly outgoing?: boolean;
}

/** What the simulation needs to know besides the rules (the values DS reads after the change). */
export interface SimSettings {
  readonly useforrequest: unknown;
  readonly errorcode?: unknown;
  /** a proxy in front overwrites X-Forwarded-For (--behind-proxy) */
  readonly xffOverwritingProxy: boolean;
}

export interface SimulationRow {
  /** What was tested: "10.0.0.5", "nc.example (192.0.2.7)". */
  readonly target: string;
  readonly label: string;
  /** core/ds/reach.ts: allowed, denied, denied-unless-xff-forged, not-filtered (useforrequest off), error. */
  readonly decision: ReachVerdict;
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
  const targets: SimTarget[] = storage ? [{ ...storage, outgoing: true }] : [];
  for (const r of rules) {
    if (!r.allowed) continue;
    const ip = r.address.includes('*') ? sampleAddress(r.address) : r.address;
    if (LOOPBACK.has(r.address)) targets.push({ label: 'loopback (health checks, nginx)', ip: r.address });
    else if (ip && /^[\d.:a-f]+$/i.test(ip)) targets.push({ label: r.address === ip ? 'integrator' : `integrator (${r.address})`, ip });
    else targets.push({ label: 'integrator host name (outgoing checks only)', hostname: r.address, outgoing: true });
  }
  for (const a of testAddresses) targets.push({ label: 'test address', ip: a });
  targets.push({ label: 'public address', ip: '203.0.113.50' }, { label: 'LAN address', ip: '192.168.77.77' }, { label: 'IPv6 loopback (::1)', ip: '::1' });
  return targets;
}

/**
 * Each target judged as DS would: outgoing ones by ipfilter alone (DS's checkHostFilter tests the host name — an IP
 * literal is its own name — and the resolved address); incoming ones only when useforrequest is on, and then with
 * X-Forwarded-For in mind (core/ds/reach.ts).
 */
export function simulateRules(rules: readonly { address: string; allowed: boolean }[], targets: readonly SimTarget[], settings: SimSettings): SimulationRow[] {
  return targets.map((t) => {
    const target = t.hostname !== undefined && t.ip !== undefined && t.hostname !== t.ip ? `${t.hostname} (${t.ip})` : (t.hostname ?? t.ip ?? '(no address)');
    const input = t.outgoing
      ? { hostname: t.hostname ?? t.ip ?? '', ...(t.ip !== undefined ? { ip: t.ip } : {}) }
      : { ...(t.ip !== undefined ? { ip: t.ip } : {}) };
    const r = reach({ rules, useforrequest: settings.useforrequest, errorcode: settings.errorcode ?? 403, xffOverwritingProxy: settings.xffOverwritingProxy }, input);
    const v = r.ipfilter;
    return {
      target,
      label: t.label,
      decision: r.verdict,
      ...(v.matchedIndex !== undefined && r.verdict !== 'not-filtered' ? { rule: `#${v.matchedIndex + 1} ${JSON.stringify(rules[v.matchedIndex])}` } : {}),
    };
  });
}
