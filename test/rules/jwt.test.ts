import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import { jwtRules } from '../../src/core/rules/jwt/index.js';
import { jwtInboxEnabled } from '../../src/core/rules/jwt/jwt-inbox-enabled.js';
import { jwtOutboxEnabled } from '../../src/core/rules/jwt/jwt-outbox-enabled.js';
import { jwtBrowserEnabled } from '../../src/core/rules/jwt/jwt-browser-enabled.js';
import { jwtSwitchIsString } from '../../src/core/rules/jwt/jwt-switch-is-string.js';
import { jwtHeadersDiffer } from '../../src/core/rules/jwt/jwt-headers-differ.js';
import { jwtPrefixNotBearer } from '../../src/core/rules/jwt/jwt-prefix-not-bearer.js';
import { jwtAlgorithmNotHs } from '../../src/core/rules/jwt/jwt-algorithm-not-hs.js';

const DEFAULT = `${ETC}/default.json`;
const RUNTIME = '/var/www/onlyoffice/Data/runtime.json';
const SECRET40 = 'Zq8vN3xR7tK1mW5pL9cJ2hF6dB4sG0yA8uE3iO7n';

/** A local.json as an installer writes it (JWT on, one strong secret), with one line per setting. */
function localJson(enable: { browser?: string; inbox?: string; outbox?: string } = {}, token = ''): string {
  return [
    '{', //                                                            1
    '  "services": {', //                                              2
    '    "CoAuthoring": {', //                                         3
    '      "secret": {', //                                            4
    `        "inbox": {"string": "${SECRET40}"},`, //                  5
    `        "outbox": {"string": "${SECRET40}"},`, //                 6
    `        "session": {"string": "${SECRET40}"}`, //                 7
    '      },', //                                                     8
    '      "token": {', //                                             9
    '        "enable": {', //                                          10
    `          "browser": ${enable.browser ?? 'true'},`, //            11
    '          "request": {', //                                       12
    `            "inbox": ${enable.inbox ?? 'true'},`, //              13
    `            "outbox": ${enable.outbox ?? 'true'}`, //             14
    '          }', //                                                  15
    `        }${token ? ',' : ''}`, //                                 16
    ...(token ? [token] : []), //                                      17…
    '      }', //
    '    }', //
    '  }', //
    '}', //
    '',
  ].join('\n');
}

describe('a hardened local.json', () => {
  it('passes every JWT rule on 9.3, 8.3 and 7.1', async () => {
    for (const release of ['v9.3.0', 'v8.3.3', 'v7.1.1']) {
      expect(await run(jwtRules, { [LOCAL]: localJson() }, { release })).toEqual([]);
    }
  });
});

