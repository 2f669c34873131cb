import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import type { HostFacts } from '../../src/core/rules/rule.js';
import type { FileStat } from '../../src/core/types.js';
import { secretRules } from '../../src/core/rules/secrets/index.js';
import { secretIsPlaceholder } from '../../src/core/rules/secrets/secret-is-placeholder.js';
import { secretTooShort } from '../../src/core/rules/secrets/secret-too-short.js';
import { secretIsPattern } from '../../src/core/rules/secrets/secret-is-pattern.js';
import { secretsDiffer } from '../../src/core/rules/secrets/secrets-differ.js';
import { secretFileIgnored } from '../../src/core/rules/secrets/secret-file-ignored.js';
import { secretFileUnusable } from '../../src/core/rules/secrets/secret-file-unusable.js';
import { securelinkSecretDefault } from '../../src/core/rules/secrets/securelink-secret-default.js';
import { aesSecretDefault } from '../../src/core/rules/secrets/aes-secret-default.js';
import { wopiDefaultKeys } from '../../src/core/rules/secrets/wopi-default-keys.js';
import { weaknessOf } from '../../src/core/rules/secrets/weakness.js';
import { jwtRules } from '../../src/core/rules/jwt/index.js';

const DEFAULT = `${ETC}/default.json`;
const SECRET40 = 'Zq8vN3xR7tK1mW5pL9cJ2hF6dB4sG0yA8uE3iO7n';
const OTHER40 = 'pT4kQ9wE2rY7uI1oP6aS3dF8gH5jK0lZ2xC7vB9n';
const SHORT12 = 'h7Gk2PqZ9xWm';
const ALL = [...jwtRules, ...secretRules];

/**
 * local.json with one secret object per line: inbox line 5, outbox line 6, session line 7;
 * `extra` lines are further members of services.CoAuthoring, from line 9.
 */
