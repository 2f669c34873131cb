/**
 * What each known DS release's default.json holds, from the generated release-data.ts: which keys a release ships (to
 * tell a stale or foreign default.json) and the stock values of the audited settings (for a container whose image's
 * default.json is not visible). A release stands for its minor line (9.2.0 for 9.2.x), as the fingerprint does. Pure.
 */
import type { Version } from '../types.js';
import { COMMON_TOP_KEYS, RELEASES, RELEASE_KEYS, STOCK_VALUES } from './release-data.js';
import { keyPresent as has, parseVersion } from './versions.js';

const PARSED = RELEASES.map((r) => parseVersion(r)!);

/** Index of the release that stands for `v` (same major.minor), or undefined when no known release does. */
export function releaseIndex(v: Version): number | undefined {
  for (let i = PARSED.length - 1; i >= 0; i--) if (PARSED[i]!.major === v.major && PARSED[i]!.minor === v.minor) return i;
  return undefined;
}

/** The release name at an index ("9.2.0"). */
export function releaseName(i: number): string {
  return RELEASES[i]!;
}

/** Stock values of the audited subtrees for the release standing for `v` (the newest known when undefined or unknown). */
export function stockValues(v: Version | undefined): Map<string, unknown> {
  const i = (v && releaseIndex(v)) ?? PARSED.length - 1;
  const out = new Map<string, unknown>();
  for (const [key, variants] of STOCK_VALUES) {
    const hit = variants.find(([p]) => p[i] === '1');
    if (hit) out.set(key, JSON.parse(JSON.stringify(hit[1])));
  }
  return out;
}

export interface KeyDiff {
  /** Keys the release's default.json has and this one lacks (shallowest only). */
  readonly missing: readonly string[];
  /** Keys this one has that the release's default.json does not (shallowest only). */
  readonly extra: readonly string[];
}

/**
 * Compare a default.json with the one of the release standing for `v`; undefined when no known release does, or when the
 * file is not a DS default.json at all (it lacks top-level keys every release has: a trimmed stand-in, not a release's file).
 */
export function compareWithRelease(defaultJson: unknown, v: Version): KeyDiff | undefined {
  const i = releaseIndex(v);
  if (i === undefined || !COMMON_TOP_KEYS.every((k) => has(defaultJson, k))) return undefined;
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [key, pattern] of RELEASE_KEYS) {
    const parent = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : undefined;
    if (parent !== undefined && !has(defaultJson, parent)) continue;
    const want = pattern[i] === '1';
    const got = has(defaultJson, key);
    if (want && !got && !missing.some((m) => key.startsWith(m + '.'))) missing.push(key);
    if (!want && got && !extra.some((m) => key.startsWith(m + '.'))) extra.push(key);
  }
  return { missing, extra };
}
