import { describe, expect, it } from 'vitest';
import { run, LOCAL, ETC } from '../helpers/context.js';
import type { MemFile } from '../helpers/memory-host.js';
import { fileRules } from '../../src/core/rules/files/index.js';
import { worldReadableSecrets } from '../../src/core/rules/files/world-readable-secrets.js';
import { unreadableByDs } from '../../src/core/rules/files/unreadable-by-ds.js';
import { writableByOthers } from '../../src/core/rules/files/writable-by-others.js';
import { worldReadableCopies } from '../../src/core/rules/files/world-readable-copies.js';
import { configCopies } from '../../src/core/layers/copies.js';
import { load, stockFiles } from '../helpers/context.js';
import { memoryHost } from '../helpers/memory-host.js';
import { gatherHostFacts } from '../../src/adapters/host-facts.js';
import { evaluate, makeContext } from '../../src/core/evaluate.js';
import type { Finding } from '../../src/core/types.js';

const RUNTIME = '/var/www/onlyoffice/Data/runtime.json';
const DS = { name: 'ds', uid: 999, gid: 999, groups: [999] };
const SECRET_LOCAL = JSON.stringify({
  services: { CoAuthoring: { secret: { inbox: { string: 'x'.repeat(32) }, outbox: { string: 'x'.repeat(32) } } } },
  storage: { fs: { secretString: 'abcdefghijklmnopqrst' } },
});
const file = (text: string, stat: MemFile['stat'], error?: string): MemFile => ({ text, stat, ...(error ? { error } : {}) });
const START = (f: string) => ({ file: f, line: 1, column: 1 });

