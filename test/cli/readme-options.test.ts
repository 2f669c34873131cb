/**
 * README.md is true about the command line: every option `--help` lists for a command is documented in that command's
 * section of the README, the help texts say what the code does, and the --policy keys are the schema's, in the help and
 * in the README alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const SCHEMA_KEYS = Object.keys((JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/policy.schema.json'), 'utf8')) as { properties: object }).properties);

/** The README section whose heading starts with `heading` (up to the next heading of the same or a higher level). */
function section(heading: string): string {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start, `README has a section "${heading}"`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(heading)![0].length;
  let end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level && !inFence(lines, i));
  if (end < 0) end = lines.length;
  return lines.slice(start, end).join('\n');
}

/** Whether line i is inside a ``` fence (a shell comment there is not a heading). */
function inFence(lines: readonly string[], i: number): boolean {
  return lines.slice(0, i).filter((l) => l.startsWith('```')).length % 2 === 1;
}

/** The long options `ds-harden <command> --help` lists (without --help itself). */
function helpOptions(command: string): string[] {
  const r = runCli([command, '--help']);
  expect(r.code).toBe(0);
  return [...new Set([...r.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!))].filter((o) => o !== '--help');
}

const SECTIONS: Readonly<Record<string, string>> = {
  check: '## `check`',
  probe: '## `probe`',
  wizard: '## `wizard`',
  apply: '## `apply`',
  'rotate-secret': '### `rotate-secret`',
  history: '### `history` and `rollback`',
  rollback: '### `history` and `rollback`',
  proxy: '## `proxy`',
};

describe('README documents every option of every command', () => {
  for (const [command, heading] of Object.entries(SECTIONS)) {
    it(`${command}: every option of --help is in README's "${heading}"`, () => {
      const text = section(heading);
      const missing = helpOptions(command).filter((o) => !new RegExp(`${o.replace(/-/g, '\\-')}(?![a-z-])`).test(text));
      expect(missing).toEqual([]);
    });
  }

  it('the usage block of check shows every option of check --help', () => {
    const block = /## `check`\n\n```\n([\s\S]*?)```/.exec(README)![1]!;
    expect(helpOptions('check').filter((o) => !block.includes(o))).toEqual([]);
  });
});

describe('help texts say what the code does', () => {
  it('--policy lists every key of schemas/policy.schema.json, in the help and in the README', () => {
    const help = runCli(['apply', '--help']).stdout.replace(/\s+/g, ' ');
    const listed = /--policy <file>\s+JSON file with the same keys \(([^)]*)\)/.exec(help)?.[1]?.split(/, ?/);
    expect(listed).toEqual(SCHEMA_KEYS);
    const row = README.split('\n').find((l) => l.startsWith('| `--policy FILE` |'))!;
    expect(SCHEMA_KEYS.filter((k) => !row.includes(`\`${k}\``))).toEqual([]);
  });

  it('--header keeps the header in use when not given (apply and rotate-secret say so)', () => {
    for (const command of ['apply', 'rotate-secret']) {
      const help = runCli([command, '--help']).stdout.replace(/\s+/g, ' ');
      expect(help, command).toMatch(/--header <name>\s+JWT header for inbox and outbox \([^)]*default: keep the one in use\)/);
      expect(help, command).not.toContain('default Authorization');
    }
  });
});
