/**
 * The wizard's questions, in order, with their explanations and pre-filled answers. Only the asking: the answers
 * become an ApplyRequest (answers.ts) that the one apply pipeline plans and runs, and every typed answer is checked
 * by the same functions as the matching `apply` flag (checks.ts), the message shown under the prompt.
 * The terminal is behind the Prompter port (adapters/prompter.ts), so this runs against @inquirer/testing too.
 */
import type { Choice, Prompter } from '../../adapters/prompter.js';
import type { Detected } from './detect.js';
import { INTEGRATOR_PRODUCT, type IntegratorKind } from '../../core/integrator/nextcloud.js';

export type { IntegratorKind } from '../../core/integrator/nextcloud.js';

/** keep: the strong secret DS has; generate: a new random one; file: read from a file the admin names. */
export type SecretChoice = 'keep' | 'generate' | 'file';

/** What the admin answered. */
export interface Answers {
  readonly integrator: IntegratorKind;
  /** As typed (the pipeline normalises them like --allow values). */
  readonly allow: readonly string[];
  readonly storageUrl?: string;
  readonly secret: SecretChoice;
  /** With secret 'file': the path (never the secret). */
  readonly secretFile?: string;
  readonly header: string;
  readonly useforrequest: boolean;
  /** A proxy in front of DS overwrites X-Forwarded-For (asked only with useforrequest). */
  readonly behindProxy: boolean;
  /** Nextcloud/ownCloud: the occ command prefix; undefined = print the steps instead. */
  readonly occ?: string;
}

/** Checks of typed answers: true, or what is wrong and what to type instead. */
export interface AnswerChecks {
  allow(list: readonly string[]): Promise<true | string>;
  storageUrl(url: string): Promise<true | string>;
  header(name: string): Promise<true | string>;
  occ(command: string, integrator: IntegratorKind): Promise<true | string>;
  secretFile(path: string): Promise<true | string>;
}

export const PRODUCT: Readonly<Record<IntegratorKind, string>> = INTEGRATOR_PRODUCT;

/** The JWT headers people choose; anything else is typed. */
const AUTHORIZATION = 'Authorization';
const AUTHORIZATION_JWT = 'AuthorizationJwt';
const OTHER_HEADER = '(other)';

