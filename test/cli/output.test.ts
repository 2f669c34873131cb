/** How the CLI writes its output: all of it, in order, and quietly when the reader goes away. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/context.js';
import { BIN, expectNoStack, runCli } from '../helpers/cli.js';

const EXAMPLE = path.join(REPO, 'fixtures/examples/nextcloud-9.3');

describe('output', () => {
  it('`ds-harden check | head` ends quietly: no EPIPE stack trace, the exit code still tells the findings', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" check --root "${EXAMPLE}" --format sarif | head -c 20; echo " exit=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(expectNoStack(r.stdout)).toBe(true);
    expect(r.stdout).toMatch(/^\{\n {2}"\$schema": "http exit=1\n$/);
  });

  it('a report larger than a pipe buffer arrives whole', () => {
    const r = runCli(['check', '--root', EXAMPLE, '--format', 'sarif']);
    expect(r.stdout.length).toBeGreaterThan(64 * 1024);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});
