/**
 * What an apply run produced, before formatting: formatters/apply.ts turns it into text or JSON
 * (schemas/apply-result.schema.json). Holds no secret: values at secret paths are masked when the result is built,
 * and every string is scrubbed of the known secrets before it leaves the pipeline.
 */
import { EXIT } from '../cli/exit-codes.js';
import type { SourceLocation } from '../core/types.js';
import type { SimulationRow } from '../core/plan/simulation.js';
import type { IntegratorSummary } from './integrator-report.js';

export type ApplyOutcome = 'changed' | 'no-change' | 'dry-run' | 'refused' | 'rolled-back' | 'rollback-failed';

/** One exit code per outcome (README "Exit codes of apply"). */
export const APPLY_EXIT: Readonly<Record<ApplyOutcome, number>> = {
  changed: EXIT.CHANGED,
  'dry-run': EXIT.CHANGED,
  'no-change': EXIT.OK,
  refused: EXIT.REFUSED,
  'rolled-back': EXIT.ROLLED_BACK,
  'rollback-failed': EXIT.ROLLBACK_FAILED,
};

export interface FindingSummary {
  readonly ruleId: string;
  readonly severity: string;
  readonly title: string;
  readonly message: string;
  readonly location?: SourceLocation;
}

export interface ApplyResult {
  readonly schemaVersion: 1;
  readonly command: 'apply' | 'rotate-secret' | 'wizard';
  /** Host path of the file the change writes. */
  readonly target: string;
  /** "9.3.0 (installed package)". */
  readonly dsVersion: string;
  readonly dryRun: boolean;
  readonly outcome: ApplyOutcome;
  readonly changed: boolean;
  readonly exitCode: number;
  /** Where the secret came from ("generated (40 random characters)"), when the change sets one. */
  readonly secretSource?: string;
  /** key → from → to; secrets masked (••••••(N chars)). */
  readonly changes: readonly { readonly key: string; readonly from: unknown; readonly to: unknown }[];
  readonly notes: readonly string[];
  readonly refusals: readonly { readonly code: string; readonly message: string; readonly location?: SourceLocation }[];
  readonly simulation: readonly SimulationRow[];
  /** Findings the change introduces (any severity) and resolves. */
  readonly introduced: readonly FindingSummary[];
  readonly resolved: readonly FindingSummary[];
  /** Unified diff of the file, secrets masked (dry run). */
  readonly diff?: string;
  readonly journalId?: string;
  /** Services restarted (and verified). */
  readonly restarted?: readonly string[];
  readonly failure?: { readonly reason: string; readonly failed: readonly { name: string; state: string; reason: string }[]; readonly logs: readonly { name: string; stream?: string; tail: string }[] };
  readonly rollbackError?: string;
  /** An earlier apply that stopped half-way. */
  readonly pendingJournal?: string;
  /**
   * What the user may want next: the undo command; the command that prints the secret, and what the integrator must now
   * do (apply/integrator-report.ts integratorFollowUp) when ds-harden neither changed its end nor printed its steps.
   */
  readonly hints: { readonly rollback?: string; readonly readSecret?: string; readonly integrator?: string };
  /** Whether the change set the JWT secret or header (the integrator must match). */
  readonly integratorMustMatch: boolean;
  /** The integrator end (Nextcloud/ownCloud through occ, or the steps to do by hand). */
  readonly integrator?: IntegratorSummary;
  /** How DS is deployed (deploy/detect.ts), when it is not a local.json install. */
  readonly deployment?: { readonly kind: string; readonly mechanism: string; readonly label: string };
  /** Host paths of the files the change writes (a compose deployment: the compose file, an env_file, local-production-linux.json). */
  readonly files?: readonly string[];
  /** What the transaction found out and what is left to do (docker compose not here; re-create the container). */
  readonly followUp?: readonly string[];
  /** The exact change to make by hand, when ds-harden does not write this install's mechanism (refused). */
  readonly modeChange?: { readonly mechanism: string; readonly text: string };
}

/** Replace every occurrence of each secret in every string of `v` (deep). */
export function scrubDeep<T>(v: T, scrub: (s: string) => string): T {
  if (typeof v === 'string') return scrub(v) as T;
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, scrub)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, scrub(k), { value: scrubDeep(x, scrub), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}
