/** The ipfilter rules (DSH50x, DSH512, DSH513, DSH520), ds-facts §3, in ID order. */
import type { Rule } from '../rule.js';
import { allowsEverything } from './allows-everything.js';
import { noFinalDeny } from './no-final-deny.js';
import { cidrAddress } from './cidr-address.js';
import { ipv6Form } from './ipv6-form.js';
import { stringBoolean } from './string-boolean.js';
import { malformedRules } from './malformed-rules.js';
import { shadowedRule } from './shadowed-rule.js';
import { errorcodeNotBlocking } from './errorcode.js';
import { hostnameAddress } from './hostname-address.js';
import { xffTrust } from './xff-trust.js';
import { loopbackDenied } from './loopback-denied.js';
import { globMatchesHostnames } from './glob-matches-hostnames.js';
import { ipfilterReach } from './reach.js';

export const ipfilterRules: readonly Rule[] = [
  allowsEverything,
  noFinalDeny,
  cidrAddress,
  ipv6Form,
  stringBoolean,
  malformedRules,
  shadowedRule,
  errorcodeNotBlocking,
  hostnameAddress,
  xffTrust,
  loopbackDenied,
  globMatchesHostnames,
  ipfilterReach,
];
