/** Format-preserving compose edits (yaml's CST): untouched bytes stay, new lines follow the file's own layout. */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { addEnvFile, addVolume, composeText, findEnv, parseComposeCst, removeEnv, setEnv } from '../../src/core/plan/compose-edit.js';
import { dotenvWith } from '../../src/apply/modes.js';

const edit = (text: string, f: (c: ReturnType<typeof parseComposeCst>) => void) => {
  const c = parseComposeCst(text);
  f(c);
  const out = composeText(c);
  expect(parseDocument(out).errors).toEqual([]);
  return out;
};

describe('compose edits', () => {
  it('map syntax: a value replaced in place keeps its comment; a new key follows the map', () => {
    const text = 'services:\n  ds:\n    image: onlyoffice/documentserver:9.3\n    environment:\n      JWT_ENABLED: "false"   # off for now\n      DB_HOST: db\n\n  db:\n    image: postgres\n';
    const out = edit(text, (c) => {
      setEnv(c, 'ds', 'JWT_ENABLED', 'true');
      setEnv(c, 'ds', 'JWT_SECRET', '0123456789');
    });
    expect(out).toBe('services:\n  ds:\n    image: onlyoffice/documentserver:9.3\n    environment:\n      JWT_ENABLED: "true"   # off for now\n      DB_HOST: db\n      JWT_SECRET: "0123456789"\n\n  db:\n    image: postgres\n');
    // a number-looking value is quoted, so compose passes it as written
    expect((parseDocument(out).toJS() as any).services.ds.environment.JWT_SECRET).toBe('0123456789');
  });

  it('list syntax: quotes inside an item go, a fully quoted item stays quoted; removal keeps the comment above', () => {
    const text = 'services:\n  ds:\n    environment:\n      - A=1\n      # the secret\n      - JWT_SECRET="abc"\n      - "JWT_HEADER=X"\n';
    const out = edit(text, (c) => {
      setEnv(c, 'ds', 'JWT_HEADER', 'AuthorizationJwt');
      expect(findEnv(c, 'ds', 'JWT_SECRET')).toMatchObject({ style: 'list', raw: '"abc"' });
      removeEnv(c, 'ds', 'JWT_SECRET');
    });
    expect(out).toBe('services:\n  ds:\n    environment:\n      - A=1\n      # the secret\n      - "JWT_HEADER=AuthorizationJwt"\n');
  });

  it('removing the first item hands its indentation to the next one', () => {
    const out = edit('services:\n  ds:\n    environment:\n      - JWT_SECRET=x\n      - B=2\n', (c) => removeEnv(c, 'ds', 'JWT_SECRET'));
    expect(out).toBe('services:\n  ds:\n    environment:\n      - B=2\n');
  });

  it('no environment, a scalar env_file, no volumes, no final newline, CRLF: all added in the file\'s style', () => {
    const text = 'services:\r\n  ds:\r\n    image: onlyoffice/documentserver\r\n    env_file: common.env';
    const out = edit(text, (c) => {
      setEnv(c, 'ds', 'JWT_ENABLED', 'true');
      addEnvFile(c, 'ds', './onlyoffice-jwt.env');
      addVolume(c, 'ds', './local-production-linux.json:/etc/onlyoffice/documentserver/local-production-linux.json:ro');
    });
    expect(out).toBe(
      'services:\r\n  ds:\r\n    image: onlyoffice/documentserver\r\n    env_file:\r\n      - common.env\r\n      - ./onlyoffice-jwt.env\r\n    environment:\r\n      - JWT_ENABLED=true\r\n    volumes:\r\n      - ./local-production-linux.json:/etc/onlyoffice/documentserver/local-production-linux.json:ro\r\n',
    );
  });

  it('refuses what it will not edit faithfully: a flow-style environment, an aliased service', () => {
    expect(() => edit('services:\n  ds:\n    environment: [A=1]\n', (c) => setEnv(c, 'ds', 'JWT_ENABLED', 'true'))).toThrow(/flow style/);
    expect(() => edit('x: &d\n  image: a\nservices:\n  ds: *d\n', (c) => setEnv(c, 'ds', 'JWT_ENABLED', 'true'))).toThrow(/anchor or alias/);
  });

  it('dotenv lines: rewritten in place (export and CRLF kept), appended when missing, a new file gets its header', () => {
    expect(dotenvWith('A=1\r\nexport JWT_SECRET="old"\r\nB=2\r\n', 'JWT_SECRET', 'new', '#')).toBe('A=1\r\nexport JWT_SECRET=new\r\nB=2\r\n');
    expect(dotenvWith('A=1', 'JWT_SECRET', 'new', '#')).toBe('A=1\nJWT_SECRET=new\n');
    expect(dotenvWith(null, 'JWT_SECRET', 'new', '# head')).toBe('# head\nJWT_SECRET=new\n');
  });
});
