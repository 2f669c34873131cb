/**
 * Service definitions parsed as supervisord and systemd parse them (supervisor: compared with supervisor's own Python
 * code), and every variable located at the line and column of its name.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envFileVars, parseSupervisorEnv, parseSystemdEnv, supervisorEnvs, supervisorIncludes, systemdEnvs } from '../../src/core/ds/service-defs.js';
import { docserviceOf } from '../../src/core/deploy/detect.js';
import { lineText } from '../../src/core/text/position.js';
import type { SourceLocation } from '../../src/core/types.js';

/** supervisor's dict_of_key_value_pairs on each input (Debian's python3-supervisor, installed for the suite). */
function supervisorParse(inputs: string[]): (Record<string, string> | null)[] {
  const py = [
    'import json, sys',
    "sys.path.insert(0, '/usr/lib/python3/dist-packages')",
    'from supervisor.datatypes import dict_of_key_value_pairs as d',
    'out = []',
    'for s in json.load(sys.stdin):',
    '    try: out.append(d(s))',
    '    except ValueError: out.append(None)',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(inputs), encoding: 'utf8' }));
}

describe('parseSupervisorEnv', () => {
  const inputs = [
    'NODE_ENV=production-linux,NODE_CONFIG_DIR=/etc/onlyoffice/documentserver,NODE_DISABLE_COLORS=1',
    `NODE_CONFIG='{"services":{"CoAuthoring":{"token":{"enable":{"request":{"inbox":false}}}}}}',NODE_ENV=production-linux`,
    'A="with, comma",B=plain',
    'A="x"y"z",B=1',
    'A=abc#comment,B=2',
    'A="\'both\'",B=\'"x"\'',
    'NODE_ENV=production-linux, NODE_CONFIG_DIR="/etc/x y"',
    'A=1,B',
    'A=x:y(z)+w.v-u/t',
  ];
  it('gives what supervisord gives for each input', () => {
    const expected = supervisorParse(inputs);
    inputs.forEach((input, i) => {
      const want = expected[i];
      if (want === null) return; // supervisord refuses these; we keep what came before the bad triple
      expect(parseSupervisorEnv(input), input).toEqual(want);
    });
    expect(expected.filter((e) => e !== null).length).toBeGreaterThan(6);
  });

  it('reads %% as %', () => {
    expect(parseSupervisorEnv('A="50%%"')).toEqual({ A: '50%' });
  });

  it('never turns a __proto__ key into a prototype', () => {
    const env = parseSupervisorEnv('__proto__=x,B=1');
    expect(Object.keys(env)).toEqual(['__proto__', 'B']);
    expect(env['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).B).toBeUndefined();
  });
});

describe('supervisorIncludes', () => {
  it('resolves relative patterns against the including file, expands %(here)s, reads continuation lines', () => {
    const text = ['[supervisord]', 'logfile=/x', '[include]', 'files = conf.d/*.conf /etc/extra/*.ini', '   %(here)s/more/*.conf', '[program:x]', 'files = nope'].join('\n');
    expect(supervisorIncludes(text, '/etc/supervisor')).toEqual(['/etc/supervisor/conf.d/*.conf', '/etc/extra/*.ini', '/etc/supervisor/more/*.conf']);
  });
  it('is empty without an include section', () => {
    expect(supervisorIncludes('[supervisord]\nfiles=/x\n', '/etc')).toEqual([]);
  });
});

/** What supervisord makes of each program's environment= in a whole file (its config parser, then its env parser). */
function supervisorFile(text: string): Record<string, Record<string, string>> {
  const py = [
    'import json, sys',
    "sys.path.insert(0, '/usr/lib/python3/dist-packages')",
    'from supervisor.options import UnhosedConfigParser',
    'from supervisor.datatypes import dict_of_key_value_pairs as d',
    'p = UnhosedConfigParser()',
    'p.read_string(sys.stdin.read())',
    "out = {s[len('program:'):]: d(p.get(s, 'environment').replace('%%', '%')) for s in p.sections() if s.startswith('program:') and p.has_option(s, 'environment')}",
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', py], { input: text, encoding: 'utf8' }));
}

/** Every origin points at the variable's name in the text. */
function expectAtNames(text: string, origins: Readonly<Record<string, SourceLocation>>, file: string): void {
  for (const [name, at] of Object.entries(origins)) {
    expect(at.file).toBe(file);
    expect(lineText(text, at.line).slice(at.column - 1, at.column - 1 + name.length), `${name} at ${at.line}:${at.column}`).toBe(name);
  }
}

describe('supervisor program files: environment= as supervisord reads it, each variable located', () => {
  const FILE = '/etc/supervisor/conf.d/ds-docservice.conf';
  const files = [
    // the packaged layout, environment= on line 7
    [
      '; ONLYOFFICE Docs',
      '[program:docservice]',
      'command=/var/www/onlyoffice/documentserver/server/DocService/docservice',
      'directory=/var/www/onlyoffice/documentserver/server/DocService',
      'user=ds',
      'autostart=true',
      `environment=NODE_ENV=production-linux,NODE_CONFIG_DIR=/etc/onlyoffice/documentserver,NODE_CONFIG='{"services":{"CoAuthoring":{"token":{"enable":{"browser":false}}}}}'`,
      'stdout_logfile=/var/log/onlyoffice/documentserver/docservice/out.log',
    ],
    // continuation lines, an inline comment, a blank line inside the value, "Environment :" spelled otherwise
    [
      '[program:docservice]',
      'command=/var/www/onlyoffice/documentserver/server/DocService/docservice',
      'Environment : NODE_ENV=production-linux,   ; the usual',
      '    NODE_CONFIG_DIR=/etc/onlyoffice/documentserver,',
      '',
      `    NODE_CONFIG='{"a":1}'`,
      'user=ds',
    ],
    // a [DEFAULT] environment, a section written twice (one section for supervisord), %% and a # comment in the value
    [
      '[DEFAULT]',
      'environment=NODE_ENV=default-env',
      '[program:docservice]',
      'command=/var/www/onlyoffice/documentserver/server/DocService/docservice',
      '[program:converter]',
      'command=/var/www/onlyoffice/documentserver/server/FileConverter/converter',
      'environment=A="50%%",NODE_CONFIG_DIR=/etc/x #not a comment here? it is',
      '[program:docservice]',
      `environment=NODE_CONFIG='{"b":2}',NODE_ENV=production-linux`,
    ],
  ].map((l) => l.join('\n') + '\n');

  it('gives what supervisord gives for each program', () => {
    for (const text of files) {
      const want = supervisorFile(text);
      const got = Object.fromEntries(supervisorEnvs(FILE, text).map((s) => [s.service, { ...s.env }]));
      expect(got, text).toEqual(want);
    }
  });

  it('locates each variable at the line and column of its name', () => {
    for (const text of files) for (const s of supervisorEnvs(FILE, text)) expectAtNames(text, s.origins, FILE);
    const [ds] = supervisorEnvs(FILE, files[0]!);
    expect(ds!.origins.NODE_CONFIG).toEqual({ file: FILE, line: 7, column: 86 });
    const [cont] = supervisorEnvs(FILE, files[1]!);
    expect(cont!.origins.NODE_CONFIG).toEqual({ file: FILE, line: 6, column: 5 });
  });
});

describe('systemd units: Environment= and EnvironmentFile= as systemd reads them, each variable located', () => {
  const UNIT = '/lib/systemd/system/ds-docservice.service';

  it('splits words as systemd does: quotes anywhere in a word, C escapes, %%, a line continued with \\', () => {
    // systemd.exec(5): Environment="VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"
    expect({ ...parseSystemdEnv('"VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"') }).toEqual({ VAR1: 'word1 word2', VAR2: 'word3', VAR3: '$word 5 6' });
    expect({ ...parseSystemdEnv(`A="x y"z B='{"a": 1}' C=\\x41\\t D=50%% E`) }).toEqual({ A: 'x yz', B: '{"a": 1}', C: 'A\t', D: '50%' });
    // an unbalanced quote: systemd ignores the rest of the line
    expect({ ...parseSystemdEnv('A=1 "B=2 C=3') }).toEqual({ A: '1' });
    const unit = [
      '[Unit]',
      'Description=ONLYOFFICE Docs',
      '# Environment=NODE_CONFIG={"commented":1}',
      '[Service]',
      'User=ds',
      'Environment=NODE_ENV=production-linux \\',
      '# a comment inside the continuation is skipped',
      '   NODE_CONFIG_DIR=/etc/onlyoffice/documentserver',
      `Environment='NODE_CONFIG={"services":{"CoAuthoring":{"token":{"enable":{"browser":false}}}}}'`,
      'ExecStart=/var/www/onlyoffice/documentserver/server/DocService/docservice',
    ].join('\n');
    const [s] = systemdEnvs(UNIT, unit, 'ds-docservice.service');
    expect({ ...s!.env }).toEqual({ NODE_ENV: 'production-linux', NODE_CONFIG_DIR: '/etc/onlyoffice/documentserver', NODE_CONFIG: '{"services":{"CoAuthoring":{"token":{"enable":{"browser":false}}}}}' });
    expectAtNames(unit, s!.origins, UNIT);
    expect(s!.origins.NODE_CONFIG).toEqual({ file: UNIT, line: 9, column: 14 });
    expect(s!.origins.NODE_CONFIG_DIR).toEqual({ file: UNIT, line: 8, column: 4 });
  });

  it('an empty Environment= resets; EnvironmentFile= variables override Environment= ones; drop-ins merge in order', () => {
    const unit = '[Service]\nExecStart=/var/www/onlyoffice/documentserver/server/DocService/docservice\nEnvironment=NODE_CONFIG={"a":1} NODE_ENV=x\nEnvironmentFile=-/etc/default/ds-docservice\n';
    const dropIn = '[Service]\nEnvironment=\nEnvironment=NODE_ENV=production-linux\n';
    const envFile = '# ONLYOFFICE\n  NODE_CONFIG = \'{"b": 2}\'\nOTHER="a \\"quoted\\" \\\\ value"  \nCONT=one\\\n two\n';
    const DROP = '/etc/systemd/system/ds-docservice.service.d/override.conf';
    const [u] = systemdEnvs(UNIT, unit, 'ds-docservice.service');
    expect(u!.envFiles).toEqual([{ path: '/etc/default/ds-docservice', optional: true, at: { file: UNIT, line: 4, column: 18 } }]);
    const vars = envFileVars('/etc/default/ds-docservice', envFile);
    expect({ ...vars.env }).toEqual({ NODE_CONFIG: '{"b": 2}', OTHER: 'a "quoted" \\ value', CONT: 'one two' });
    expectAtNames(envFile, vars.origins, '/etc/default/ds-docservice');
    const [d] = systemdEnvs(DROP, dropIn, 'ds-docservice.service');
    const merged = docserviceOf([{ ...u!, fileEnv: vars }, d!])!;
    expect({ ...merged.merged }).toEqual({ NODE_ENV: 'production-linux', NODE_CONFIG: '{"b": 2}', OTHER: 'a "quoted" \\ value', CONT: 'one two' });
    expect(merged.origins.NODE_CONFIG).toEqual({ file: '/etc/default/ds-docservice', line: 2, column: 3 });
    expect(merged.origins.NODE_ENV).toEqual({ file: DROP, line: 3, column: 13 });
  });
});