describe('DSH400 local.json is readable by every user although it holds secrets', () => {
  it('0644 with JWT secrets and the secure-link key: high, at the file, listing the keys (never the values)', async () => {
    const f = await run(worldReadableSecrets, { [LOCAL]: file(SECRET_LOCAL, { mode: 0o644, uid: 999, gid: 999 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH400', severity: 'high', location: START(LOCAL) });
    expect(f[0]!.message).toContain('mode 0644');
    expect(f[0]!.message).toContain('owner uid 999 (ds)');
    expect(f[0]!.message).toContain('services.CoAuthoring.secret.inbox.string, services.CoAuthoring.secret.outbox.string, storage.fs.secretString');
    expect(f[0]!.message).not.toContain('xxxx');
    expect(f[0]!.remediation).toContain('chmod 640');
    expect(f[0]!.remediation).toContain('chown root:ds');
  });

  it('0640, or 0644 without secrets, or default.json (public defaults only): nothing', async () => {
    expect(await run(worldReadableSecrets, { [LOCAL]: file(SECRET_LOCAL, { mode: 0o640 }) }, { release: 'v9.3.0' })).toEqual([]);
    const noSecret = JSON.stringify({ services: { CoAuthoring: { token: { enable: { browser: true } } } } });
    expect(await run(worldReadableSecrets, { [LOCAL]: file(noSecret, { mode: 0o644 }) }, { release: 'v9.3.0' })).toEqual([]);
    // the stock files are 0644 in the memory host and hold "secret"/"verysecretstring", but they are not admin files
    expect(await run(worldReadableSecrets, {}, { release: 'v9.3.0' })).toEqual([]);
  });

  it('an empty secret string does not count; a file-only secret does not count', async () => {
    const text = JSON.stringify({ services: { CoAuthoring: { secret: { inbox: { string: '', file: '/etc/ds/jwt' } } } } });
    expect(await run(worldReadableSecrets, { [LOCAL]: file(text, { mode: 0o644 }) }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('covers the 9.x Admin Panel runtime.json and local-production-linux.json too', async () => {
    const f = await run(
      worldReadableSecrets,
      {
        [RUNTIME]: file(JSON.stringify({ services: { CoAuthoring: { sql: { dbPass: 'pw' } } } }), { mode: 0o664 }),
        [`${ETC}/local-production-linux.json`]: file(JSON.stringify({ rabbitmq: { url: 'amqp://user:pw@mq:5672' } }), { mode: 0o644 }),
      },
      { release: 'v9.3.0' },
    );
    expect(f.map((x) => [x.location?.file, x.message.split('sets ')[1]])).toEqual([
      [`${ETC}/local-production-linux.json`, 'a secret: rabbitmq.url.'],
      [RUNTIME, 'a secret: services.CoAuthoring.sql.dbPass.'],
    ]);
  });
});

describe('DSH401 DS cannot read a configuration file', () => {
  it('local.json root:root 0600 (ds-observed §3c): critical, names user, owner, mode and the start-up failure', async () => {
    const f = await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o600, uid: 0, gid: 0 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'DSH401', severity: 'critical', location: START(LOCAL) });
    const m = f[0]!.message;
    expect(m).toContain('ds (uid 999, groups 999)');
    expect(m).toContain('owner uid 0 (root), group gid 0 (root), mode 0600');
    expect(m).toContain('ERROR (spawn error)');
    expect(m).toContain('FATAL');
    expect(m).toContain('systemd');
  });

  it('root:ds 0640, ds:ds 0600 and the stock 0644 files: nothing', async () => {
    for (const stat of [{ mode: 0o640, uid: 0, gid: 999 }, { mode: 0o600, uid: 999, gid: 999 }]) {
      expect(await run(unreadableByDs, { [LOCAL]: file('{}', stat) }, { release: 'v9.3.0', host: { serviceUser: DS } })).toEqual([]);
    }
  });

  it('a group the service user is a member of counts', async () => {
    const user = { ...DS, groups: [999, 1001] };
    const stat = { mode: 0o640, uid: 0, gid: 1001 };
    expect(await run(unreadableByDs, { [LOCAL]: file('{}', stat) }, { release: 'v9.3.0', host: { serviceUser: user } })).toEqual([]);
    expect(await run(unreadableByDs, { [LOCAL]: file('{}', stat) }, { release: 'v9.3.0', host: { serviceUser: DS } })).toHaveLength(1);
  });

  it('also checks other layers DS loads (default.json made unreadable)', async () => {
    const f = await run(unreadableByDs, { [`${ETC}/default.json`]: file('{}', { mode: 0o440, uid: 0, gid: 0 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toMatchObject([{ severity: 'critical', location: START(`${ETC}/default.json`) }]);
  });

  it('skips permission checks when the service user is unknown', async () => {
    expect(await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o600 }) }, { release: 'v9.3.0' })).toEqual([]);
  });

  it('still flags a file ds-harden could not read: high with EACCES and no service user, critical for other errors', async () => {
    const eacces = await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o600 }, 'EACCES') }, { release: 'v9.3.0' });
    expect(eacces).toMatchObject([{ ruleId: 'DSH401', severity: 'high', location: START(LOCAL) }]);
    expect(eacces[0]!.message).toContain('cannot tell whether DS can');
    expect(eacces[0]!.blocksStartup).toBeUndefined(); // not certain: the others are not marked as "once it loads"
    const eisdir = await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o755 }, 'EISDIR') }, { release: 'v9.3.0' });
    expect(eisdir).toMatchObject([{ severity: 'critical', blocksStartup: true }]);
    expect(eisdir[0]!.message).toContain('EISDIR');
  });

  it('with the service user known, an EACCES only ds-harden hits is not reported; one ds hits too is critical', async () => {
    expect(await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o644 }, 'EACCES') }, { release: 'v9.3.0', host: { serviceUser: DS } })).toEqual([]);
    const f = await run(unreadableByDs, { [LOCAL]: file('{}', { mode: 0o600, uid: 0 }, 'EACCES') }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toMatchObject([{ severity: 'critical' }]);
  });

  it('Data/runtime.json unreadable: high, DS runs without it', async () => {
    const f = await run(unreadableByDs, { [RUNTIME]: file('{}', { mode: 0o600, uid: 0, gid: 0 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toMatchObject([{ ruleId: 'DSH401', severity: 'high', location: START(RUNTIME) }]);
    expect(f[0]!.message).toContain('Failed to load runtime config');
    expect(f[0]!.message).not.toContain('spawn error');
  });
});

describe('DSH402 a configuration file is writable by users other than its owner', () => {
  it('group-writable local.json: medium', async () => {
    const f = await run(writableByOthers, { [LOCAL]: file('{}', { mode: 0o664, uid: 0, gid: 999 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toMatchObject([{ ruleId: 'DSH402', severity: 'medium', location: START(LOCAL) }]);
    expect(f[0]!.message).toContain('members of its group (gid 999)');
    expect(f[0]!.message).toContain('mode 0664');
  });

  it('world-writable: high; a world-writable local.js says DS executes it', async () => {
    const f = await run(writableByOthers, { [LOCAL]: file('{}', { mode: 0o666 }), [`${ETC}/local.js`]: file('module.exports={}', { mode: 0o646 }) }, { release: 'v9.3.0' });
    // node-config order: local.js is loaded before local.json
    expect(f.map((x) => [x.severity, x.location?.file])).toEqual([
      ['high', `${ETC}/local.js`],
      ['high', LOCAL],
    ]);
    expect(f[1]!.message).toContain('every user on the host');
    expect(f[0]!.message).toContain('DS executes this file');
  });

  it('0640, 0644 and the stock files: nothing', async () => {
    expect(await run(writableByOthers, { [LOCAL]: file('{}', { mode: 0o640 }) }, { release: 'v9.3.0' })).toEqual([]);
    expect(await run(writableByOthers, { [LOCAL]: file('{}', { mode: 0o644 }) }, { release: 'v9.3.0' })).toEqual([]);
  });
});

describe('fileRules', () => {
  it('exports DSH400–DSH403 and is quiet on a well-kept install', async () => {
    expect(fileRules.map((r) => r.id)).toEqual(['DSH400', 'DSH401', 'DSH402', 'DSH403']);
    const f = await run(fileRules, { [LOCAL]: file(SECRET_LOCAL, { mode: 0o640, uid: 0, gid: 999 }) }, { release: 'v9.3.0', host: { serviceUser: DS } });
    expect(f).toEqual([]);
  });
});

/** Runs DSH403 the way check does: the copies are listed by load and read by gatherHostFacts, through the host. */
async function copiesFindings(files: Record<string, string | MemFile>): Promise<Finding[]> {
  const all = { [LOCAL]: file(SECRET_LOCAL, { mode: 0o640 }), ...files };
  const loaded = await load(all, { release: 'v9.3.0' });
  const facts = await gatherHostFacts(memoryHost({ ...stockFiles('v9.3.0'), ...all }), loaded);
  return evaluate([worldReadableCopies, worldReadableSecrets], makeContext(loaded, facts));
}

describe('DSH403 a copy of a configuration file holds secrets and is readable by every user', () => {
  it('reports local.json.original and an Ansible backup, both 0644 with a secret, with the DSH400 fix (local.json itself is 0640)', async () => {
    const f = await copiesFindings({
      [`${ETC}/local.json.original`]: file(SECRET_LOCAL, { mode: 0o644 }),
      [`${ETC}/local.json.12345.2026-05-14@09:12:18~`]: file(SECRET_LOCAL, { mode: 0o644 }),
    });
    expect(f.map((x) => [x.ruleId, x.location?.file])).toEqual([
      ['DSH403', `${ETC}/local.json.12345.2026-05-14@09:12:18~`],
      ['DSH403', `${ETC}/local.json.original`],
    ]);
    expect(f[0]!.message).toContain('is an Ansible backup (backup: yes) of local.json, readable by every user on the host');
    expect(f[1]!.message).toContain('is a backup copy of local.json');
    expect(f[0]!.message).toContain('services.CoAuthoring.secret.inbox.string, services.CoAuthoring.secret.outbox.string, storage.fs.secretString');
    expect(f[0]!.message).not.toContain('xxxx');
    expect(f[0]!.severity).toBe('high');
    // the fix names the copy itself (shell-quoted: the backup name has @ and ~), never a <file> placeholder
    const backup = `'${ETC}/local.json.12345.2026-05-14@09:12:18~'`;
    expect(f[0]!.remediation).toContain(`chown root:ds ${backup} && chmod 640 ${backup} (or chown ds:ds ${backup}), as for local.json (DSH400)`);
    expect(f[1]!.remediation).toContain(`chown root:ds ${ETC}/local.json.original && chmod 640 ${ETC}/local.json.original`);
    expect(f.map((x) => x.remediation).join('\n')).not.toContain('<file>');
  });

  it('finds secrets in files that do not parse: a vim swap file, a truncated .bak; names only', async () => {
    const swap = '\u0000b0VIM 9.0\u0000\u0000root\u0000host\u0000/etc/onlyoffice/documentserver/local.json\u0000' +
      '"secret": { "inbox": { "string": "abcdefghijklmnopqrstuvwxyz012345" } },\u0000"dbPass": "s3cret-db"\u0000';
    const f = await copiesFindings({
      [`${ETC}/.local.json.swp`]: file(swap, { mode: 0o644 }),
      [`${ETC}/local.json.bak`]: file('{"rabbitmq": {"url": "amqp://ds:mq-pass@mq.internal"}, "services": {', { mode: 0o604 }),
    });
    expect(f.map((x) => x.message.split(', readable')[0])).toEqual([
      `${ETC}/.local.json.swp is a vim swap file of local.json`,
      `${ETC}/local.json.bak is a backup copy of local.json`,
    ]);
    expect(f[0]!.message).toContain('holds secrets: a JWT secret (secret.*.string), the database password (sql.dbPass)');
    expect(f[1]!.message).toContain('a password in a URL (rabbitmq.url)');
    expect(f.map((x) => x.message).join()).not.toMatch(/abcdefghij|s3cret-db|mq-pass/);
  });

  it('copies of upstream files count only values that differ from default.json (which are public)', async () => {
      const stock = stockFiles('v9.3.0')[`${ETC}/default.json`]!;
    const changed = stock.replace('"dbPass": "onlyoffice"', '"dbPass": "changed-in-default"');
    expect(changed).not.toBe(stock);
    const quiet = await copiesFindings({ [`${ETC}/default.json.dpkg-dist`]: file(stock, { mode: 0o644 }), [`${ETC}/development-linux.json`]: file('{}', { mode: 0o644 }) });
    expect(quiet).toEqual([]);
    const f = await copiesFindings({ [`${ETC}/default.json.dpkg-old`]: file(changed, { mode: 0o644 }) });
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('is a copy dpkg keeps of default.json');
    expect(f[0]!.message).toMatch(/holds a secret: services\.CoAuthoring\.sql\.dbPass\./);
  });

  it('is silent for 0640 copies, copies without secrets, and the layers DS loads', async () => {
    const f = await copiesFindings({
      [`${ETC}/local.json.rpmsave`]: file(SECRET_LOCAL, { mode: 0o640 }),
      [`${ETC}/local.json.orig`]: file('{"services": {"CoAuthoring": {"ipfilter": {"rules": []}}}}', { mode: 0o644 }),
      [`${ETC}/local-production-linux.json`]: file('{}', { mode: 0o644 }),
    });
    expect(f).toEqual([]);
  });

  it('knows the names editors, package managers, Ansible and the json tool give copies', () => {
    const names = [
      'local.json', 'default.json', 'production-linux.json', 'custom-environment-variables.json', 'log4js', 'nginx',
      'local.json.dpkg-old', 'default.json.dpkg-dist', 'local.json.rpmsave', 'local.json.rpmnew', 'local.json.99.2026-01-02@03:04:05~',
      '.local.json.swp', '.local.json.swo', '#local.json#', 'local.json~', '.local.json-json-4242-1700000000000.tmp',
      'local.json.original', 'local.json.bak', 'local.json.2024-01-01', 'local-old.json', 'wopi_private.key',
      '.local.json.ds-harden-3f9a.tmp', '.local.json.old',
    ];
    const loaded = new Set(['local.json', 'default.json', 'production-linux.json']);
    expect(configCopies(names, loaded).map((c) => [c.name, c.of ?? '-', c.kind])).toEqual([
      ['#local.json#', 'local.json', 'editor'],
      ['.local.json-json-4242-1700000000000.tmp', 'local.json', 'temporary'],
      ['.local.json.ds-harden-3f9a.tmp', 'local.json', 'temporary'],
      ['.local.json.old', 'local.json', 'backup'],
      ['.local.json.swo', 'local.json', 'editor'],
      ['.local.json.swp', 'local.json', 'editor'],
      ['default.json.dpkg-dist', 'default.json', 'package-manager'],
      ['local-old.json', '-', 'not-loaded'],
      ['local.json.2024-01-01', 'local.json', 'backup'],
      ['local.json.99.2026-01-02@03:04:05~', 'local.json', 'ansible-backup'],
      ['local.json.bak', 'local.json', 'backup'],
      ['local.json.dpkg-old', 'local.json', 'package-manager'],
      ['local.json.original', 'local.json', 'backup'],
      ['local.json.rpmnew', 'local.json', 'package-manager'],
      ['local.json.rpmsave', 'local.json', 'package-manager'],
      ['local.json~', 'local.json', 'editor'],
    ]);
  });
});
