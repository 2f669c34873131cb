/** Parse and layer rules (DSH1xx), on the real upstream default.json of each release. */
import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import { layerRules } from '../../src/core/rules/layers/index.js';

const byId = (id: string) => layerRules.find((r) => r.id === id)!;
const ENABLE = '{"services":{"CoAuthoring":{"token":{"enable":{"browser":true}}}}}';

describe('DSH100 parse error', () => {
  it('fires with file, line and column for a missing comma (DS 8.3)', async () => {
    const f = await run(byId('DSH100'), { [LOCAL]: '{\n  "a": 1\n  "b": 2\n}\n' }, { release: 'v8.3.3' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH100', severity: 'critical', location: { file: LOCAL, line: 2, column: 9 } });
    expect(f[0]!.message).toContain('missing comma');
  });
  it('is silent for JSON5 syntax on DS 9.x (single quotes, unquoted keys, comments)', async () => {
    const f = await run(byId('DSH100'), { [LOCAL]: "{\n  // note\n  services: {'CoAuthoring': {},},\n}" }, { release: 'v9.3.0' });
    expect(f).toEqual([]);
  });
  it('fires for the same JSON5 file on DS 8.3 (unquoted key)', async () => {
    const f = await run(byId('DSH100'), { [LOCAL]: "{\n  services: {}\n}" }, { release: 'v8.3.3' });
    expect(f[0]).toMatchObject({ location: { line: 2, column: 3 } });
    expect(f[0]!.message).toContain('unquoted key');
  });
});

describe('DSH102 duplicate keys', () => {
  it('is medium outside the security subtrees', async () => {
    const f = await run(byId('DSH102'), { [LOCAL]: '{"log":{"a":1},\n"log":{"b":2}}' }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'medium', location: { line: 1, column: 2 } });
  });
  it('is silent without duplicates', async () => {
    expect(await run(byId('DSH102'), { [LOCAL]: ENABLE }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH103 comment fallback on DS ≤ 8.3', () => {
  it('fires when a comment comes first (JSON5 fallback path)', async () => {
    const f = await run(byId('DSH103'), { [LOCAL]: '{\n  // hi\n  "a": 1\n}' }, { release: 'v8.3.3' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH103', location: { line: 2, column: 3 } });
  });
  it('is silent on DS 9.x, where JSON5 is the parser', async () => {
    expect(await run(byId('DSH103'), { [LOCAL]: '{\n  // hi\n  "a": 1\n}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH104 skipped layer', () => {
  it('fires for a top-level array', async () => {
    const f = await run(byId('DSH104'), { [LOCAL]: '[]' }, { release: 'v9.3.0' });
    expect(f[0]!.message).toContain('an array');
  });
  it('is silent for an object', async () => {
    expect(await run(byId('DSH104'), { [LOCAL]: '{}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH105 broken runtime.json', () => {
  it('fires for an unparseable Admin Panel runtime.json, which DS ignores', async () => {
    const f = await run(byId('DSH105'), { '/var/www/onlyoffice/Data/runtime.json': '{"a":' }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH105', location: { file: '/var/www/onlyoffice/Data/runtime.json' } });
  });
  it('is silent for a valid runtime.json', async () => {
    expect(await run(byId('DSH105'), { '/var/www/onlyoffice/Data/runtime.json': '{}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH110 later layer overrides local.json', () => {
  it('fires for local-production-linux.json turning JWT off, pointing at that line', async () => {
    const f = await run(
      byId('DSH110'),
      {
        [LOCAL]: '{"services":{"CoAuthoring":{"token":{"enable":{"request":{"inbox":true}}}}}}',
        [`${ETC}/local-production-linux.json`]: '{\n"services":{"CoAuthoring":{"token":{"enable":{"request":{"inbox":false}}}}}}',
      },
      { release: 'v9.3.0' },
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ key: 'services.CoAuthoring.token.enable.request.inbox', location: { file: `${ETC}/local-production-linux.json`, line: 2 } });
    expect(f[0]!.message).toContain('overriding the value in local.json');
  });
  it('is silent when local.json decides', async () => {
    expect(await run(byId('DSH110'), { [LOCAL]: ENABLE }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH111 opaque layer', () => {
  it('fires for local.js', async () => {
    const f = await run(byId('DSH111'), { [`${ETC}/local.js`]: 'module.exports = {}' }, { release: 'v9.3.0' });
    expect(f[0]!.message).toContain('executes this file');
  });
  it('is silent without such files', async () => {
    expect(await run(byId('DSH111'), { [LOCAL]: '{}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH112 hardening in default.json', () => {
  it('fires when default.json itself enables JWT', async () => {
    const { stockFiles } = await import('../helpers/context.js');
    const stock = stockFiles('v9.3.0');
    const edited = stock[`${ETC}/default.json`]!.replace('"browser": false', '"browser": true');
    const f = await run(byId('DSH112'), { [`${ETC}/default.json`]: edited }, { release: 'v9.3.0' });
    expect(f.map((x) => x.key)).toEqual(['services.CoAuthoring.token.enable.browser']);
    expect(f[0]!.location?.file).toBe(`${ETC}/default.json`);
  });
  it('is silent for a stock default.json', async () => {
    expect(await run(byId('DSH112'), {}, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH113 other sources', () => {
  it('fires for a host-name layer', async () => {
    const f = await run(byId('DSH113'), { [`${ETC}/docs1.json`]: '{}' }, { release: 'v9.3.0', hostname: 'docs1' });
    expect(f[0]!.location?.file).toBe(`${ETC}/docs1.json`);
  });
  it('is silent for another host name', async () => {
    expect(await run(byId('DSH113'), { [`${ETC}/docs1.json`]: '{}' }, { release: 'v9.3.0', hostname: 'other' })).toEqual([]);
  });
});

describe('DSH114 unknown keys', () => {
  it('suggests the right place for a misplaced token block (high: security key)', async () => {
    const f = await run(byId('DSH114'), { [LOCAL]: '{"services":{"token":{"enable":{"browser":true}}}}' }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ severity: 'high', key: 'services.token' });
    expect(f[0]!.message).toContain('services.CoAuthoring.token');
  });
  it('is silent for keys DS knows', async () => {
    expect(await run(byId('DSH114'), { [LOCAL]: ENABLE }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('DSH115 wrong type', () => {
  it('fires for a non-numeric port string', async () => {
    const f = await run(byId('DSH115'), { [LOCAL]: '{"services":{"CoAuthoring":{"server":{"port":"abc"}}}}' }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ ruleId: 'DSH115', key: 'services.CoAuthoring.server.port' });
  });
  it('is silent for the right type', async () => {
    expect(await run(byId('DSH115'), { [LOCAL]: '{"services":{"CoAuthoring":{"server":{"port":8001}}}}' }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('parse-error excerpts never show a secret', () => {
  it('blanks the value after a secret key to the end of the line, keeping the character under the caret', async () => {
    const { maskSecretsInLine } = await import('../../src/core/redact.js');
    // every token of the broken value is blanked; quotes and the closers stay
    expect(maskSecretsInLine('  "inbox": { "string": "abc"def" },')).toBe('  "inbox": { "string": "•••"•••" },');
    const pasted = '      "string": "s3\u201cr3t"';
    expect(maskSecretsInLine(pasted, pasted.indexOf('\u201c') + 1)).toBe('      "string": "••\u201c•••"');
    expect(maskSecretsInLine("  string: 'x1y2z3',")).toBe("  string: '••••••',");
    expect(maskSecretsInLine('  "header": "Authorization",')).toBe('  "header": "Authorization",');
    const f = await run(byId('DSH100'), { [LOCAL]: '{\n  "secret": { "inbox": { "string": "Sup3rS3cr3tValue"x" } }\n}' }, { release: 'v9.3.0' });
    expect(f[0]!.message).not.toContain('Sup3rS3cr3tValue');
  });
});
