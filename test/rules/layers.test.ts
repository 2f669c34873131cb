/** Parse and layer rules (DSH1xx), on the real upstream default.json of each release. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import { layerRules } from '../../src/core/rules/layers/index.js';

const require = createRequire(import.meta.url);
const byId = (id: string) => layerRules.find((r) => r.id === id)!;
const ENABLE = '{"services":{"CoAuthoring":{"token":{"enable":{"browser":true}}}}}';

describe('DSH100 parse error', () => {
  it('a missing comma (DS 8.3): located where JSON.parse stops (3:3), the likely cause (2:9) named and shown', async () => {
    const f = await run(byId('DSH100'), { [LOCAL]: '{\n  "a": 1\n  "b": 2\n}\n' }, { release: 'v8.3.3' });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH100', severity: 'critical', blocksStartup: true, location: { file: LOCAL, line: 3, column: 3 } });
    expect(f[0]!.message).toContain('missing comma');
    expect(f[0]!.message).toContain('DS reports the error at 3:3, where its parser stopped; the likely cause is at 2:9.');
    expect(f[0]!.message).toContain('2 |   "a": 1\n  |         ^ likely cause (2:9)\n3 |   "b": 2\n  |   ^ DS stops here (3:3)');
  });
  it('a missing comma on DS 9.x: the location is JSON5\'s own "at line:column" (the issue\'s 7:13 against 6:37)', async () => {
    const text = [
      '{', '  "services": {', '    "CoAuthoring": {', '      "token": {', '        "inbox": {',
      '          "prefix": "Bearer "', '            "header": "Authorization"', '        }', '      }', '    }', '  }', '}', '',
    ].join('\n');
    const json5 = (() => {
      try {
        require('json5').parse(text);
      } catch (e) {
        return `${(e as { lineNumber: number }).lineNumber}:${(e as { columnNumber: number }).columnNumber}`;
      }
      return 'parsed';
    })();
    expect(json5).toBe('7:13');
    const f = await run(byId('DSH100'), { [LOCAL]: text }, { release: 'v9.3.0' });
    expect(f[0]).toMatchObject({ location: { line: 7, column: 13 } });
    expect(f[0]!.message).toContain('the likely cause is at 6:30');
  });
  it('a trailing comma on the closing line: one excerpt, DS\'s column and the cause\'s', async () => {
    const f = await run(byId('DSH100'), { [LOCAL]: '{"a": 1,}\n' }, { release: 'v8.3.3' });
    expect(f[0]).toMatchObject({ location: { line: 1, column: 9 } });
    expect(f[0]!.message).toContain('1 | {"a": 1,}\n  |         ^ DS stops here (1:9); the cause is at column 8');
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
  it('fires for a symbolic link to a file that does not exist (DS skips it as a missing file), naming link and target', async () => {
    for (const release of ['v8.3.3', 'v9.3.0']) {
      const f = await run(byId('DSH104'), { [LOCAL]: { text: '', linkTo: '/srv/config/local.json' } }, { release });
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ severity: 'medium', location: { file: LOCAL, line: 1, column: 1 } });
      expect(f[0]!.message).toBe(`${LOCAL} is a symbolic link to /srv/config/local.json, which does not exist: DS skips it as a missing file, so the settings meant for ${LOCAL} are not used.`);
    }
    // another layer: low, as for the other ignored files
    const lpl = `${ETC}/local-production-linux.json`;
    const g = await run(byId('DSH104'), { [lpl]: { text: '', linkTo: '/srv/lpl.json' } }, { release: 'v9.3.0' });
    expect(g.map((x) => x.severity)).toEqual(['low']);
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
  it('fires once for a later layer that replaces a managed object with a string (every secret slot gone), at that line', async () => {
    const f = await run(
      byId('DSH110'),
      {
        [LOCAL]: '{"services":{"CoAuthoring":{"secret":{"inbox":{"string":"Qm7T2vX9pL4sK8dR1wF6hJ3nB5cZ0yGa"}}}}}',
        [`${ETC}/local-production-linux.json`]: '{\n"services":{"CoAuthoring":{"secret":"abc"}}}',
      },
      { release: 'v9.3.0' },
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ key: 'services.CoAuthoring.secret', location: { file: `${ETC}/local-production-linux.json`, line: 2 } });
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
  it('accepts members of the objects DS hands to a library, and still reports typos next to them', async () => {
    const local = JSON.stringify({
      services: {
        CoAuthoring: {
          requestDefaults: { family: 4, timeout: 5000, ca: '/etc/ssl/ca.pem' }, // spread into the HTTP agent options
          redis: { options: { database: 3, username: 'ds' }, iooptions: { sentinels: [] } },
          sql: { pgPoolExtraOptions: { options: '-c search_path=ds' }, mysqlExtraOptions: { ssl: { rejectUnauthorized: true } } },
          socketio: { connection: { maxHttpBufferSize: 1e8 } },
          requestDefault: { family: 4 }, // typo: not a setting
        },
      },
      rabbitmq: { socketOptions: { timeout: 1000 } },
      externalRequest: { action: { proxyHeaders: { 'X-Proxy-Key': 'k' } } },
      storage: { commandOptions: { s3: { putObject: { ServerSideEncryption: 'AES256' } } } },
      persistentStorage: { bucketName: 'forms', storageFolderName: 'files', bogus: 1 },
    });
    const f = await run(byId('DSH114'), { [LOCAL]: local }, { release: 'v9.3.0' });
    expect(f.map((x) => x.key)).toEqual(['services.CoAuthoring.requestDefault', 'persistentStorage.bogus']);
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
  it('accepts ports written as strings of digits, as the installers write them, and "true" where DS tests truthiness', async () => {
    // what the official Docker entrypoint writes with DB_HOST, REDIS_SERVER_HOST, AMQP_TYPE=activemq and METRICS_ENABLED set
    const local = JSON.stringify({
      services: { CoAuthoring: { sql: { dbPort: '5432' }, server: { port: '8000' }, redis: { port: '6379' } } },
      activemq: { connectOptions: { port: '61616' } },
      statsd: { useMetrics: 'true', port: '8125' },
    });
    expect(await run(byId('DSH115'), { [LOCAL]: local }, { release: 'v9.3.0' })).toEqual([]);
  });
  it('still reports a port that is no number and a string "false" that DS reads as true', async () => {
    const local = JSON.stringify({
      services: { CoAuthoring: { sql: { dbPort: '5432x' }, redis: { port: '70000' } } },
      statsd: { useMetrics: 'false' },
    });
    const f = await run(byId('DSH115'), { [LOCAL]: local }, { release: 'v9.3.0' });
    expect(f.map((x) => x.key)).toEqual(['services.CoAuthoring.sql.dbPort', 'services.CoAuthoring.redis.port', 'statsd.useMetrics']);
    expect(f[2]!.message).toContain('DS treats every non-empty string as true');
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
    // an object opened after a secret-looking key is no value: its brace stays, its members are judged on their own
    expect(maskSecretsInLine('      "secret": {')).toBe('      "secret": {');
    expect(maskSecretsInLine('  "secret": {"string": "abcdef"},')).toBe('  "secret": {"string": "••••••"},');
    expect(maskSecretsInLine('  "key": ["a1b2c3"]')).not.toContain('a1b2c3');
    const f = await run(byId('DSH100'), { [LOCAL]: '{\n  "secret": { "inbox": { "string": "Sup3rS3cr3tValue"x" } }\n}' }, { release: 'v9.3.0' });
    expect(f[0]!.message).not.toContain('Sup3rS3cr3tValue');
  });
});
