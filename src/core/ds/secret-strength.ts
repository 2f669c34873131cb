/**
 * What counts as a strong JWT secret — the one owner of that decision. `check`'s rules (DSH300–DSH302), the apply
 * planner (which secret `--generate-secret` may keep) and every front end that accepts a secret call judgeSecret,
 * so apply can never keep or write a secret that check flags.
 *
 * Facts: DS ships secret.*.string = "secret" and installers before 7.2 wrote it (ds-facts §2.8, CVE-2021-43445);
 * installers generate 32 characters since 7.3 (CHANGELOG 7.3.3). The pattern checks are in rules/secrets/weakness.ts,
 * the placeholder list in rules/secrets/common.ts.
 */
import { placeholderKind } from '../rules/secrets/common.js';
import { weaknessOf } from '../rules/secrets/weakness.js';

/** Minimum length of a JWT secret, in characters (DS installers: 32 since 7.3). */
export const MIN_SECRET_LENGTH = 32;

export type SecretVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The check rule that reports this weakness. */
      readonly ruleId: 'DSH300' | 'DSH301' | 'DSH302';
      /** Why, without the value: "it is 12 characters long; use at least 32". */
      readonly reason: string;
    };

/**
 * Judge a secret value as `check` does. Never returns or embeds the value itself.
 * DSH300: empty, public default or placeholder; DSH301: shorter than MIN_SECRET_LENGTH; DSH302: a word or pattern.
 */
export function judgeSecret(value: string): SecretVerdict {
  const kind = placeholderKind(value);
  if (kind === 'empty') return { ok: false, ruleId: 'DSH300', reason: 'it is empty' };
  if (kind === 'public-default') return { ok: false, ruleId: 'DSH300', reason: 'it is the public default' };
  if (kind === 'placeholder') return { ok: false, ruleId: 'DSH300', reason: 'it is a well-known placeholder' };
  if (value.length < MIN_SECRET_LENGTH) {
    return { ok: false, ruleId: 'DSH301', reason: `it is ${value.length} characters long; use at least ${MIN_SECRET_LENGTH}` };
  }
  const weak = weaknessOf(value);
  if (weak) return { ok: false, ruleId: 'DSH302', reason: `it is guessable: ${weak}` };
  return { ok: true };
}
