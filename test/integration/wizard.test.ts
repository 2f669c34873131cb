/**
 * Issue #8: `ds-harden wizard` used as a person uses it — in a real terminal (tmux: send-keys to type, capture-pane
 * to read the screen), on a stock DS 9.3 tree (the real upstream default.json + production-linux.json), through
 * the built CLI. The exit code comes from a wrapper that writes `$?` to a file.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, ETC_REL, makeRoot, runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/context.js';
import { Term } from '../support/tmux.js';
import { STRONG_SECRET } from '../wizard/fixtures.js';

const T = 90_000;
/** A strong secret (random letters and digits) used as "the secret DS already has". */
const STRONG = STRONG_SECRET;

/** A terminal for this test only, killed when the test ends (tests run concurrently). */
function term(ctx: TestContext, dir: string): Term {
  const t = new Term({ dir, cwd: REPO, env: { NO_COLOR: '1' } });
  ctx.onTestFinished(() => t.kill());
  return t;
}

const localOf = (root: string) => path.join(root, ETC_REL, 'local.json');
const coAuthoring = (root: string) => JSON.parse(fs.readFileSync(localOf(root), 'utf8')).services.CoAuthoring;

/** Every file below `root` with its bytes (to prove that nothing was written). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(root);
  return out;
}

/** A local.json as an installer leaves it: JWT on with a secret, a database section. */
function localWithSecret(secret: string): string {
  return (
    JSON.stringify(
      {
        services: {
          CoAuthoring: {
            sql: { dbHost: 'localhost', dbName: 'onlyoffice', dbUser: 'onlyoffice' },
            token: { enable: { browser: true, request: { inbox: true, outbox: true } } },
            secret: { inbox: { string: secret }, outbox: { string: secret }, session: { string: secret } },
          },
        },
      },
      null,
      2,
    ) + '\n'
  );
}

/** Start the wizard in a fresh terminal on `root`, the file written without restarting anything. */
function wizard(ctx: TestContext, root: string, extra: readonly string[] = []): Term {
  const t = term(ctx, path.dirname(root));
  t.start([process.execPath, BIN, 'wizard', '--root', root, '--service-manager', 'none', ...extra]);
  return t;
}

/** One question: wait until it is the active prompt ("? …"), then answer it. */
interface Step {
  readonly prompt: string;
  answer(t: Term): void;
}
const enter: Step['answer'] = (t) => t.press('Enter');
const typed = (text: string): Step['answer'] => (t) => {
  t.type(text);
  t.press('Enter');
};
const down = (n: number): Step['answer'] => (t) => {
  for (let i = 0; i < n; i++) t.press('Down');
  t.press('Enter');
};

const Q = {
  integrator: '? Which integrator uses this Document Server?',
  addresses: "? Nextcloud's address(es) as DS sees them",
  storage: '? The storage URL DS calls back',
  secret: '? JWT secret:',
  header: '? JWT header:',
  useforrequest: '? Filter incoming API requests by address too (useforrequest)?',
  proxy: '? Is there a reverse proxy in front of DS',
  occ: "? How to run Nextcloud's occ here",
  confirm: '? Apply this plan now?',
} as const;

/**
 * The questions of a Nextcloud install without useforrequest, in order, each answered with Enter (the default)
 * unless `answers` says otherwise; the addresses default to 192.168.10.20.
 */
function nextcloud(answers: Partial<Record<'integrator' | 'addresses' | 'storage' | 'secret' | 'header' | 'useforrequest' | 'occ' | 'confirm', Step['answer']>> = {}): Step[] {
  const keys = ['integrator', 'addresses', 'storage', 'secret', 'header', 'useforrequest', 'occ', ...(answers.confirm ? ['confirm'] : [])] as const;
  return keys.map((k) => ({ prompt: Q[k], answer: answers[k] ?? (k === 'addresses' ? typed('192.168.10.20') : enter) }));
}

async function answer(t: Term, steps: readonly Step[]): Promise<void> {
  let from = 0;
  for (const s of steps) {
    const screen = await t.waitFor(s.prompt, { from });
    from = screen.lastIndexOf(s.prompt);
    s.answer(t);
    // the answered prompt turns into "✔ …": wait for that before the next step looks at the screen
    await t.waitFor('✔ ' + s.prompt.slice(2), { from: Math.max(0, from - 1) });
    from = t.screen().lastIndexOf('✔ ' + s.prompt.slice(2));
  }
}

