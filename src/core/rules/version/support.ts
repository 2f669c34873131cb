/** Shared helpers for the version rules (DSH70x). Pure. */
import type { SourceLocation } from '../../types.js';
import type { RuleContext } from '../rule.js';
import { fileStart } from '../../layers/merge.js';

/** Where ds-harden read the package version (load.ts detectVersion). */
export const DPKG_STATUS = '/var/lib/dpkg/status';

/**
 * Where the version a finding relies on came from, so a person can check it:
 * the dpkg status database, or default.json for a fingerprint. A version given with --ds-version has
 * no file (undefined), and neither has an unknown one.
 */
export function versionLocation(ctx: RuleContext): SourceLocation | undefined {
  switch (ctx.version.source) {
    case 'dpkg':
      return fileStart(DPKG_STATUS);
    case 'fingerprint': {
      const def = ctx.layers.find((l) => l.kind === 'default');
      return def ? fileStart(def.file) : undefined;
    }
    default:
      return undefined;
  }
}

/** "7.1.1 (--ds-version)" or "9.0.x (default.json fingerprint)". */
export function versionText(ctx: RuleContext): string {
  return ctx.version.label;
}
