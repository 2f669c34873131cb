/** Shared helpers of the live rules (DSH8xx): they judge only ctx.live, what a probe of the running server saw. Pure. */
import type { Observation } from '../../probe/judge.js';
import type { ProbeId } from '../../probe/plan.js';
import type { RuleContext } from '../rule.js';

export function obs(ctx: RuleContext, id: ProbeId): Observation | undefined {
  return ctx.live?.observations.find((o) => o.id === id);
}

/** "CommandService, unsigned (https://…/coauthoring/CommandService.ashx): HTTP 200 {"error":0,…}" */
export function said(o: Observation): string {
  return `${o.label}: ${o.detail}`;
}

/** The server let this request through to DocService (it answered, not ipfilter or a proxy). */
export function reachedDs(o: Observation | undefined): boolean {
  return o !== undefined && (o.verdict === 'accepted' || o.verdict === 'refused' || o.verdict === 'expired' || o.verdict === 'public');
}

/** JWT is off for incoming requests: the unsigned command was accepted (then forged tokens say nothing more). */
export function unsignedAccepted(ctx: RuleContext): boolean {
  return obs(ctx, 'cmd-unsigned')?.verdict === 'accepted';
}

/** Who ran the probe, for messages. */
export function who(ctx: RuleContext): string {
  return ctx.live?.fromIntegrator ? 'the integrator' : 'an outsider';
}
