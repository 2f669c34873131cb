/** Service definitions parsed as supervisord parses them: compared with supervisor's own Python function. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSupervisorEnv, supervisorIncludes } from '../../src/core/ds/service-defs.js';

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