describe('DSH200 token.enable.request.inbox', () => {
  it('fires on the stock default.json and points at its line', async () => {
    const f = await run(jwtInboxEnabled, {}, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH200',
      severity: 'critical',
      key: 'services.CoAuthoring.token.enable.request.inbox',
      location: { file: DEFAULT, line: 476 },
    });
    expect(f[0]!.message).toContain('false');
  });

  it('fires when local.json sets false, pointing at local.json', async () => {
    const f = await run(jwtInboxEnabled, { [LOCAL]: localJson({ inbox: 'false' }) }, { release: 'v8.1.1' });
    expect(f).toHaveLength(1);
    expect(f[0]!.location).toMatchObject({ file: LOCAL, line: 13 });
  });

  it('fires for the empty string (falsy) but not for the string "false" (truthy: DS enforces JWT)', async () => {
    expect(await run(jwtInboxEnabled, { [LOCAL]: localJson({ inbox: '""' }) }, { release: 'v9.3.0' })).toHaveLength(1);
    expect(await run(jwtInboxEnabled, { [LOCAL]: localJson({ inbox: '"false"' }) }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('does not fire when local.json enables it', async () => {
    expect(await run(jwtInboxEnabled, { [LOCAL]: localJson() }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('blames the 9.x runtime.json that switches it off behind local.json', async () => {
    const runtime = '{\n  "services": {"CoAuthoring": {"token": {"enable": {"request": {\n    "inbox": false\n  }}}}}\n}\n';
    const f = await run(jwtInboxEnabled, { [LOCAL]: localJson(), [RUNTIME]: runtime }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]!.location).toMatchObject({ file: RUNTIME, line: 3 });
  });

  it('tells Docker users to change JWT_ENABLED instead of local.json', async () => {
    const plain = await run(jwtInboxEnabled, {}, { release: 'v9.3.0' });
    const docker = await run(jwtInboxEnabled, { '/app/ds/run-document-server.sh': '' }, { release: 'v9.3.0' });
    expect(plain[0]!.remediation).toContain('in local.json');
    expect(docker[0]!.remediation).toContain('JWT_ENABLED=true');
    expect(docker[0]!.remediation).not.toContain('local.json');
  });
});

describe('DSH201 token.enable.request.outbox', () => {
  it('fires on the stock 8.1 default.json', async () => {
    const f = await run(jwtOutboxEnabled, {}, { release: 'v8.1.1' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH201',
      severity: 'high',
      key: 'services.CoAuthoring.token.enable.request.outbox',
      location: { file: DEFAULT, line: 298 },
    });
  });

  it('fires for outbox false in local.json and not for true', async () => {
    const f = await run(jwtOutboxEnabled, { [LOCAL]: localJson({ outbox: 'false' }) }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH201', location: { file: LOCAL, line: 14 } });
    expect(await run(jwtOutboxEnabled, { [LOCAL]: localJson() }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH202 token.enable.browser', () => {
  it('fires on stock 7.1 and names the pre-7.2 websocket CVEs', async () => {
    const f = await run(jwtBrowserEnabled, {}, { release: 'v7.1.1' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH202',
      severity: 'critical',
      key: 'services.CoAuthoring.token.enable.browser',
      location: { file: DEFAULT, line: 210 },
    });
    expect(f[0]!.message).toContain('CVE-2021-43447');
  });

  it('fires on 9.3 with browser false in local.json, without the pre-7.2 note', async () => {
    const f = await run(jwtBrowserEnabled, { [LOCAL]: localJson({ browser: 'false' }) }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'critical', location: { file: LOCAL, line: 11 } });
    expect(f[0]!.message).not.toContain('before 7.2');
  });

  it('does not fire when enabled', async () => {
    expect(await run(jwtBrowserEnabled, { [LOCAL]: localJson() }, { release: 'v7.1.1' })).toEqual([]);
  });
});

describe('DSH203 token switch is a string', () => {
  it('says that "false" enforces JWT', async () => {
    const f = await run(jwtSwitchIsString, { [LOCAL]: localJson({ inbox: '"false"' }) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH203',
      severity: 'high',
      key: 'services.CoAuthoring.token.enable.request.inbox',
      location: { file: LOCAL, line: 13 },
    });
    expect(f[0]!.message).toMatch(/truthy/);
    expect(f[0]!.message).toMatch(/ON and enforces JWT/);
  });

  it('says that "" switches JWT off, and DSH200 agrees', async () => {
    const f = await run(jwtRules, { [LOCAL]: localJson({ browser: '""' }) }, { release: 'v8.3.3' });
    expect(f.map((x) => x.ruleId).sort()).toEqual(['DSH202', 'DSH203']);
    const s = f.find((x) => x.ruleId === 'DSH203')!;
    expect(s.location).toMatchObject({ file: LOCAL, line: 11 });
    expect(s.message).toMatch(/falsy/);
    expect(s.message).toMatch(/OFF/);
  });

  it('reports every string switch and ignores booleans', async () => {
    const f = await run(jwtSwitchIsString, { [LOCAL]: localJson({ browser: '"true"', outbox: '"0"' }) }, { release: 'v9.3.0' });
    expect(f.map((x) => x.location?.line)).toEqual([11, 14]);
    expect(await run(jwtSwitchIsString, { [LOCAL]: localJson() }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(jwtSwitchIsString, {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH204 inbox and outbox headers', () => {
  it('fires when only the inbox header was changed and points at it', async () => {
    const token = '        "inbox": {"header": "AuthorizationJwt"}';
    const f = await run(jwtHeadersDiffer, { [LOCAL]: localJson({}, token) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH204',
      severity: 'high',
      key: 'services.CoAuthoring.token.inbox.header',
      location: { file: LOCAL, line: 17 },
    });
    expect(f[0]!.message).toContain('"AuthorizationJwt"');
    expect(f[0]!.message).toContain('"Authorization"');
  });

  it('compares case-insensitively and stays quiet on the defaults', async () => {
    const token = '        "inbox": {"header": "authorization"}, "outbox": {"header": "AUTHORIZATION"}';
    expect(await run(jwtHeadersDiffer, { [LOCAL]: localJson({}, token) }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(jwtHeadersDiffer, {}, { release: 'v7.1.1' })).toEqual([]);
  });
});

describe('DSH205 prefix', () => {
  it('fires for "Bearer" without the trailing space', async () => {
    const token = '        "outbox": {"prefix": "Bearer"}';
    const f = await run(jwtPrefixNotBearer, { [LOCAL]: localJson({}, token) }, { release: 'v8.3.3' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH205',
      severity: 'medium',
      key: 'services.CoAuthoring.token.outbox.prefix',
      location: { file: LOCAL, line: 17 },
    });
    expect(f[0]!.message).toContain('one trailing space');
  });

  it('fires for both directions and not for the default', async () => {
    const token = '        "inbox": {"prefix": "JWT "}, "outbox": {"prefix": ""}';
    expect((await run(jwtPrefixNotBearer, { [LOCAL]: localJson({}, token) }, { release: 'v9.3.0' })).map((x) => x.key)).toEqual([
      'services.CoAuthoring.token.inbox.prefix',
      'services.CoAuthoring.token.outbox.prefix',
    ]);
    expect(await run(jwtPrefixNotBearer, { [LOCAL]: localJson() }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH206 algorithm', () => {
  it('fires for RS256 on the outbox and a lowercase session algorithm', async () => {
    const token = '        "outbox": {"algorithm": "RS256"},\n        "session": {"algorithm": "hs256"}';
    const f = await run(jwtAlgorithmNotHs, { [LOCAL]: localJson({}, token) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(2);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH206',
      severity: 'medium',
      key: 'services.CoAuthoring.token.outbox.algorithm',
      location: { file: LOCAL, line: 17 },
    });
    expect(f[1]).toMatchObject({ key: 'services.CoAuthoring.token.session.algorithm', location: { file: LOCAL, line: 18 } });
  });

  it('accepts HS256 (default), HS384 and HS512', async () => {
    expect(await run(jwtAlgorithmNotHs, {}, { release: 'v7.1.1' })).toEqual([]);
    const token = '        "outbox": {"algorithm": "HS512"}, "session": {"algorithm": "HS384"}';
    expect(await run(jwtAlgorithmNotHs, { [LOCAL]: localJson({}, token) }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('JWT rule messages', () => {
  it('never contain the secret from local.json', async () => {
    const token = '        "inbox": {"header": "X", "prefix": "Y"}, "outbox": {"algorithm": "none"}';
    const f = await run(jwtRules, { [LOCAL]: localJson({ inbox: '"false"', browser: 'false', outbox: '""' }, token) }, { release: 'v9.3.0' });
    expect(f.length).toBeGreaterThan(4);
    for (const x of f) expect(x.message).not.toContain(SECRET40);
  });

  it('use the fixed IDs', () => {
    expect(jwtRules.map((r) => r.id)).toEqual(['DSH200', 'DSH201', 'DSH202', 'DSH203', 'DSH204', 'DSH205', 'DSH206']);
  });
});