/** The command the wizard ends with. */
function equivalentCommand(screen: string): string {
  const m = /The same change without questions \(for scripts and automation\):\n {2}(.+)\n/.exec(screen);
  expect(m, screen).not.toBeNull();
  return m![1]!;
}

describe.concurrent('ds-harden wizard in a terminal', () => {
  it('first install on a stock 9.3 tree: a new secret, the plan as apply --dry-run shows it, the result, and the equivalent command', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0');
    const t = wizard(ctx, root);
    const intro = await t.waitFor(Q.integrator);
    expect(intro).toContain('Found DS 9.3');
    expect(intro).toContain('JWT secret:    weak — it is the public default (DSH300)');
    expect(intro).toContain('ipfilter:      allows every address');
    await answer(t, nextcloud());
    const plan = await t.waitFor(Q.confirm);
    // a weak secret is never offered for keeping, and the reason is said
    expect(plan).toContain("DS's JWT secret cannot be kept: it is the public default (DSH300)");
    expect(plan).not.toContain('Keep the current secret');
    // the plan is apply's dry run: changes, masked diff, integrator steps, simulation
    expect(plan).toContain('ds-harden wizard — /etc/onlyoffice/documentserver/local.json');
    expect(plan).toContain('secret: generated (40 random characters)');
    expect(plan).toContain('services.CoAuthoring.secret.inbox.string: ••••••(6 chars) → ••••••(40 chars)');
    expect(plan).toContain('+          "string": "••••••(40 chars)"');
    expect(plan).toContain('Nextcloud: do this too, or the pair breaks:');
    expect(plan).toContain('ipfilter simulation');
    expect(plan).toContain('dry run: nothing was written.');
    expect(fs.existsSync(localOf(root))).toBe(false);
    t.type('y');
    t.press('Enter');
    expect(await t.exitCode()).toBe(10);
    const screen = t.screen();
    expect(screen).toContain('done: /etc/onlyoffice/documentserver/local.json updated.');
    const co = coAuthoring(root);
    const secret = co.secret.inbox.string as string;
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(co.token.enable).toEqual({ browser: true, request: { inbox: true, outbox: true } });
    expect(co.ipfilter.rules[0]).toEqual({ address: '192.168.10.20', allowed: true });
    // never on the screen, never in the command
    expect(screen).not.toContain(secret);
    expect(equivalentCommand(screen)).toBe(
      `ds-harden apply --integrator nextcloud --allow 192.168.10.20 --generate-secret --header Authorization --no-useforrequest --root ${root} --service-manager none`,
    );
  });

  it('keeps a strong existing secret, uses AuthorizationJwt, and writes byte for byte what the printed apply command writes', { timeout: T }, async (ctx) => {
    const local = localWithSecret(STRONG);
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: local });
    const twin = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: local });
    const t = wizard(ctx, root);
    await t.waitFor(Q.integrator);
    expect(t.screen()).toContain('JWT secret:    strong (40 characters)');
    // the secret's first choice is keep; the header's second is AuthorizationJwt
    await answer(t, nextcloud({ addresses: typed('10.0.0.5 10.0.0.6'), storage: typed('http://10.0.0.5/'), header: down(1) }));
    const plan = await t.waitFor(Q.confirm);
    expect(plan).toContain('✔ JWT secret: Keep the current secret');
    expect(plan).toContain('Choose AuthorizationJwt when a reverse proxy or PHP-FPM in front of Nextcloud');
    expect(plan).toContain('✔ JWT header: AuthorizationJwt');
    expect(plan).toContain('secret: the existing strong secret (kept; --rotate replaces it)');
    t.type('y');
    t.press('Enter');
    expect(await t.exitCode()).toBe(10);
    const co = coAuthoring(root);
    expect(co.secret.inbox.string).toBe(STRONG);
    expect(co.token.inbox.header).toBe('AuthorizationJwt');
    expect(co.token.outbox.header).toBe('AuthorizationJwt');
    const screen = t.screen();
    expect(screen).not.toContain(STRONG);

    // the printed command, run as printed on an identical tree, writes the same bytes
    const command = equivalentCommand(screen);
    expect(command).toBe(
      `ds-harden apply --integrator nextcloud --allow 10.0.0.5 --allow 10.0.0.6 --storage-url http://10.0.0.5/ --generate-secret --header AuthorizationJwt --no-useforrequest --root ${root} --service-manager none`,
    );
    const onTwin = command.replace(/^ds-harden /, `${process.execPath} ${BIN} `).replace(`--root ${root}`, `--root ${twin}`);
    const r = spawnSync('sh', ['-c', onTwin], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stdout + r.stderr).toBe(10);
    expect(fs.readFileSync(localOf(twin))).toEqual(fs.readFileSync(localOf(root)));
  });

  it('a weak secret cannot be kept: the wizard says why and generates a new one', { timeout: T }, async (ctx) => {
    const weak = 'onlyoffice-jwt-2024';
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: localWithSecret(weak) });
    const t = wizard(ctx, root);
    await answer(t, nextcloud().slice(0, 3));
    const s = await t.waitFor(Q.secret);
    expect(s).toContain(`DS's JWT secret cannot be kept: it is ${weak.length} characters long; use at least 32 (DSH301).`);
    expect(s).toContain('❯ Generate a strong secret');
    expect(s).not.toContain('Keep the current secret');
    await answer(t, nextcloud({ confirm: typed('y') }).slice(3));
    expect(await t.exitCode()).toBe(10);
    const secret = coAuthoring(root).secret.inbox.string as string;
    expect(secret).not.toBe(weak);
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('checks typed answers as apply checks its flags, the message under the prompt', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0');
    const t = wizard(ctx, root);
    await answer(t, [{ prompt: Q.integrator, answer: enter }]);
    await t.waitFor(Q.addresses);
    t.type('10.0.1.0/23');
    t.press('Enter');
    await t.waitFor('DS has no CIDR support and no single glob expresses /23');
    t.press('C-u');
    t.type('*');
    t.press('Enter');
    await t.waitFor('matches every client; an allow-all rule before the final deny would let everyone in');
    t.press('C-u');
    t.type('10.0.1.0/24');
    t.press('Enter');
    await t.waitFor('✔ ' + Q.addresses.slice(2));
    await t.waitFor(Q.storage);
    t.type('ftp://files.example.org/');
    t.press('Enter');
    await t.waitFor('DS calls the storage over http:// or https://, not ftp:');
    t.press('C-c');
    expect(await t.exitCode()).toBe(130);
  });

  it('Ctrl-C at every question exits 130 and writes nothing', { timeout: 4 * T }, async (ctx) => {
    const local = localWithSecret(STRONG);
    // with useforrequest, so the proxy question is asked too
    const all = nextcloud({ useforrequest: typed('y'), confirm: enter });
    const steps: Step[] = [...all.slice(0, 6), { prompt: Q.proxy, answer: typed('y') }, ...all.slice(6)];
    for (let k = 0; k < steps.length; k++) {
      const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: local });
      const before = snapshot(root);
      const t = wizard(ctx, root);
      await answer(t, steps.slice(0, k));
      await t.waitFor(steps[k]!.prompt, { from: 0 });
      t.press('C-c');
      expect(await t.exitCode(), `Ctrl-C at ${steps[k]!.prompt}\n${t.screen()}`).toBe(130);
      expect(t.screen()).toContain('Cancelled: nothing was changed.');
      expect(snapshot(root), `Ctrl-C at ${steps[k]!.prompt}`).toEqual(before);
      t.kill();
    }
  });

  it('after the admin confirmed, Ctrl-C is the transaction\'s: it rolls back and exits 20', { timeout: T }, async (ctx) => {
    const local = localWithSecret(STRONG);
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: local });
    const marker = path.join(path.dirname(root), `${path.basename(root)}.paused`);
    const resume = `${marker}.go`;
    // the pause hook of the crash tests: stop once the new local.json is written, until the resume file exists
    const env = { DS_HARDEN_TEST_PAUSE_AT: 'written', DS_HARDEN_TEST_PAUSE_FILE: marker, DS_HARDEN_TEST_RESUME_FILE: resume };
    const paused = new Term({ dir: path.dirname(root), cwd: REPO, env: { NO_COLOR: '1', ...env } });
    ctx.onTestFinished(() => paused.kill());
    paused.start([process.execPath, BIN, 'wizard', '--root', root, '--service-manager', 'none']);
    await answer(paused, nextcloud({ secret: down(1), confirm: typed('y') })); // a new secret
    for (let i = 0; !fs.existsSync(marker); i++) {
      if (i > 500) throw new Error(`the wizard never reached the write:\n${paused.screen()}`);
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(fs.readFileSync(localOf(root), 'utf8')).not.toBe(local);
    paused.press('C-c');
    await paused.waitFor('SIGINT: rolling back, please wait');
    fs.writeFileSync(resume, '');
    expect(await paused.exitCode()).toBe(20);
    expect(paused.screen()).toContain('rolled back: the original file is restored');
    expect(fs.readFileSync(localOf(root), 'utf8')).toBe(local);
  });

  it('in the Docker image: the deployment is named, and the plan is the change to make in the container definition (nothing written, exit 4)', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0', { 'app/ds/run-document-server.sh': '#!/bin/bash\n' });
    const t = wizard(ctx, root);
    const intro = await t.waitFor(Q.integrator);
    expect(intro).toContain('the ONLYOFFICE Docker image (its entrypoint rewrites the JWT settings from JWT_* variables on every start)');
    await answer(t, nextcloud({ addresses: typed('172.18.0.5') }));
    const plan = await t.waitFor('make this change instead:');
    expect(await t.exitCode()).toBe(4);
    const screen = t.screen();
    expect(plan + screen).toContain('JWT_ENABLED=true');
    expect(screen).toMatch(/JWT_SECRET=<••••••\(40 chars\)>/);
    expect(fs.existsSync(localOf(root))).toBe(false);
  });

  it('declining the plan writes nothing and still prints the equivalent command', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0');
    const before = snapshot(root);
    const t = wizard(ctx, root);
    await answer(t, [
      { prompt: Q.integrator, answer: down(2) }, // Seafile
      { prompt: "? Seafile's address(es) as DS sees them", answer: typed('10.0.0.9') },
      { prompt: Q.storage, answer: enter },
      { prompt: Q.secret, answer: enter },
      { prompt: Q.header, answer: enter },
      { prompt: Q.useforrequest, answer: enter },
      { prompt: Q.confirm, answer: enter }, // the default is No
    ]);
    expect(await t.exitCode()).toBe(0);
    const screen = t.screen();
    expect(screen).toContain('Seafile: do this too, or the pair breaks:\n  In seahub_settings.py set');
    expect(screen).toContain('Nothing was changed.');
    expect(equivalentCommand(screen)).toContain('ds-harden apply --integrator seafile --allow 10.0.0.9 --generate-secret');
    expect(snapshot(root)).toEqual(before);
  });

  it('answers that do not fit together (a host name with useforrequest) let the admin change them', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0');
    const t = wizard(ctx, root);
    const steps = nextcloud({ addresses: typed('cloud.example.org'), useforrequest: typed('y') });
    await answer(t, [...steps.slice(0, 6), { prompt: Q.proxy, answer: typed('y') }, ...steps.slice(6)]);
    const refused = await t.waitFor('? Change your answers and try again?');
    expect(refused).toContain('These answers do not fit together — nothing was changed:');
    expect(refused).toContain('--allow "cloud.example.org": a host name cannot match incoming requests (--useforrequest');
    t.press('Enter');
    // the second round starts from the first round's answers
    const again = await t.waitFor(/\? Which integrator[^\n]*\n[\s\S]*$/, { from: refused.length - 40 });
    expect(again.slice(refused.length - 40)).toContain('❯ Nextcloud');
    const from = t.screen().length - 200;
    t.press('Enter');
    await t.waitFor(/\? Nextcloud's address\(es\)[^\n]*\(cloud\.example\.org\)/, { from });
    t.press('C-u');
    t.type('192.168.10.20');
    t.press('Enter');
    for (const p of [Q.storage, Q.secret, Q.header, Q.useforrequest, Q.proxy, Q.occ]) {
      await t.waitFor(p, { from });
      t.press('Enter');
      await t.waitFor('✔ ' + p.slice(2), { from });
    }
    const plan = await t.waitFor(Q.confirm, { from });
    expect(plan.slice(from)).toContain('"address": "192.168.10.20"');
    t.type('y');
    t.press('Enter');
    expect(await t.exitCode()).toBe(10);
    const ipfilter = coAuthoring(root).ipfilter;
    expect(ipfilter.useforrequest).toBe(true);
    expect(ipfilter.rules[0]).toEqual({ address: '192.168.10.20', allowed: true });
  });

  it('a local.json DS cannot parse: said before the first question, and the plan is refused with exit 4 (no second round)', { timeout: T }, async (ctx) => {
    const broken = '{\n  "services": {\n    "CoAuthoring": {\n      "token": { "enable": { "browser": true, } }\n    }\n  },\n}\n';
    const root = makeRoot('v9.3.0', { [`${ETC_REL}/local.json`]: broken.replace('{\n  "services"', '{\n  "services" "x"') });
    const before = snapshot(root);
    const t = wizard(ctx, root);
    const intro = await t.waitFor(Q.integrator);
    expect(intro).toMatch(/DS will not start with this configuration; the plan will be refused until it is fixed \(ds-harden check shows where\):\n {2}\/etc\/onlyoffice\/documentserver\/local\.json:2:\d+: /);
    await answer(t, nextcloud());
    expect(await t.exitCode()).toBe(4);
    const screen = t.screen();
    expect(screen).toContain('refused — nothing was changed:');
    expect(screen).toContain('cannot be parsed by this DS version');
    expect(screen).not.toContain('Change your answers');
    expect(snapshot(root)).toEqual(before);
  });

  it('without a terminal it refuses with exit 2 and names the non-interactive flags', { timeout: T }, async (ctx) => {
    const root = makeRoot('v9.3.0');
    const before = snapshot(root);
    // stdin and stdout are pipes
    const r = runCli(['wizard', '--root', root, '--service-manager', 'none']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('ds-harden wizard asks questions and needs a terminal on stdin and stdout');
    expect(r.stderr).toContain('ds-harden apply --allow ADDRESS');
    expect(r.stderr).toContain('--generate-secret');
    // a terminal on stdin, stdout to a file
    const out = path.join(path.dirname(root), `wizard-out-${path.basename(root)}.txt`);
    const t = term(ctx, path.dirname(root));
    t.startShell(`${process.execPath} ${BIN} wizard --root ${root} --service-manager none > ${out}`);
    expect(await t.exitCode()).toBe(2);
    expect(t.screen()).toContain('needs a terminal on stdin and stdout');
    expect(snapshot(root)).toEqual(before);
  });

  it('a bare ds-harden offers the wizard on a terminal; elsewhere it prints the help with exit 2', { timeout: T }, async (ctx) => {
    const piped = runCli([]);
    expect(piped.code).toBe(2);
    expect(piped.stdout).toContain('Usage: ds-harden');
    expect(piped.stdout).not.toContain('step by step now');

    const dir = path.dirname(makeRoot(undefined));
    const no = term(ctx, dir);
    no.start([process.execPath, BIN]);
    const offer = await no.waitFor('? Set up this Document Server step by step now (ds-harden wizard)?');
    expect(offer).toContain('Usage: ds-harden');
    no.type('n');
    no.press('Enter');
    expect(await no.exitCode()).toBe(2);

    const cancel = term(ctx, dir);
    cancel.start([process.execPath, BIN]);
    await cancel.waitFor('? Set up this Document Server step by step now');
    cancel.press('C-c');
    expect(await cancel.exitCode()).toBe(130);

    // yes: the wizard starts (here on a machine without DS, so it stops at the configuration)
    const yes = term(ctx, dir);
    yes.start([process.execPath, BIN]);
    await yes.waitFor('? Set up this Document Server step by step now');
    yes.press('Enter');
    expect(await yes.exitCode()).toBe(2);
    expect(yes.screen()).toContain('no DS configuration directory at /etc/onlyoffice/documentserver');
  });
});
