/** What the wizard pre-fills, read from the effective configuration (the loader check and apply use) and host facts. */
import { describe, expect, it } from 'vitest';
import { detectedFrom, deploymentOf } from '../../src/commands/wizard/detect.js';
import { load, LOCAL } from '../helpers/context.js';
import { STRONG_SECRET } from './fixtures.js';

const STRONG = STRONG_SECRET;
const local = (co: object) => JSON.stringify({ services: { CoAuthoring: co } });

describe('wizard: what is detected', () => {
  it('a stock 9.3 tree: the public default secret (cannot be kept), Authorization, everyone allowed', async () => {
    const d = detectedFrom(await load({}, { release: 'v9.3.0' }), {});
    expect(d).toMatchObject({
      configDir: '/etc/onlyoffice/documentserver',
      secret: { state: 'weak', ruleId: 'DSH300', reason: 'it is the public default' },
      header: 'Authorization',
      allow: [],
      allowsEveryone: true,
      useforrequest: false,
      deployment: { kind: 'host' },
    });
    expect(d.dsVersion).toMatch(/^9\.3/);
  });

  it('a hardened Nextcloud AIO-style install: a strong secret, AuthorizationJwt, the integrator addresses as apply writes them', async () => {
    const co = {
      token: { inbox: { header: 'AuthorizationJwt' }, outbox: { header: 'AuthorizationJwt' } },
      secret: { inbox: { string: STRONG }, outbox: { string: STRONG }, session: { string: STRONG } },
      ipfilter: {
        useforrequest: true,
        rules: [
          { address: '10.0.0.0/24', allowed: true },
          { address: '::1', allowed: true },
          { address: '127.0.0.1', allowed: true },
          { address: '*', allowed: false },
        ],
      },
    };
    const d = detectedFrom(await load({ [LOCAL]: local(co) }, { release: 'v9.3.0' }), {});
    expect(d).toMatchObject({ secret: { state: 'strong', length: 40 }, header: 'AuthorizationJwt', allow: ['10.0.0.*'], allowsEveryone: false, useforrequest: true });
    expect(JSON.stringify(d)).not.toContain(STRONG);
  });

  it('a short secret is weak with check\'s reason; slots that disagree have no one secret to keep', async () => {
    const short = detectedFrom(await load({ [LOCAL]: local({ secret: { inbox: { string: 'x7Kq9' }, outbox: { string: 'x7Kq9' }, session: { string: 'x7Kq9' } } }) }, { release: 'v9.3.0' }), {});
    expect(short.secret).toEqual({ state: 'weak', ruleId: 'DSH301', reason: 'it is 5 characters long; use at least 32' });
    const differ = detectedFrom(await load({ [LOCAL]: local({ secret: { inbox: { string: STRONG }, outbox: { string: 'other' } } }) }, { release: 'v9.3.0' }), {});
    expect(differ.secret).toEqual({ state: 'differ' });
  });

  it('a local.json DS cannot parse is named as a start-up blocker, with where DS reports it', async () => {
    const d = detectedFrom(await load({ [LOCAL]: '{\n  "services": {\n    "CoAuthoring": {,\n  }\n}\n' }, { release: 'v9.3.0' }), {});
    expect(d.blockers).toHaveLength(1);
    expect(d.blockers[0]).toMatch(/^\/etc\/onlyoffice\/documentserver\/local\.json:3:\d+: /);
    expect(detectedFrom(await load({}, { release: 'v9.3.0' }), {}).blockers).toEqual([]);
  });

  it('the deployment comes from the host facts: the Docker image is named', () => {
    expect(deploymentOf({ docker: true })).toMatchObject({ kind: 'docker' });
    expect(deploymentOf({ docker: true }).label).toContain('Docker image');
    expect(deploymentOf({})).toMatchObject({ kind: 'host' });
  });
});
