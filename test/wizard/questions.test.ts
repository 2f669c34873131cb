/**
 * The wizard's questions, drawn by the real @inquirer/prompts through our adapter (adapters/prompter.ts) on
 * @inquirer/testing's virtual screen: what the admin sees at each step, the pre-filled answers, the inline checks
 * (the same as apply's flags), and Ctrl-C → PromptCancelled. Fast: no process, no terminal.
 */
import { screen } from '@inquirer/testing/vitest';
import { describe, expect, inject, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { openPrompter } from '../../src/adapters/prompter.js';
import { askAnswers, type Answers } from '../../src/commands/wizard/questions.js';
import { answerChecks } from '../../src/commands/wizard/checks.js';
import type { Detected } from '../../src/commands/wizard/detect.js';
import { STOCK_DETECTED, STRONG_SECRET } from './fixtures.js';
import { PromptCancelled } from '../../src/cli/errors.js';

const STOCK = STOCK_DETECTED;
const HARDENED: Detected = { ...STOCK, secret: { state: 'strong', length: 40 }, header: 'AuthorizationJwt', allow: ['10.0.0.5', '10.0.0.6'], allowsEveryone: false };

const ctrlC = { name: 'c', ctrl: true };

async function start(d: Detected, previous?: Answers) {
  const said: string[] = [];
  const prompter = await openPrompter({ input: new PassThrough(), output: new PassThrough() });
  const answers = askAnswers(prompter, d, answerChecks(process.cwd()), (s) => said.push(s), previous);
  answers.catch(() => undefined);
  return { answers, said };
}

/** Answer the active prompt and wait for the next one. */
async function reply(keys: readonly (string | { name: string; ctrl?: boolean })[], text?: string) {
  if (text !== undefined) screen.type(text);
  for (const k of keys) screen.keypress(k);
  await screen.next();
}

describe('wizard questions', () => {
  it('first install: integrator, addresses checked as --allow is, storage URL, a weak secret not offered for keeping, header, useforrequest, occ', async () => {
    const { answers, said } = await start(STOCK);
    expect(screen.getScreen()).toContain('Which integrator uses this Document Server?');
    expect(screen.getScreen()).toContain('❯ Nextcloud');
    await reply(['enter']);
    expect(screen.getScreen()).toContain("Nextcloud's address(es) as DS sees them");

    // nothing typed, nothing pre-filled: an address is required
    await reply(['enter']);
    expect(screen.getScreen()).toContain('give at least one address');
    // a CIDR DS cannot express: the planner's reason, under the prompt
    await reply(['enter'], '10.0.1.0/23');
    expect(screen.getScreen()).toContain('DS has no CIDR support and no single glob expresses /23');
    for (let i = 0; i < 11; i++) screen.keypress('backspace');
    await reply(['enter'], '192.168.10.20, 10.0.1.0/24');
    expect(screen.getScreen()).toContain('The storage URL DS calls back');
    await reply(['enter'], 'cloud.example.org');
    expect(screen.getScreen()).toContain('not a URL (e.g. https://nextcloud.example.org/)');
    for (let i = 0; i < 17; i++) screen.keypress('backspace');
    await reply(['enter'], 'https://cloud.example.org/');

    expect(said.join('')).toContain("DS's JWT secret cannot be kept: it is the public default (DSH300).");
    expect(screen.getScreen()).toContain('❯ Generate a strong secret');
    expect(screen.getScreen()).not.toContain('Keep the current secret');
    await reply(['enter']);

    expect(said.join('')).toContain('Choose AuthorizationJwt when a reverse proxy or PHP-FPM in front of Nextcloud');
    expect(screen.getScreen()).toContain('❯ Authorization');
    await reply(['enter']);
    expect(said.join('')).toContain('X-Forwarded-For header, which any client can write');
    expect(screen.getScreen()).toContain('Filter incoming API requests by address too (useforrequest)? (y/N)');
    await reply(['enter']);
    expect(screen.getScreen()).toContain("How to run Nextcloud's occ here");
    await reply(['enter'], 'sudo -u www-data php occ | tee x');
    expect(screen.getScreen()).toContain('only the command words');
    for (let i = 0; i < 7; i++) screen.keypress('backspace');
    screen.keypress('enter');

    await expect(answers).resolves.toEqual({
      integrator: 'nextcloud',
      allow: ['192.168.10.20', '10.0.1.0/24'],
      storageUrl: 'https://cloud.example.org/',
      secret: 'generate',
      header: 'Authorization',
      useforrequest: false,
      behindProxy: false,
      occ: 'sudo -u www-data php occ',
    });
  });

  it('pre-fills from what is there: the allowed addresses, the header in use, keeping the strong secret', async () => {
    const { answers, said } = await start(HARDENED);
    await reply(['enter']);
    expect(screen.getScreen()).toContain('(10.0.0.5 10.0.0.6)');
    await reply(['enter']);
    await reply(['enter']);
    expect(said.join('')).toContain("DS's JWT secret is strong (40 characters); you can keep it.");
    expect(screen.getScreen()).toContain('❯ Keep the current secret');
    await reply(['enter']);
    // the header DS uses now is the highlighted one, with the reason to choose it
    expect(screen.getScreen()).toContain('❯ AuthorizationJwt');
    expect(screen.getScreen()).toContain('When a proxy or PHP-FPM in front of Nextcloud drops Authorization (Nextcloud All-in-One).');
    await reply(['enter']);
    await reply(['enter']);
    screen.keypress('enter');
    await expect(answers).resolves.toMatchObject({ allow: ['10.0.0.5', '10.0.0.6'], secret: 'keep', header: 'AuthorizationJwt' });
  });

  it('useforrequest asks about the proxy, another header is typed and checked, Seafile has no occ question', async () => {
    const { answers, said } = await start(STOCK);
    await reply(['down', 'down', 'enter']);
    expect(screen.getScreen()).toContain("Seafile's address(es) as DS sees them");
    await reply(['enter'], '10.0.0.9');
    await reply(['enter']);
    await reply(['down', 'enter']); // read the secret from a file
    expect(screen.getScreen()).toContain('File holding the secret:');
    await reply(['enter'], '/nonexistent/jwt');
    expect(screen.getScreen()).toContain('--secret-file /nonexistent/jwt: ENOENT');
    for (let i = 0; i < 16; i++) screen.keypress('backspace');
    await reply(['enter'], 'package.json');
    expect(screen.getScreen()).toContain('contains white space or a line break');
    for (let i = 0; i < 12; i++) screen.keypress('backspace');
    await reply(['enter'], '/etc/hostname-does-not-exist');
    for (let i = 0; i < 28; i++) screen.keypress('backspace');
    screen.type('/dev/null');
    screen.keypress('enter');
    await screen.next();
    expect(screen.getScreen()).toContain('not a regular file');
    for (let i = 0; i < 9; i++) screen.keypress('backspace');
    // an existing file with a strong one-line secret
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(inject('tmpBase'), 'dsh-wz-')), 'jwt');
    fs.writeFileSync(file, `${STRONG_SECRET}\n`);
    await reply(['enter'], file);
    expect(screen.getScreen()).toContain('JWT header:');
    await reply(['down', 'down', 'enter']); // Another header…
    await reply(['enter'], 'X Jwt');
    expect(screen.getScreen()).toContain('must be an HTTP header name');
    for (let i = 0; i < 5; i++) screen.keypress('backspace');
    await reply(['enter'], 'X-Jwt');
    await reply(['enter'], 'y');
    expect(screen.getScreen()).toContain('Is there a reverse proxy in front of DS that overwrites X-Forwarded-For');
    screen.type('n');
    screen.keypress('enter');
    await expect(answers).resolves.toEqual({
      integrator: 'seafile',
      allow: ['10.0.0.9'],
      secret: 'file',
      secretFile: file,
      header: 'X-Jwt',
      useforrequest: true,
      behindProxy: false,
    });
    expect(said.join('')).toContain('anyone can pass the filter with a forged X-Forwarded-For header; `ds-harden proxy`');
  });

  it('a second round starts from the previous answers', async () => {
    const previous: Answers = { integrator: 'owncloud', allow: ['cloud.example.org'], secret: 'generate', header: 'AuthorizationJwt', useforrequest: true, behindProxy: true, occ: 'sudo -u www-data php /var/www/owncloud/occ' };
    const { answers } = await start(STOCK, previous);
    expect(screen.getScreen()).toContain('❯ ownCloud');
    await reply(['enter']);
    expect(screen.getScreen()).toContain('(cloud.example.org)');
    await reply(['enter']);
    await reply(['enter']);
    await reply(['enter']);
    expect(screen.getScreen()).toContain('❯ AuthorizationJwt');
    await reply(['enter']);
    expect(screen.getScreen()).toContain('(Y/n)');
    await reply(['enter']);
    await reply(['enter']);
    expect(screen.getScreen()).toContain("How to run ownCloud's occ here");
    expect(screen.getScreen()).toContain('(sudo -u www-data php /var/www/owncloud/occ)');
    screen.keypress('enter');
    await expect(answers).resolves.toEqual(previous);
  });

  it('Ctrl-C at a question is a typed cancel', async () => {
    const { answers } = await start(STOCK);
    await reply(['enter']);
    screen.keypress(ctrlC);
    await expect(answers).rejects.toBeInstanceOf(PromptCancelled);
  });
});
