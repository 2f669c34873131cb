/** DS versions: parsing, comparison, and detection from package metadata or a default.json fingerprint. */
import type { DsVersionInfo, ParserFamily, Version } from '../types.js';
import { KNOWN_RELEASES, MARKERS } from './fingerprints.js';

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** DS 9.x bundles config 3.3.12 (JSON5 for .json); DS ≤ 8.3 bundles config 2.0.1 (ds-facts §1.3). */
export function parserFor(v: Version): ParserFamily {
  return v.major >= 9 ? 'config3' : 'config2';
}

export function exactVersion(v: Version, source: DsVersionInfo['source'], how: string): DsVersionInfo {
  return { min: v, max: v, exact: true, source, label: `${formatVersion(v)} (${how})`, parser: parserFor(v) };
}

/** `true` when every version in the range is below `v` (so a fix in `v` is certainly missing). */
export function certainlyBelow(info: DsVersionInfo, v: Version): boolean {
  return compareVersions(info.max, v) < 0;
}

/** `true` when every version in the range is at or above `v`. */
export function certainlyAtLeast(info: DsVersionInfo, v: Version): boolean {
  return compareVersions(info.min, v) >= 0;
}

/** `true` when some version in the range could lie in [lo, hi] (inclusive). */
export function mayBeWithin(info: DsVersionInfo, lo: Version, hi: Version): boolean {
  return compareVersions(info.max, lo) >= 0 && compareVersions(info.min, hi) <= 0;
}

export const V = (s: string): Version => {
  const v = parseVersion(s);
  if (!v) throw new Error(`bad version literal ${s}`);
  return v;
};

/**
 * The installed package version from a dpkg status database (`/var/lib/dpkg/status`):
 * onlyoffice-documentserver, -ee or -de, status "install ok installed". "9.3.0-140" → 9.3.0.
 */
export function versionFromDpkgStatus(status: string): Version | undefined {
  for (const para of status.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)/m.exec(para)?.[1];
    if (!pkg || !/^onlyoffice-documentserver(-ee|-de)?$/.test(pkg)) continue;
    if (!/^Status:.*\binstalled\b/m.test(para)) continue;
    const ver = /^Version:\s*(\S+)/m.exec(para)?.[1];
    if (ver) return parseVersion(ver.replace(/^\d+:/, ''));
  }
  return undefined;
}

/** Does `obj` hold the dotted key (own properties of plain objects all the way down)? */
export function keyPresent(obj: unknown, dotted: string): boolean {
  let cur: unknown = obj;
  for (const seg of dotted.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return true;
}

/**
 * Which known releases ship a default.json with the same set of marker keys as this one.
 * Returns the range of best-matching releases (keys are robust to the package build's sed edits of values).
 */
export function fingerprintDefault(defaultJson: unknown): DsVersionInfo | undefined {
  if (!defaultJson || typeof defaultJson !== 'object') return undefined;
  // each marker looked up once, not once per release
  const present = MARKERS.map(([key]) => keyPresent(defaultJson, key));
  const scores = KNOWN_RELEASES.map((_, i) => MARKERS.reduce((n, [, pattern], m) => n + (present[m] === (pattern[i] === '1') ? 1 : 0), 0));
  const best = Math.max(...scores);
  if (best < MARKERS.length * 0.75) return undefined;
  const matches = KNOWN_RELEASES.filter((_, i) => scores[i] === best).map((r) => V(r));
  const min = matches[0]!;
  const max = matches[matches.length - 1]!;
  // A release matched by markers stands for its whole minor line (8.1.1 → 8.1.0 … 8.1.x).
  const lo: Version = { major: min.major, minor: min.minor, patch: 0 };
  const hi: Version = { major: max.major, minor: max.minor, patch: 999 };
  const label =
    lo.major === hi.major && lo.minor === hi.minor
      ? `${lo.major}.${lo.minor}.x (default.json fingerprint)`
      : `${lo.major}.${lo.minor}–${hi.major}.${hi.minor} (default.json fingerprint)`;
  return { min: lo, max: hi, exact: false, source: 'fingerprint', label, parser: parserFor(lo) };
}

export const UNKNOWN_VERSION: DsVersionInfo = {
  min: { major: 0, minor: 0, patch: 0 },
  max: { major: 99, minor: 0, patch: 0 },
  exact: false,
  source: 'unknown',
  label: 'unknown (pass --ds-version)',
  parser: 'config3',
};
