/**
 * Answers → the one request (validateRequest, as for flags) → the equivalent `ds-harden apply …` line. The line,
 * parsed by the real command-line program, gives back the very request the wizard ran: one pipeline, one request.
 */
import { describe, expect, it, vi } from 'vitest';
import { parse as shellParse } from 'shell-quote';
import type { Detected } from '../../src/commands/wizard/detect.js';
import { STOCK_DETECTED } from './fixtures.js';
import type { Answers } from '../../src/commands/wizard/questions.js';
import { equivalentCommand, policyOf, type RunTargetOptions } from '../../src/commands/wizard/answers.js';
import { validateRequest, type ApplyRequest } from '../../src/apply/request.js';
import { buildProgram } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/io.js';
import { PLAIN } from '../../src/formatters/style.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, DEFAULT_HEALTH_URL, DEFAULT_STATE_DIR } from '../../src/apply/defaults.js';

// the program's apply action, captured instead of run
const seen: { flags?: ApplyRequest; options?: Record<string, unknown> } = {};
vi.mock('../../src/commands/apply.js', () => ({
  runApply: async (o: Record<string, unknown> & { flags: ApplyRequest }) => {
    seen.flags = o.flags;
    seen.options = o;
    return 0;
  },
}));

const WEAK = STOCK_DETECTED;
const STRONG: Detected = { ...WEAK, secret: { state: 'strong', length: 40 } };

const LIVE: RunTargetOptions = { root: '/', serviceManager: 'auto', restartAll: false, healthUrl: DEFAULT_HEALTH_URL, healthTimeoutMs: DEFAULT_HEALTH_TIMEOUT_MS, stateDir: DEFAULT_STATE_DIR, normalize: false };

const base: Answers = { integrator: 'nextcloud', allow: ['192.168.10.20'], secret: 'generate', header: 'Authorization', useforrequest: false, behindProxy: false };

const io: Io = {
  out: () => undefined,
  err: () => undefined,
  env: {},
  cwd: '/',
  stdoutIsTTY: false,
  stdinIsTTY: false,
  style: async () => PLAIN,
  onInterrupt: () => () => undefined,
  prompter: () => Promise.reject(new Error('no prompts here')),
};

/** Run the printed line through the real program; the request and options apply would get. */
async function parsed(line: string): Promise<{ req: ApplyRequest; options: Record<string, unknown> }> {
  const words = shellParse(line).map(String);
  const argv = words[0] === 'sudo' ? words.slice(2) : words.slice(1);
  await buildProgram(io, { code: 0 }).parseAsync(argv, { from: 'user' });
  return { req: await validateRequest(seen.flags, 'flags'), options: seen.options! };
}

describe('wizard answers → request → command', () => {
  it('a weak secret: --generate-secret (it generates); a strong one to replace: --generate-secret --rotate; kept: --generate-secret', async () => {
    expect(policyOf(base, WEAK)).toMatchObject({ generateSecret: true });
    expect(policyOf(base, WEAK)).not.toHaveProperty('rotate');
    expect(policyOf(base, STRONG)).toMatchObject({ generateSecret: true, rotate: true });
    expect(policyOf({ ...base, secret: 'keep' }, STRONG)).toEqual({ integrator: 'nextcloud', allow: ['192.168.10.20'], generateSecret: true, header: 'Authorization', useforrequest: false });
    expect(policyOf({ ...base, secret: 'file', secretFile: '/root/jwt' }, STRONG)).toMatchObject({ secretFile: '/root/jwt' });
    expect(policyOf({ ...base, secret: 'file', secretFile: '/root/jwt' }, STRONG)).not.toHaveProperty('generateSecret');
  });

  it('the live host gets sudo, defaults are left out, and the line never holds a secret', async () => {
    const req = await validateRequest(policyOf({ ...base, occ: 'sudo -u www-data php /var/www/nextcloud/occ', storageUrl: 'https://cloud.example.org/' }, WEAK), 'flags');
    expect(equivalentCommand(req, LIVE)).toBe(
      "sudo ds-harden apply --integrator nextcloud --allow 192.168.10.20 --storage-url https://cloud.example.org/ --generate-secret --header Authorization --no-useforrequest --nextcloud-occ 'sudo -u www-data php /var/www/nextcloud/occ'",
    );
    const file = await validateRequest(policyOf({ ...base, integrator: 'owncloud', secret: 'file', secretFile: "/root/my jwt's", occ: 'occ', useforrequest: true, behindProxy: true }, WEAK), 'flags');
    expect(equivalentCommand(file, { ...LIVE, root: '/srv/ds copy', serviceManager: 'none', healthUrl: undefined, settleMs: 1500, stateDir: '/tmp/st' })).toBe(
      "ds-harden apply --integrator owncloud --allow 192.168.10.20 --secret-file '/root/my jwt'\\''s' --header Authorization --useforrequest --behind-proxy --owncloud-occ occ --root '/srv/ds copy' --service-manager none --settle 1.5 --no-health --state-dir /tmp/st",
    );
  });

  it.each([
    ['first install', base, WEAK, LIVE],
    ['strong secret replaced, AuthorizationJwt, behind a proxy', { ...base, header: 'AuthorizationJwt', useforrequest: true, behindProxy: true, allow: ['10.0.0.5', '10.1.*', '2001:db8::5'] }, STRONG, LIVE],
    [
      'ownCloud with occ, a secret file, every service option',
      { ...base, integrator: 'owncloud', occ: "docker exec -u www-data owncloud php occ --no-warnings", secret: 'file', secretFile: '/root/jwt', storageUrl: 'http://10.0.0.5:8080/' },
      STRONG,
      {
        root: '/tmp/ds tree',
        configDir: '/etc/onlyoffice/documentserver',
        dsVersion: '9.3.1',
        hostname: 'docs',
        serviceManager: 'supervisor',
        supervisorConf: '/etc/supervisor/supervisord.conf',
        restartAll: true,
        settleMs: 5000,
        healthUrl: 'http://127.0.0.1:8001/healthcheck',
        healthTimeoutMs: 10_000,
        stateDir: '/var/tmp/dsh',
        normalize: true,
        integratorCheckTimeoutMs: 60_000,
      },
    ],
    ['Seafile, no health probe', { ...base, integrator: 'seafile' }, WEAK, { ...LIVE, serviceManager: 'systemd', healthUrl: undefined }],
  ] as const)('%s: the printed line parses back into the same request and options', async (_name, answers, detected, options) => {
    const req = await validateRequest(policyOf(answers as Answers, detected as Detected), 'flags');
    const line = equivalentCommand(req, options as RunTargetOptions);
    const back = await parsed(line);
    expect(back.req).toEqual(req);
    const o = options as RunTargetOptions;
    expect(back.options).toMatchObject({
      root: o.root,
      serviceManager: o.serviceManager,
      restartAll: o.restartAll,
      stateDir: o.stateDir,
      normalize: o.normalize,
      dryRun: false,
      ...(o.healthUrl ? { healthUrl: o.healthUrl, healthTimeoutMs: o.healthTimeoutMs } : {}),
      ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
      ...(o.configDir ? { configDir: o.configDir } : {}),
      ...(o.dsVersion ? { dsVersion: o.dsVersion } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.supervisorConf ? { supervisorConf: o.supervisorConf } : {}),
      ...(o.integratorCheckTimeoutMs !== undefined ? { integratorCheckTimeoutMs: o.integratorCheckTimeoutMs } : {}),
    });
    if (!o.healthUrl) expect(back.options.healthUrl).toBeUndefined();
  });
});