/** Split an address answer: one or more values separated by spaces or commas. */
export function splitAddresses(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The explanation printed before the header question. */
export function headerHelp(product: string): string {
  return (
    `DS and ${product} must send and expect the JWT in the same HTTP header.\n` +
    `  Authorization is the standard one. Choose AuthorizationJwt when a reverse proxy or PHP-FPM in front of ${product}\n` +
    `  drops the Authorization header, so the token never arrives (Nextcloud All-in-One uses AuthorizationJwt).\n`
  );
}

/** The explanation printed before the useforrequest question: the X-Forwarded-For caveat in plain words. */
export const USEFORREQUEST_HELP =
  'ipfilter always checks the addresses DS itself connects to (downloads, callbacks to the storage URL).\n' +
  '  It can also check who sends API requests to DS (useforrequest). But then DS believes the first address in the\n' +
  '  X-Forwarded-For header, which any client can write. That only keeps others out when a reverse proxy in front of\n' +
  "  DS replaces X-Forwarded-For with the real client address and DS's own ports are reachable only through it.\n" +
  '  Without such a proxy, answer No: JWT already refuses API requests without the secret.\n';

/** The explanation printed before the secret question. */
export function secretHelp(d: Detected): string {
  switch (d.secret.state) {
    case 'strong':
      return `DS's JWT secret is strong (${d.secret.length} characters); you can keep it.\n`;
    case 'weak':
      return `DS's JWT secret cannot be kept: ${d.secret.reason} (${d.secret.ruleId}). Anyone who knows it can sign requests DS accepts.\n`;
    case 'differ':
      return "DS's secret slots (inbox, outbox, session) hold different values, so there is no one secret to keep.\n";
    case 'none':
      return 'DS has no JWT secret yet.\n';
  }
}

function secretChoices(d: Detected, product: string): Choice<SecretChoice>[] {
  const out: Choice<SecretChoice>[] = [];
  if (d.secret.state === 'strong') out.push({ value: 'keep', name: 'Keep the current secret', description: `${product} keeps working with the secret it has, if it already uses this one.` });
  out.push({
    value: 'generate',
    name: d.secret.state === 'strong' ? 'Generate a new secret' : 'Generate a strong secret',
    description: '40 random letters and digits. Every integrator using this DS must get it too.',
  });
  out.push({ value: 'file', name: 'Read the secret from a file', description: 'A file holding one line, at least 32 characters (the secret your integrator already uses).' });
  return out;
}

/**
 * Ask every question, pre-filled from `previous` answers (a second round after a refused preview) or from what was
 * detected. `say` prints the explanations between questions. Rejects with PromptCancelled when the admin leaves.
 */
export async function askAnswers(p: Prompter, d: Detected, checks: AnswerChecks, say: (text: string) => void, previous?: Answers): Promise<Answers> {
  const integrator = await p.select<IntegratorKind>({
    message: 'Which integrator uses this Document Server?',
    choices: [
      { value: 'nextcloud', name: 'Nextcloud' },
      { value: 'owncloud', name: 'ownCloud' },
      { value: 'seafile', name: 'Seafile' },
      { value: 'other', name: 'Other (another app, your own scripts)' },
    ],
    default: previous?.integrator ?? 'nextcloud',
  });
  const product = PRODUCT[integrator];
  const who = integrator === 'other' ? 'The integrator' : product;

  const allowDefault = (previous?.allow ?? d.allow).join(' ');
  const allow = splitAddresses(
    await p.input({
      message: `${who}'s address(es) as DS sees them (IP, 10.1.* glob or /24 CIDR; several separated by spaces):`,
      ...(allowDefault ? { default: allowDefault } : {}),
      validate: (v) => checks.allow(splitAddresses(v)),
    }),
  );

  const storageUrl = (
    await p.input({
      message: `The storage URL DS calls back (${who}'s address as DS reaches it, e.g. https://cloud.example.org/; empty to skip):`,
      ...(previous?.storageUrl ? { default: previous.storageUrl } : {}),
      validate: (v) => (v.trim() === '' ? true : checks.storageUrl(v.trim())),
    })
  ).trim();

  say(secretHelp(d));
  const choices = secretChoices(d, who);
  const prevSecret = previous?.secret && choices.some((c) => c.value === previous.secret) ? previous.secret : undefined;
  const secret = await p.select<SecretChoice>({ message: 'JWT secret:', choices, default: prevSecret ?? choices[0]!.value });
  let secretFile: string | undefined;
  if (secret === 'file') {
    secretFile = (
      await p.input({
        message: 'File holding the secret:',
        ...(previous?.secretFile ? { default: previous.secretFile } : {}),
        validate: (v) => (v.trim() === '' ? 'Give the path of a file that holds the secret.' : checks.secretFile(v.trim())),
      })
    ).trim();
  }

  say(headerHelp(who));
  const currentHeader = previous?.header ?? d.header;
  const headerChoices: Choice<string>[] = [
    { value: AUTHORIZATION, name: AUTHORIZATION, description: 'The standard header (the default of DS and of the ONLYOFFICE apps).' },
    { value: AUTHORIZATION_JWT, name: AUTHORIZATION_JWT, description: `When a proxy or PHP-FPM in front of ${who} drops Authorization (Nextcloud All-in-One).` },
    ...(currentHeader !== AUTHORIZATION && currentHeader !== AUTHORIZATION_JWT ? [{ value: currentHeader, name: currentHeader, description: 'The header DS uses now.' }] : []),
    { value: OTHER_HEADER, name: 'Another header…', description: 'Type its name.' },
  ];
  let header = await p.select<string>({ message: 'JWT header:', choices: headerChoices, default: currentHeader });
  if (header === OTHER_HEADER) {
    header = (await p.input({ message: 'Header name:', validate: (v) => checks.header(v.trim()) })).trim();
  }

  say(USEFORREQUEST_HELP);
  const useforrequest = await p.confirm({ message: 'Filter incoming API requests by address too (useforrequest)?', default: previous?.useforrequest ?? d.useforrequest });
  let behindProxy = false;
  if (useforrequest) {
    behindProxy = await p.confirm({ message: 'Is there a reverse proxy in front of DS that overwrites X-Forwarded-For with the client address?', default: previous?.behindProxy ?? false });
    if (!behindProxy) say('Then anyone can pass the filter with a forged X-Forwarded-For header; `ds-harden proxy` prints rules for haproxy, nginx or Apache that close it.\n');
  }

  let occ: string | undefined;
  if (integrator === 'nextcloud' || integrator === 'owncloud') {
    const example = integrator === 'nextcloud' ? 'sudo -u www-data php /var/www/nextcloud/occ' : 'sudo -u www-data php /var/www/owncloud/occ';
    occ = (
      await p.input({
        message: `How to run ${product}'s occ here, so ds-harden sets the app's secret and header too (e.g. ${example}; empty: print the steps):`,
        ...(previous?.occ ? { default: previous.occ } : {}),
        validate: (v) => (v.trim() === '' ? true : checks.occ(v.trim(), integrator)),
      })
    ).trim();
    if (occ === '') occ = undefined;
  }

  return {
    integrator,
    allow,
    ...(storageUrl ? { storageUrl } : {}),
    secret,
    ...(secretFile ? { secretFile } : {}),
    header,
    useforrequest,
    behindProxy,
    ...(occ ? { occ } : {}),
  };
}
