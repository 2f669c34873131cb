/**
 * Stock installs made by the official installers (fixtures/installs, each README cites its source) get no DSH114
 * (unknown key) or DSH115 (wrong type) finding for a key DS uses — only the true ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, SHARED_CONFIGS } from '../helpers/context.js';
import { findingsOf, makeRoot, runCli } from '../helpers/cli.js';
import { copyTree } from '../helpers/installs.js';

interface Install {
  readonly name: string;
  readonly release: string;
  readonly configDir: string;
  /** The mode the installer leaves local.json with. */
  readonly mode: number;
  /** Keys DS uses that the installer writes in a form default.json does not show (string ports, library options, …). */
  readonly usedKeys: readonly string[];
  /** DSH114/DSH115 findings that are true for this install. */
  readonly expected: readonly string[];
}

const INSTALLS: readonly Install[] = [
  {
    name: 'docker-9.2',
    release: 'v9.2.0',
    configDir: '/etc/onlyoffice/documentserver',
    mode: 0o644,
    usedKeys: [
      'services.CoAuthoring.sql.dbPort',
      'services.CoAuthoring.token.inbox.inBody',
      'services.CoAuthoring.token.outbox.inBody',
      'wopi.privateKeyOld',
      'wopi.exponent',
    ],
    expected: [],
  },
  {
    name: 'rpm-9.3',
    release: 'v9.3.0',
    configDir: '/etc/onlyoffice/documentserver',
    mode: 0o640,
    usedKeys: ['services.CoAuthoring.sql.dbPort', 'queue.type', 'wopi.exponent'],
    expected: [],
  },
  {
    name: 'ansible-debian-9.3',
    release: 'v9.3.0',
    configDir: '/etc/onlyoffice/documentserver',
    mode: 0o644,
    usedKeys: ['services.CoAuthoring.sql.dbPort', 'services.CoAuthoring.redis.port', 'wopi.exponent'],
    expected: [],
  },
  {
    name: 'yunohost-9.3',
    release: 'v9.3.0',
    configDir: '/var/www/onlyoffice/config',
    mode: 0o400,
    usedKeys: [
      'services.CoAuthoring.sql.dbPort',
      'services.CoAuthoring.redis.options.database',
      'services.CoAuthoring.requestDefaults.family',
      'services.CoAuthoring.redis.iooptions.lazyConnect',
      'services.CoAuthoring.server.port',
    ],
    // no DS version reads signing.keyStorePassword: a true finding
    expected: ['DSH114 FileConverter.converter.signing.keyStorePassword'],
  },
];

/** The installer's tree under a temporary root, with the release's upstream default.json and production-linux.json. */
function installRoot(i: Install): string {
  const root = makeRoot(undefined);
  copyTree(path.join(REPO, 'fixtures/installs', i.name), root);
  const dir = path.join(root, i.configDir);
  for (const name of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(SHARED_CONFIGS, i.release, 'server', name), path.join(dir, name));
  fs.chmodSync(path.join(dir, 'local.json'), i.mode);
  return root;
}

describe('stock installs: no schema or type finding for keys DS uses', () => {
  for (const i of INSTALLS) {
    it(`${i.name}: ${i.usedKeys.length} keys DS uses pass DSH114/DSH115`, () => {
      const root = installRoot(i);
      const local = JSON.parse(fs.readFileSync(path.join(root, i.configDir, 'local.json'), 'utf8')) as Record<string, unknown>;
      // the fixture really sets each named key (a test of an absent key could not fail)
      for (const key of i.usedKeys) {
        expect(key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], local), key).not.toBeUndefined();
      }
      const r = runCli(['check', '--root', root, '--ds-version', i.release.slice(1), '--config-dir', i.configDir, '--format', 'json']);
      expect(r.stderr).toBe('');
      const schema = findingsOf(r).filter((f) => f.ruleId === 'DSH114' || f.ruleId === 'DSH115');
      for (const key of i.usedKeys) expect(schema.filter((f) => f.key === key), key).toEqual([]);
      expect(schema.map((f) => `${f.ruleId} ${f.key}`)).toEqual(i.expected);
    });
  }
});
