/** Live rules (DSH8xx): verdicts on what a probe of the running server saw (ctx.live). Silent without a probe. */
import type { Rule } from '../rule.js';
import { unsignedAcceptedLive } from './unsigned-accepted.js';
import { stockSecretAcceptedLive } from './stock-secret-accepted.js';
import { forgedTokenAcceptedLive } from './forged-token-accepted.js';
import { expiredTokenAcceptedLive } from './expired-token-accepted.js';
import { xffSpoofableLive } from './xff-spoofable.js';
import { serverRoutesOpenLive } from './server-routes-open.js';
import { pagesPublicLive } from './pages-public.js';
import { publicByDesignLive } from './public-by-design.js';
import { runningVersionLive } from './running-version.js';
import { configuredSecretRefusedLive } from './configured-secret-refused.js';
import { integratorRefusedLive } from './integrator-refused.js';
import { unansweredLive } from './unanswered.js';

export const liveRules: readonly Rule[] = [
  unsignedAcceptedLive,
  stockSecretAcceptedLive,
  forgedTokenAcceptedLive,
  expiredTokenAcceptedLive,
  xffSpoofableLive,
  serverRoutesOpenLive,
  pagesPublicLive,
  publicByDesignLive,
  runningVersionLive,
  configuredSecretRefusedLive,
  integratorRefusedLive,
  unansweredLive,
];
