/**
 * Robustness: DS does no type checking, so users' files hold every type in every place. No rule may throw
 * (that would be an "internal error" for the user) whatever value sits at any key ds-harden reads.
 */
import { describe, expect, it } from 'vitest';
import { context, LOCAL } from '../helpers/context.js';
import { evaluate } from '../../src/core/evaluate.js';
import { rules } from '../../src/core/rules/index.js';
import { planApply } from '../../src/core/plan/plan.js';
import { load } from '../helpers/context.js';

const WEIRD: readonly unknown[] = [null, true, false, 0, -1, 1e309 === Infinity ? 1e308 : 0, '', 'false', '*', '::1', '10.0.0.0/8', [], [null], [1, 'a'], {}, { address: 5 }, [{ address: null, allowed: 'x' }], { string: 7, file: [] }, 'x'.repeat(300)];

const PATHS = [
  'services',
  'services.CoAuthoring',
  'services.CoAuthoring.token',
  'services.CoAuthoring.token.enable',
  'services.CoAuthoring.token.enable.request',
  'services.CoAuthoring.token.inbox',
  'services.CoAuthoring.token.outbox.header',
  'services.CoAuthoring.token.outbox.algorithm',
  'services.CoAuthoring.secret',
  'services.CoAuthoring.secret.inbox',
  'services.CoAuthoring.secret.inbox.string',
  'services.CoAuthoring.secret.outbox.file',
  'services.CoAuthoring.ipfilter',
  'services.CoAuthoring.ipfilter.rules',
  'services.CoAuthoring.ipfilter.errorcode',
  'services.CoAuthoring.ipfilter.useforrequest',
  'services.CoAuthoring.request-filtering-agent',
  'services.CoAuthoring.requestDefaults',
  'externalRequest',
  'externalRequest.directIfIn.allowList',
  'externalRequest.action',
  'storage',
  'storage.fs.secretString',
  'aesEncrypt',
  'wopi',
  'wopi.privateKey',
  'runtimeConfig.filePath',
];

function nest(path: string, value: unknown): unknown {
  return path.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), value);
}

describe('no rule throws on odd values', () => {
  for (const release of ['v7.1.1', 'v8.3.3', 'v9.3.0']) {
    it(`every key × every type (${release})`, async () => {
      const failures: string[] = [];
      for (const p of PATHS) {
        for (const v of WEIRD) {
          const text = JSON.stringify(nest(p, v));
          const ctx = await context({ [LOCAL]: text }, { release });
          try {
            evaluate(rules, ctx);
          } catch (e) {
            failures.push(`${p} = ${JSON.stringify(v)}: ${(e as Error).message}`);
          }
          try {
            planApply(await load({ [LOCAL]: text }, { release }), { allow: ['10.0.0.5'], secret: 'A'.repeat(16) + 'b'.repeat(16), header: 'Authorization' }, { normalize: false });
          } catch (e) {
            failures.push(`plan ${p} = ${JSON.stringify(v)}: ${(e as Error).message}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
