import { describe, expect, it } from 'vitest';
import { load, LOCAL, ETC } from '../helpers/context.js';
import { getPath } from '../../src/core/layers/merge.js';
import { makeContext } from '../../src/core/evaluate.js';

describe('loading layers as DS does', () => {
  it('merges local.json over default.json: objects deep-merge, arrays replace', async () => {
    const cfg = await load(
      { [LOCAL]: '{"services":{"CoAuthoring":{"ipfilter":{"rules":[{"address":"10.0.0.1","allowed":true}]}}}}' },
      { release: 'v9.3.0' },
    );
    expect(getPath(cfg.effective.value, 'services.CoAuthoring.ipfilter.rules')).toEqual([{ address: '10.0.0.1', allowed: true }]);
    expect(getPath(cfg.effective.value, 'services.CoAuthoring.ipfilter.errorcode')).toBe(403);
  });

  it('keeps default string next to a file-only secret (the literal "secret" stays in effect)', async () => {
    const cfg = await load({ [LOCAL]: '{"services":{"CoAuthoring":{"secret":{"inbox":{"file":"/x"}}}}}' }, { release: 'v9.3.0' });
    expect(getPath(cfg.effective.value, 'services.CoAuthoring.secret.inbox')).toEqual({ string: 'secret', file: '/x' });
  });

  it('orders layers like node-config: hostname before local, local-production-linux and local.json5 after local.json', async () => {
    const cfg = await load(
      {
        [LOCAL]: '{"a":1}',
        [`${ETC}/local.json5`]: "{a:2}",
        [`${ETC}/local-production-linux.json`]: '{"a":3}',
        [`${ETC}/vm.json`]: '{"a":0}',
      },
      { release: 'v9.3.0', hostname: 'vm.example.org' },
    );
    expect(cfg.layers.map((l) => l.file.replace(ETC + '/', ''))).toEqual([
      'default.json',
      'production-linux.json',
      'vm.json',
      'local.json',
      'local.json5',
      'local-production-linux.json',
    ]);
    expect(getPath(cfg.effective.value, 'a')).toBe(3);
  });

  it('points at the file and line that decided a value', async () => {
    const cfg = await load({ [LOCAL]: '{\n  "services": {\n    "CoAuthoring": {\n      "token": {"enable": {"browser": true}}\n    }\n  }\n}\n' }, { release: 'v9.3.0' });
    const ctx = makeContext(cfg);
    expect(ctx.origin('services.CoAuthoring.token.enable.browser')).toMatchObject({ file: LOCAL, line: 4, column: 28 });
    expect(ctx.origin('services.CoAuthoring.token.enable.request.inbox')?.file).toBe(`${ETC}/default.json`);
  });

  it('detects the version from dpkg status and picks the parser', async () => {
    const dpkg = 'Package: onlyoffice-documentserver\nStatus: install ok installed\nVersion: 8.3.3-23\n';
    const cfg = await load({ '/var/lib/dpkg/status': dpkg, [LOCAL]: '{"a":1,}' }, { release: 'v8.3.3', dsVersion: undefined });
    expect(cfg.version.label).toContain('8.3.3');
    expect(cfg.version.parser).toBe('config2');
  });

  it('fingerprints default.json when no package metadata exists', async () => {
    const cfg = await load({}, { release: 'v8.1.1', dsVersion: '' });
    expect(cfg.version.source).toBe('fingerprint');
    expect(cfg.version.min.major).toBe(8);
  });

  it('reads NODE_CONFIG and NODE_ENV from the systemd unit', async () => {
    const unit = '[Service]\nEnvironment=NODE_ENV=production-linux NODE_CONFIG_DIR=/etc/onlyoffice/documentserver\nEnvironment=\'NODE_CONFIG={"a":9}\'\n';
    const cfg = await load({ '/usr/lib/systemd/system/ds-docservice.service': unit, [LOCAL]: '{"a":1}' }, { release: 'v9.3.0' });
    expect(cfg.layers.at(-1)?.kind).toBe('node-config-env');
    expect(getPath(cfg.effective.value, 'a')).toBe(9);
  });

  it('reads the 9.x Admin Panel runtime.json last', async () => {
    const cfg = await load(
      { [LOCAL]: '{"services":{"CoAuthoring":{"token":{"enable":{"browser":true}}}}}', '/var/www/onlyoffice/Data/runtime.json': '{"services":{"CoAuthoring":{"token":{"enable":{"browser":false}}}}}' },
      { release: 'v9.3.0' },
    );
    expect(cfg.layers.at(-1)?.kind).toBe('runtime-data');
    expect(getPath(cfg.effective.value, 'services.CoAuthoring.token.enable.browser')).toBe(false);
  });
});