function secrets(inbox: string, outbox = inbox, session = inbox, extra: string[] = []): string {
  return [
    '{',
    '  "services": {',
    '    "CoAuthoring": {',
    '      "secret": {',
    `        "inbox": ${inbox},`,
    `        "outbox": ${outbox},`,
    `        "session": ${session}`,
    `      }${extra.length ? ',' : ''}`,
    ...extra,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
const str = (s: string) => `{"string": ${JSON.stringify(s)}}`;

function expectNoLeak(findings: readonly { message: string }[], ...values: string[]) {
  for (const f of findings) for (const v of values) expect(f.message).not.toContain(v);
}

describe('a local.json with one strong secret', () => {
  it('passes the JWT secret rules on 9.3, 8.3 and 7.1', async () => {
    for (const release of ['v9.3.0', 'v8.3.3', 'v7.1.1']) {
      const f = await run([secretIsPlaceholder, secretTooShort, secretIsPattern, secretsDiffer, secretFileIgnored], { [LOCAL]: secrets(str(SECRET40)) }, { release });
      expect(f).toEqual([]);
    }
  });
});

describe('DSH300 public default or placeholder secret', () => {
  it('fires three times on the stock 9.3 default.json, at each secret line', async () => {
    const f = await run(secretIsPlaceholder, {}, { release: 'v9.3.0' });
    expect(f.map((x) => [x.ruleId, x.severity, x.key, x.location?.file, x.location?.line])).toEqual([
      ['DSH300', 'critical', 'services.CoAuthoring.secret.inbox.string', DEFAULT, 468],
      ['DSH300', 'critical', 'services.CoAuthoring.secret.outbox.string', DEFAULT, 469],
      ['DSH300', 'critical', 'services.CoAuthoring.secret.session.string', DEFAULT, 470],
    ]);
    expect(f[0]!.message).toContain('the public default "secret"');
  });

  it('explains that a file-only local.json leaves "secret" in effect and points at the file setting', async () => {
    const local = secrets('{"file": "/etc/onlyoffice/jwt.key"}', str(SECRET40), str(SECRET40));
    const f = await run(secretIsPlaceholder, { [LOCAL]: local }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH300',
      severity: 'critical',
      key: 'services.CoAuthoring.secret.inbox.file',
      location: { file: LOCAL, line: 5 },
    });
    expect(f[0]!.message).toContain('ignores it');
    expect(f[0]!.message).toContain('"secret"');
    expect(f[0]!.message).toContain(`${DEFAULT}:468`);
    expectNoLeak(f, SECRET40);
  });

  it('reports an empty secret without a file ("empty secret")', async () => {
    const f = await run(secretIsPlaceholder, { [LOCAL]: secrets('{"string": "", "file": ""}', str(SECRET40), str(SECRET40)) }, { release: 'v8.3.3' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'critical', key: 'services.CoAuthoring.secret.inbox.string', location: { file: LOCAL, line: 5 } });
    expect(f[0]!.message).toContain('empty secret');
  });

  it('reports placeholders without echoing them', async () => {
    for (const p of ['changeme', 'CHANGE_ME', 'your-secret', '<jwt secret>', '${JWT_SECRET}', 'OnlyOffice']) {
      const f = await run(secretIsPlaceholder, { [LOCAL]: secrets(str(p)) }, { release: 'v9.3.0' });
      expect(f.map((x) => x.location?.line)).toEqual([5, 6, 7]);
      expectNoLeak(f, p);
      expect(f[0]!.message).toContain('placeholder');
    }
  });

  it('judges a secret file\'s content when the host facts have it', async () => {
    const local = secrets('{"string": "", "file": "/k"}', '{"string": "", "file": "/k"}', '{"string": "", "file": "/k"}');
    const host: HostFacts = { secretFiles: new Map([['/k', { content: 'secret\n' }]]) };
    const f = await run(secretIsPlaceholder, { [LOCAL]: local }, { release: 'v9.3.0', host });
    expect(f.map((x) => x.key)).toEqual([
      'services.CoAuthoring.secret.inbox.file',
      'services.CoAuthoring.secret.outbox.file',
      'services.CoAuthoring.secret.session.file',
    ]);
    const good: HostFacts = { secretFiles: new Map([['/k', { content: SECRET40 }]]) };
    expect(await run(secretIsPlaceholder, { [LOCAL]: local }, { release: 'v9.3.0', host: good })).toEqual([]);
  });

  it('checks secret.browser only where DS reads it (≤ 7.1 with secretFromInbox off)', async () => {
    const local = secrets(str(SECRET40), str(SECRET40), str(SECRET40), ['      "token": {"browser": {"secretFromInbox": false}}']);
    const old = await run(secretIsPlaceholder, { [LOCAL]: local }, { release: 'v7.1.1' });
    expect(old).toHaveLength(1);
    expect(old[0]).toMatchObject({ key: 'services.CoAuthoring.secret.browser.string', location: { file: DEFAULT, line: 203 } });
    expect(await run(secretIsPlaceholder, { [LOCAL]: local }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(secretIsPlaceholder, { [LOCAL]: secrets(str(SECRET40)) }, { release: 'v7.1.1' })).toEqual([]);
  });
});

describe('DSH301 short secret', () => {
  it('fires for a 12-character secret (what 7.1–7.2 installers generated), without echoing it', async () => {
    const f = await run(secretTooShort, { [LOCAL]: secrets(str(SHORT12)) }, { release: 'v7.2.2' });
    expect(f.map((x) => [x.ruleId, x.severity, x.location?.file, x.location?.line])).toEqual([
      ['DSH301', 'high', LOCAL, 5],
      ['DSH301', 'high', LOCAL, 6],
      ['DSH301', 'high', LOCAL, 7],
    ]);
    expect(f[0]!.message).toContain('12 characters');
    expectNoLeak(f, SHORT12);
  });

  it('does not fire at 32 characters, for placeholders (DSH300) or for file secrets', async () => {
    expect(await run(secretTooShort, { [LOCAL]: secrets(str(SECRET40.slice(0, 32))) }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(secretTooShort, {}, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(secretTooShort, { [LOCAL]: secrets('{"string": "", "file": "/k"}') }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH302 word or pattern secret', () => {
  it('fires for a long passphrase of words, at the secret line', async () => {
    const phrase = 'correcthorsebatterystaplecorrecthorse';
    const f = await run(secretIsPattern, { [LOCAL]: secrets(str(SECRET40), str(SECRET40), str(phrase)) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH302',
      severity: 'high',
      key: 'services.CoAuthoring.secret.session.string',
      location: { file: LOCAL, line: 7 },
    });
    expectNoLeak(f, phrase, SECRET40);
  });

  it('recognises repeats, sequences, few characters and common words', () => {
    expect(weaknessOf('0123456789ab0123456789ab0123456789ab')).toMatch(/repeated/);
    expect(weaknessOf('abcdefghijk' + SECRET40.slice(0, 24))).toMatch(/consecutive/);
    expect(weaknessOf('aaaabbbbccccddddaaaabbbbccccddddeeee')).toMatch(/5 distinct/);
    expect(weaknessOf('MyOnlyOfficeNextcloudSecretPassword2024')).toMatch(/common words/);
    expect(weaknessOf('correct-horse-battery-staple-mountain')).toMatch(/reads like words/);
  });

  it('does not fire for generator output', async () => {
    for (const s of [SECRET40, OTHER40, 'a3f9c2e71b0d84f6e5a2c9b17d3e08f4', 'kP3vX9qL2mN7rT5wY8zB4cF6hJ1sD0gA', 'qzxvkjwpmbfhgtlrdnycsaeuiozqpxkwjv']) {
      expect(weaknessOf(s)).toBeUndefined();
    }
    expect(await run(secretIsPattern, { [LOCAL]: secrets(str(SECRET40)) }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH303 secrets differ', () => {
  it('fires high for an outbox secret that differs from the inbox secret', async () => {
    const f = await run(secretsDiffer, { [LOCAL]: secrets(str(SECRET40), str(OTHER40), str(SECRET40)) }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH303',
      severity: 'high',
      key: 'services.CoAuthoring.secret.outbox.string',
      location: { file: LOCAL, line: 6 },
    });
    expectNoLeak(f, SECRET40, OTHER40);
  });

  it('grades a different session secret medium and points at the default it was left at', async () => {
    const local = '{\n  "services": {"CoAuthoring": {"secret": {\n    "inbox": {"string": "' + SECRET40 + '"},\n    "outbox": {"string": "' + SECRET40 + '"}\n  }}}\n}\n';
    const f = await run(secretsDiffer, { [LOCAL]: local }, { release: 'v8.1.1' });
    expect(f.map((x) => [x.severity, x.key, x.location?.file, x.location?.line])).toEqual([
      ['medium', 'services.CoAuthoring.secret.session.string', DEFAULT, 291],
    ]);
    expectNoLeak(f, SECRET40);
  });

  it('does not fire when all three are equal, or when they share one file', async () => {
    expect(await run(secretsDiffer, { [LOCAL]: secrets(str(SECRET40)) }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(secretsDiffer, {}, { release: 'v9.3.0' })).toEqual([]);
    const f = '{"string": "", "file": "/etc/onlyoffice/jwt.key"}';
    expect(await run(secretsDiffer, { [LOCAL]: secrets(f) }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('compares file content with a string when the host facts have it', async () => {
    const local = secrets(str(SECRET40), '{"string": "", "file": "/k"}', str(SECRET40));
    const same: HostFacts = { secretFiles: new Map([['/k', { content: SECRET40 }]]) };
    expect(await run(secretsDiffer, { [LOCAL]: local }, { release: 'v9.3.0', host: same })).toEqual([]);
    const nl: HostFacts = { secretFiles: new Map([['/k', { content: SECRET40 + '\n' }]]) };
    const f = await run(secretsDiffer, { [LOCAL]: local }, { release: 'v9.3.0', host: nl });
    expect(f[0]).toMatchObject({ key: 'services.CoAuthoring.secret.outbox.file', location: { file: LOCAL, line: 6 } });
  });
});

describe('DSH304 file ignored', () => {
  it('fires when string and file are both set in local.json', async () => {
    const local = secrets(`{"string": "${SECRET40}",\n         "file": "/etc/onlyoffice/jwt.key"}`, str(SECRET40), str(SECRET40));
    const f = await run(secretFileIgnored, { [LOCAL]: local }, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      ruleId: 'DSH304',
      severity: 'high',
      key: 'services.CoAuthoring.secret.inbox.file',
      location: { file: LOCAL, line: 6 },
    });
    expect(f[0]!.message).toContain('40-character string');
    expectNoLeak(f, SECRET40);
  });

  it('fires when only file is set (default.json\'s "secret" wins) and not when string is ""', async () => {
    const f = await run(secretFileIgnored, { [LOCAL]: secrets('{"file": "/k"}') }, { release: 'v8.3.3' });
    expect(f.map((x) => x.location?.line)).toEqual([5, 6, 7]);
    expect(f[0]!.message).toContain('the public default "secret"');
    expect(await run(secretFileIgnored, { [LOCAL]: secrets('{"string": "", "file": "/k"}') }, { release: 'v8.3.3' })).toEqual([]);
  });
});

describe('DSH305 secret file unusable', () => {
  const local = secrets('{"string": "", "file": "/etc/onlyoffice/jwt.key"}');
  const stat = (mode: number): FileStat => ({ uid: 0, gid: 109, mode: 0o100000 | mode, size: 40, isSymlink: false });
  const ds = { name: 'ds', uid: 109, gid: 109, groups: [109] };

  it('reports a trailing newline and world-readable mode once per file, without the content', async () => {
    const host: HostFacts = { secretFiles: new Map([['/etc/onlyoffice/jwt.key', { content: SECRET40 + '\n', stat: stat(0o644) }]]), serviceUser: ds };
    const f = await run(secretFileUnusable, { [LOCAL]: local }, { release: 'v9.3.0', host });
    expect(f).toHaveLength(2);
    for (const x of f) {
      expect(x).toMatchObject({ ruleId: 'DSH305', severity: 'medium', key: 'services.CoAuthoring.secret.inbox.file', location: { file: LOCAL, line: 5 } });
    }
    expect(f[0]!.message).toContain('newline');
    expect(f[0]!.message).toContain('secret.outbox.file');
    expect(f[1]!.message).toContain('world-readable');
    expectNoLeak(f, SECRET40);
  });

  it('reports an unreadable file and a file the service user cannot read', async () => {
    const err: HostFacts = { secretFiles: new Map([['/etc/onlyoffice/jwt.key', { error: 'EACCES' }]]) };
    expect((await run(secretFileUnusable, { [LOCAL]: local }, { release: 'v9.3.0', host: err }))[0]!.message).toContain('EACCES');
    const owner: HostFacts = { secretFiles: new Map([['/etc/onlyoffice/jwt.key', { content: SECRET40, stat: stat(0o600) }]]), serviceUser: ds };
    const f = await run(secretFileUnusable, { [LOCAL]: local }, { release: 'v9.3.0', host: owner });
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('not readable by the service user ds');
  });

  it('stays quiet for a good file, without host facts, or when the string is in use', async () => {
    const good: HostFacts = { secretFiles: new Map([['/etc/onlyoffice/jwt.key', { content: SECRET40, stat: stat(0o640) }]]), serviceUser: ds };
    expect(await run(secretFileUnusable, { [LOCAL]: local }, { release: 'v9.3.0', host: good })).toEqual([]);
    expect(await run(secretFileUnusable, { [LOCAL]: local }, { release: 'v9.3.0' })).toEqual([]);
    const bad: HostFacts = { secretFiles: new Map([['/k', { content: 'x\n', stat: stat(0o666) }]]) };
    expect(await run(secretFileUnusable, { [LOCAL]: secrets(`{"string": "${SECRET40}", "file": "/k"}`) }, { release: 'v9.3.0', host: bad })).toEqual([]);
  });
});

describe('DSH306 secure-link secret', () => {
  it('fires critical for the stock "verysecretstring"', async () => {
    const f = await run(securelinkSecretDefault, {}, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH306', severity: 'critical', key: 'storage.fs.secretString', location: { file: DEFAULT, line: 110 } });
    expect(f[0]!.message).toContain('CVE-2021-43444');
  });

  it('fires critical for the 5.x default.json value too', async () => {
    const f = await run(securelinkSecretDefault, {}, { release: 'v5.2.9' });
    expect(f[0]).toMatchObject({ severity: 'critical', location: { file: DEFAULT, line: 23 } });
  });

  it('fires high for a short value in local.json, without echoing it', async () => {
    const f = await run(securelinkSecretDefault, { [LOCAL]: '{\n  "storage": {\n    "fs": {"secretString": "Xy7pQ2"}\n  }\n}\n' }, { release: 'v8.3.3' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', location: { file: LOCAL, line: 3 } });
    expectNoLeak(f, 'Xy7pQ2');
    // the title covers what the message is about (a length, not the public default)
    expect(f[0]!.message).toContain('only 6 characters long');
    expect(f[0]!.title).toBe('The secure-link secret is the public default or too short');
  });

  it('does not fire for a 20-character random value (what installers write)', async () => {
    expect(await run(securelinkSecretDefault, { [LOCAL]: '{"storage": {"fs": {"secretString": "q8Rt2ZkP0vXw5LmN3bYc"}}}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH307 aesEncrypt.secret', () => {
  it('fires medium on stock 9.3 and 8.2', async () => {
    const f = await run(aesSecretDefault, {}, { release: 'v9.3.0' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH307', severity: 'medium', key: 'aesEncrypt.secret', location: { file: DEFAULT, line: 245 } });
    expect((await run(aesSecretDefault, {}, { release: 'v8.2.2' }))[0]?.location).toMatchObject({ file: DEFAULT, line: 158 });
  });

  it('does not fire before 8.2 (no key) or after it was changed', async () => {
    expect(await run(aesSecretDefault, {}, { release: 'v8.1.1' })).toEqual([]);
    expect(await run(aesSecretDefault, { [LOCAL]: `{"aesEncrypt": {"secret": "${SECRET40}"}}` }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH308 WOPI default key pair', () => {
  it('fires medium on stock 8.1 (WOPI off) at the key in default.json', async () => {
    const f = await run(wopiDefaultKeys, {}, { release: 'v8.1.1' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH308', severity: 'medium', key: 'wopi.privateKey', location: { file: DEFAULT, line: 103 } });
  });

  it('fires critical on 7.1 when local.json enables WOPI', async () => {
    const f = await run(wopiDefaultKeys, { [LOCAL]: '{\n  "wopi": {\n    "enable": true\n  }\n}\n' }, { release: 'v7.1.1' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'critical', location: { file: DEFAULT, line: 93 } });
    expect(f[0]!.message).toContain(`${LOCAL}:3`);
  });

  it('does not fire with generated keys, on 8.3+ (no shipped key) or with WOPI and 9.3', async () => {
    const own = '{"wopi": {"enable": true, "privateKey": "-----BEGIN PRIVATE KEY-----\\nMIIEv...\\n-----END PRIVATE KEY-----\\n"}}';
    expect(await run(wopiDefaultKeys, { [LOCAL]: own }, { release: 'v8.1.1' })).toEqual([]);
    expect(await run(wopiDefaultKeys, { [LOCAL]: '{"wopi": {"enable": true}}' }, { release: 'v8.3.3' })).toEqual([]);
    expect(await run(wopiDefaultKeys, { [LOCAL]: '{"wopi": {"enable": true}}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('secret rule messages', () => {
  it('never contain a user secret, whatever fires', async () => {
    const local = secrets(`{"string": "${SECRET40}", "file": "/k"}`, str(OTHER40), str(SHORT12), [
      '      "token": {"enable": {"browser": "false"}}',
    ]);
    const host: HostFacts = { secretFiles: new Map([['/k', { content: OTHER40 + '\n', stat: { uid: 0, gid: 0, mode: 0o644, size: 41, isSymlink: false } }]]) };
    const f = await run(ALL, { [LOCAL]: local }, { release: 'v9.3.0', host });
    expect(f.length).toBeGreaterThan(3);
    expectNoLeak(f, SECRET40, OTHER40, SHORT12);
  });

  it('use the fixed IDs', () => {
    expect(secretRules.map((r) => r.id)).toEqual(['DSH300', 'DSH301', 'DSH302', 'DSH303', 'DSH304', 'DSH305', 'DSH306', 'DSH307', 'DSH308']);
  });
});
