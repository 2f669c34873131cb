/**
 * DSH507: `ipfilter.errorcode` does not block as intended (ds-facts §3.2, ds-observed §3f).
 *
 * What DS does with the status of a denying rule (Common/sources/utils.js, express 4 in every DS release):
 * - incoming (`checkClientIp`): blocks only when `status > 0`, then `res.sendStatus(status)`; Node truncates the status
 *   to an integer and refuses anything outside 100–999, which express turns into HTTP 500. Observed on DS 9.3:
 *   errorcode 200 → the blocked request gets "200 OK"; "403" (a string) works.
 * - outgoing: most call sites test `0 !== status`, the CommandService callback `status > 0`, the converter's download
 *   `0 == status` (modelled in evaluateIpFilter).
 *
 * Severity per hit (decision): high when denied requests are not refused or look successful (≤ 0 / non-numeric with
 * useforrequest, 0 even without it, 100–399 with useforrequest); medium when the refusal still happens with the wrong
 * status (600–999, or outside 100–999 → HTTP 500) or only some outgoing checks still block; low when the value only
 * matters once useforrequest is turned on, or is a non-integer that Node truncates to a 4xx/5xx.
 * The stock values (403; 401 on 5.2) and numeric strings in 400–599 are fine.
 */
import type { Rule, RuleHit } from '../rule.js';
import type { Severity } from '../../types.js';
import { K } from '../../ds/keys.js';
import { evaluateIpFilter } from '../../ds/ipfilter.js';
import { atKey, show, useForRequest, where } from './common.js';
import { fixes } from '../fixes.js';

const DENY_ALL = [{ address: '*', allowed: false }];

export const errorcodeNotBlocking: Rule = {
  id: 'DSH507',
  area: 'ipfilter',
  severity: 'high',
  title: 'ipfilter.errorcode does not block',
  why:
    'When a rule denies, DS answers the incoming request with errorcode as the HTTP status, and only if errorcode > 0; ' +
    'outgoing checks treat 0 as "passed". errorcode 0 or below switches blocking off, 200 makes a refused request look ' +
    'like "200 OK" to the caller, and a value that is no HTTP status turns the refusal into HTTP 500.',
  remediation: 'Set "errorcode": 403 (the stock value), or another integer 4xx/5xx status.',
  fix: fixes.errorcode,
  reads: [K.ipErrorCode, K.ipUseForRequest],
  check(ctx) {
    const v = ctx.get(K.ipErrorCode);
    if (v === undefined) return [];
    const n = Number(v);
    const uf = useForRequest(ctx);
    const place = atKey(ctx, K.ipErrorCode);
    const head = `ipfilter.errorcode is ${show(v)} (${where(place.location)})`;
    const hit = (severity: Severity, text: string): RuleHit[] => [{ message: `${head}: ${text}`, severity, ...place }];

    if (!(n > 0)) {
      const out = evaluateIpFilter(DENY_ALL, { ip: '203.0.113.7', hostname: 'example.com' }, v).decision === 'denied';
      // eslint-disable-next-line eqeqeq -- the converter's own loose comparison `0 == status`
      const converter = (v as number) == 0;
      const incoming = uf
        ? 'DS refuses an incoming request only when errorcode > 0, so with useforrequest on, denied clients are let through'
        : 'denied clients would not be refused on incoming requests (DS blocks only when errorcode > 0; useforrequest is off today)';
      const outgoing = !out
        ? 'outgoing checks treat 0 as "passed", so denied callback, download and WOPI targets are not blocked either'
        : 'outgoing checks mostly still block (they test status !== 0), but a callback URL passed to CommandService is ' +
          'accepted (that check is status > 0)' +
          (converter ? ' and the converter still downloads denied URLs (0 == status)' : '');
      const severity: Severity = uf || !out ? 'high' : 'medium';
      return hit(severity, `${incoming}; ${outgoing}.`);
    }
    const code = n | 0;
    const later = uf ? '' : ' This matters once useforrequest is turned on: outgoing checks block on any non-zero errorcode.';
    if (code < 100 || code > 999) {
      return hit(
        uf ? 'medium' : 'low',
        `it is no HTTP status, so a refused incoming request gets HTTP 500 (Internal Server Error) instead of a clear refusal.${later}`,
      );
    }
    if (code < 400) {
      return hit(
        uf ? 'high' : 'low',
        `a refused incoming request is answered with HTTP ${code}${code === 200 ? ' "OK"' : ''}, which is no error status: ` +
          `the API call does not run, but the caller (and monitoring) sees ${code < 300 ? 'success' : 'a non-error reply'} ` +
          `(observed on DS 9.3 with 200).${later}`,
      );
    }
    if (code > 599) {
      return hit(
        uf ? 'medium' : 'low',
        `HTTP ${code} is outside the 4xx/5xx error range; DS sends it, but clients and proxies may not treat it as a refusal.${later}`,
      );
    }
    if (!Number.isInteger(n)) {
      return hit('low', `it is not an integer; Node truncates it to HTTP ${code}. Write the integer status.${later}`);
    }
    return [];
  },
};
