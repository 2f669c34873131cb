/** commander wiring only: flags → typed options → lazily imported command. */
import { Command, Option, CommanderError, InvalidArgumentError } from 'commander';
import type { Io } from './io.js';
import { UsageError } from './errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { TOOL_VERSION } from '../version.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, DEFAULT_HEALTH_URL, DEFAULT_STATE_DIR, HEALTH_URL } from '../apply/defaults.js';
import { MAX_PROBE_REQUESTS, PROBE_URL } from '../core/probe/plan.js';
import { httpUrlProblem } from '../core/text/url.js';
import { POLICY_KEYS } from '../apply/policy-schema.js';

export interface ProgramResult {
  code: number;
}

/** The values of commonSourceOptions' flags, typed. */
/**
 * The flags of a change command in the policy's shape (src/apply/request.ts): only what was given, so a flag never
 * overrides a policy file with a default; the integrator follows from --nextcloud-occ / --owncloud-occ.
 */
function requestFlags(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  if (o.nextcloudOcc && o.owncloudOcc) throw new UsageError('give --nextcloud-occ or --owncloud-occ, not both');
  const given: Record<string, unknown> = {
    allow: (o.allow as string[] | undefined)?.length ? o.allow : undefined,
    storageUrl: o.storageUrl,
    secretFile: o.secretFile,
    secretEnv: o.secretEnv,
    generateSecret: o.generateSecret === true ? true : undefined,
    rotate: o.rotate === true ? true : undefined,
    header: o.header,
    useforrequest: typeof o.useforrequest === 'boolean' ? o.useforrequest : undefined,
    errorcode: o.errorcode,
    behindProxy: o.behindProxy === true ? true : undefined,
    integrator: o.integrator ?? (o.owncloudOcc ? 'owncloud' : o.nextcloudOcc ? 'nextcloud' : undefined),
    occ: o.nextcloudOcc ?? o.owncloudOcc,
  };
  return Object.fromEntries([...keys, 'integrator', 'occ'].map((k) => [k, given[k]]).filter(([, v]) => v !== undefined));
}

/** The service options (how DS runs and how a change is verified). */
function services(o: Record<string, unknown>) {
  return {
    serviceManager: String(o.serviceManager),
    ...(o.supervisorConf ? { supervisorConf: String(o.supervisorConf) } : {}),
    restartAll: Boolean(o.restartAll),
    ...(o.settle !== undefined ? { settleMs: Number(o.settle) } : {}),
    ...(o.health !== false && o.healthUrl ? { healthUrl: String(o.healthUrl) } : {}),
    healthTimeoutMs: o.healthTimeout === undefined ? DEFAULT_HEALTH_TIMEOUT_MS : Number(o.healthTimeout),
  };
}

/** The options of apply and rotate-secret besides the request. */
function changeOptions(o: Record<string, unknown>, flags: Record<string, unknown>) {
  return {
    ...sourceOptions(o),
    flags,
    testAddresses: (o.testAddress as string[] | undefined) ?? [],
    dryRun: Boolean(o.dryRun),
    normalize: Boolean(o.normalize),
    json: Boolean(o.json),
    showSecrets: Boolean(o.showSecrets),
    noColor: o.color === false,
    stateDir: String(o.stateDir),
    ...(o.integratorCheckTimeout !== undefined ? { integratorCheckTimeoutMs: Number(o.integratorCheckTimeout) } : {}),
    ...services(o),
  };
}

function sourceOptions(o: Record<string, unknown>) {
  return {
    root: String(o.root),
    ...(o.configDir ? { configDir: String(o.configDir) } : {}),
    ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
    ...(o.hostname ? { hostname: String(o.hostname) } : {}),
    ...(o.compose ? { compose: String(o.compose) } : {}),
    ...(o.composeService ? { composeService: String(o.composeService) } : {}),
    ...(o.dockerInspect ? { dockerInspect: String(o.dockerInspect) } : {}),
    ...(o.container ? { container: String(o.container) } : {}),
  };
}

function commonSourceOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'treat DIR as the file-system root for every path read (audit a copied tree)', '/')
    .option('--config-dir <dir>', 'DS configuration directory (host path)', undefined)
    .option('--ds-version <version>', 'DS version, when it cannot be detected (e.g. 8.3.3)')
    .option('--hostname <name>', "host name node-config uses for <hostname>.json layers (default: the host's)")
    .option('--compose <file>', 'the compose file of a DS container (default: one found next to --root or here)')
    .option('--compose-service <name>', 'the DS service in --compose, when several use the image')
    .option('--docker-inspect <file>', 'docker inspect output of the DS container (docker run, Nextcloud AIO)')
    .option('--container <name>', 'run docker inspect NAME here and audit that container')
    .option('--show-secrets', 'print secret values instead of masking them', false)
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)');
}

export function buildProgram(io: Io, result: ProgramResult): Command {
  const program = new Command('ds-harden')
    .description('Audit and lock down an ONLYOFFICE Docs (Document Server) configuration.')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  commonSourceOptions(
    program
      .command('check')
      .description('read-only audit of the effective DS configuration (every layer, parsed as DS parses it)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...SEVERITIES]).default('high'))
      .option('--explain <key>', 'print the effective value of a dotted key and every layer that sets it (text, or --format json; -o FILE)')
      .option('--supervisor-conf <file>', 'read the DS program definitions from this supervisord.conf and its [include] files')
      .option('-o, --output <file>', 'write the report to FILE instead of standard output')
      .option('--url <url>', 'also probe the running server at URL (see ds-harden probe --help) and report both', httpUrl(PROBE_URL)),
  ).action(async (o: Record<string, unknown>) => {
    // every command is imported when it runs: `--version` and `--help` load none
    const { runCheck } = await import('../commands/check.js');
    result.code = await runCheck(
      {
        ...sourceOptions(o),
        format: o.format as 'text' | 'json' | 'sarif',
        failOn: o.failOn as Severity,
        ...(o.explain !== undefined ? { explain: String(o.explain) } : {}),
        ...(o.supervisorConf ? { supervisorConf: String(o.supervisorConf) } : {}),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
        ...(o.output ? { output: String(o.output) } : {}),
        ...(o.url ? { live: liveOptions(String(o.url), o) } : {}),
      },
      io,
    );
  });
  liveFlags(program.commands.find((c) => c.name() === 'check')!).addHelpText(
    'after',
    '\nExit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on (with --url also: probe requests that got no\n' +
      'answer — INCOMPLETE, what they check is not proven); 2 usage error (with --url also: the server answered none of the\n' +
      'requests); 3 internal error.\n',
  );

  commonSourceOptions(
    liveFlags(
      program
        .command('probe')
        .argument('<url>', 'the Document Server to probe (http:// or https://)', httpUrl(PROBE_URL))
        .description(
          `probe the running server from outside: JWT (unsigned, wrong/stock secret, alg none, expired), conversion, public pages, ` +
            `X-Forwarded-For — at most ${MAX_PROBE_REQUESTS} requests, ${DEFAULT_TIMEOUT_S} s each, only to URL's origin, redirects to other hosts not followed`,
        )
        .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
        .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...SEVERITIES]).default('high'))
        .option('-o, --output <file>', 'write the report to FILE instead of standard output')
        .option('--no-config', 'read no local DS configuration (a remote server: give the secret with --secret-file/--secret-env)')
        .addHelpText(
          'after',
          '\nA request that got no answer (timeout, refused connection, TLS error) is shown as "?? … no answer (why)" and is never\n' +
            'counted as passed.\n' +
            'Exit codes: 0 every request answered and nothing at or above --fail-on; 1 findings at or above --fail-on, or some\n' +
            'requests got no answer (INCOMPLETE); 2 usage error, or the server answered none of the requests (nothing was\n' +
            'checked, no report); 3 internal error.\n',
        ),
    ),
  ).action(async (url: string, o: Record<string, unknown>) => {
    const { runProbe } = await import('../commands/probe.js');
    result.code = await runProbe(
      {
        ...liveOptions(url, o),
        ...sourceOptions(o),
        format: o.format as 'text' | 'json' | 'sarif',
        failOn: o.failOn as Severity,
        noColor: o.color === false,
        ...(o.output ? { output: String(o.output) } : {}),
        noConfig: o.config === false,
      },
      io,
    );
  });

  const serviceOptions = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--service-manager <kind>', 'how DS runs').choices(['auto', 'supervisor', 'systemd', 'none']).default('auto'))
      .option('--supervisor-conf <file>', 'supervisord.conf to talk to (supervisorctl -c FILE)')
      .option('--restart-all', 'run the literal `supervisorctl restart all` (also starts deliberately stopped programs)', false)
      .option('--settle <seconds>', `how long services must stay up after the restart, ${SETTLE_S.min}–${SETTLE_S.max} (default: 3 supervisor, 35 systemd)`, seconds(SETTLE_S.min, SETTLE_S.max))
      .option('--health-url <url>', 'DS healthcheck URL', httpUrl(HEALTH_URL), DEFAULT_HEALTH_URL)
      .option('--no-health', 'do not probe the healthcheck')
      .option('--health-timeout <seconds>', `how long to wait for the healthcheck to answer true, ${HEALTH_TIMEOUT_S.min}–${HEALTH_TIMEOUT_S.max} (default: ${DEFAULT_HEALTH_TIMEOUT_MS / 1000})`, seconds(HEALTH_TIMEOUT_S.min, HEALTH_TIMEOUT_S.max))
      .option('--state-dir <dir>', 'where the journal, backups and lock live (host path)', DEFAULT_STATE_DIR);

  serviceOptions(
    commonSourceOptions(
      program
        .command('apply')
        .description('write ipfilter and JWT settings into local.json, restart, verify, roll back on failure')
        .option('--allow <address>', 'integrator address to allow (repeatable): IP, IP glob (10.1.*), or CIDR that maps to a glob', collect, [])
        .option('--secret-file <file>', 'read the JWT secret from FILE (one line)')
        .option('--secret-env <name>', 'read the JWT secret from environment variable NAME')
        .option('--generate-secret', 'generate a 40-character secret if the current one is weak (keeps a strong one)')
        .option('--rotate', 'with --generate-secret: replace even a strong secret')
        .option('--header <name>', "JWT header for inbox and outbox (the integrator's JWT header setting; default: keep the one in use)")
        .option('--useforrequest', 'apply ipfilter to incoming requests too (only behind a proxy that overwrites X-Forwarded-For)')
        .option('--behind-proxy', 'a reverse proxy in front of DS overwrites X-Forwarded-For (see ds-harden proxy)')
        .option('--no-useforrequest', 'apply ipfilter to outgoing requests only')
        .option('--errorcode <status>', 'HTTP status for blocked requests (400–599)', integer)
        .option('--policy <file>', `JSON file with the same keys (${POLICY_KEYS.join(', ')})`)
        .option('--storage-url <url>', "the integrator's storage URL as DS reaches it (Nextcloud: StorageUrl): apply refuses rules that would block DS's callbacks there")
        .addOption(new Option('--integrator <kind>', 'the integrator sharing the secret: its end changes with DS (occ) or the steps are printed').choices(['nextcloud', 'owncloud', 'seafile', 'other']))
        .option('--nextcloud-occ <command>', 'how to run Nextcloud\'s occ, e.g. "sudo -u www-data php /var/www/nextcloud/occ": set jwt_secret/jwt_header too, check the pair, undo both on failure')
        .option('--owncloud-occ <command>', 'the same for ownCloud\'s occ')
        .option('--integrator-check-timeout <seconds>', 'how long the app\'s own check (onlyoffice:documentserver --check) may take (default: 150)', seconds(INTEGRATOR_CHECK_S.min, INTEGRATOR_CHECK_S.max))
        .option('--test-address <ip>', 'extra address for the ipfilter simulation (repeatable)', collect, [])
        .option('--dry-run', 'print the diff (secrets masked) and the simulation; change nothing', false)
        .option('--normalize', 'rewrite a local.json with duplicate keys or JSON5-only syntax as strict JSON', false)
        .option('--jwt-env-file [file]', 'Docker Compose: keep JWT_SECRET in FILE (mode 0600, default onlyoffice-jwt.env beside the compose file), not in the compose file')
        .option('--compose-up', 'Docker Compose: re-create the service after writing (docker compose up -d SERVICE), then verify', false)
        .option('--json', 'machine-readable result on stdout (progress goes to stderr)', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runApply } = await import('../commands/apply.js');
    const flags = requestFlags(o, ['allow', 'storageUrl', 'secretFile', 'secretEnv', 'generateSecret', 'rotate', 'header', 'useforrequest', 'errorcode', 'behindProxy']);
    result.code = await runApply(
      {
        ...changeOptions(o, flags),
        ...(o.policy ? { policy: String(o.policy) } : {}),
        ...(o.jwtEnvFile !== undefined ? { envFile: o.jwtEnvFile === true ? true : String(o.jwtEnvFile) } : {}),
        composeUp: Boolean(o.composeUp),
      },
      io,
    );
  });

  serviceOptions(
    commonSourceOptions(
      program
        .command('rotate-secret')
        .description('a new JWT secret at both ends (DS and, with --nextcloud-occ, the integrator), verified, rolled back together on failure')
        .option('--secret-file <file>', 'take the new secret from FILE instead of generating one')
        .option('--secret-env <name>', 'take the new secret from environment variable NAME')
        .option('--header <name>', 'JWT header for inbox and outbox (default: keep the one in use)')
        .addOption(new Option('--integrator <kind>', 'the integrator sharing the secret').choices(['nextcloud', 'owncloud', 'seafile', 'other']))
        .option('--nextcloud-occ <command>', 'how to run Nextcloud\'s occ (its jwt_secret changes too)')
        .option('--owncloud-occ <command>', 'the same for ownCloud\'s occ')
        .option('--integrator-check-timeout <seconds>', 'how long the app\'s own check may take (default: 150)', seconds(INTEGRATOR_CHECK_S.min, INTEGRATOR_CHECK_S.max))
        .option('--dry-run', 'show what would change (secrets masked); change nothing', false)
        .option('--json', 'machine-readable result on stdout (progress goes to stderr)', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runRotateSecret } = await import('../commands/rotate-secret.js');
    result.code = await runRotateSecret(changeOptions(o, requestFlags(o, ['secretFile', 'secretEnv', 'header'])), io);
  });

  serviceOptions(
    commonSourceOptions(
      program
        .command('wizard')
        .description('first install, step by step: asks, shows the plan as apply --dry-run does, applies it once you confirm, and prints the same change as one apply command')
        .option('--integrator-check-timeout <seconds>', 'how long the app\'s own check (onlyoffice:documentserver --check) may take (default: 150)', seconds(INTEGRATOR_CHECK_S.min, INTEGRATOR_CHECK_S.max))
        .option('--normalize', 'rewrite a local.json with duplicate keys or JSON5-only syntax as strict JSON', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runWizard } = await import('../commands/wizard/index.js');
    result.code = await runWizard(
      {
        ...sourceOptions(o),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
        normalize: Boolean(o.normalize),
        stateDir: String(o.stateDir),
        ...(o.integratorCheckTimeout !== undefined ? { integratorCheckTimeoutMs: Number(o.integratorCheckTimeout) } : {}),
        ...services(o),
      },
      io,
    );
  });

  program
    .command('history')
    .description('list the applies recorded in the journal')
    .option('--root <dir>', 'file-system root', '/')
    .option('--state-dir <dir>', 'journal location (host path)', DEFAULT_STATE_DIR)
    .option('--json', 'machine-readable output', false)
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .action(async (o: Record<string, unknown>) => {
      const { runHistory } = await import('../commands/history.js');
      result.code = await runHistory({ root: String(o.root), stateDir: String(o.stateDir), json: Boolean(o.json), noColor: o.color === false }, io);
    });

  serviceOptions(
    program
      .command('rollback [id]')
      .description('restore the files of an apply (default: the latest one not rolled back), restart, verify')
      .option('--root <dir>', 'file-system root', '/')
      .option('--force', 'restore even if the file changed after the apply', false)
      .option('--json', 'machine-readable output', false)
      .option('--no-color', 'disable colour (NO_COLOR is honoured too)'),
  ).action(async (id: string | undefined, o: Record<string, unknown>) => {
    const { runRollback } = await import('../commands/rollback.js');
    result.code = await runRollback({ root: String(o.root), stateDir: String(o.stateDir), ...(id ? { id } : {}), force: Boolean(o.force), json: Boolean(o.json), noColor: o.color === false, ...services(o) }, io);
  });

  program
    .command('proxy')
    .description('print reverse-proxy rules that close what DS cannot: X-Forwarded-For, server-to-server routes, welcome/example')
    .addOption(new Option('--type <type>', 'the proxy in front of DS').choices(['haproxy', 'nginx', 'apache']).makeOptionMandatory())
    .option('--allow <address>', 'integrator address (repeatable): IP, IP glob (10.1.*) or CIDR block', collect, [])
    .option('--policy <file>', "JSON file with an \"allow\" list (the same file as apply's --policy)")
    .option('--upstream <host:port>', "where DS answers: its nginx (127.0.0.1:80), the Docker container's port, or DocService (8000)", '127.0.0.1:80')
    .option('--listen <address>', 'where nginx/Apache listen: PORT, ADDRESS:PORT or [IPv6]:PORT (default 80; haproxy uses your frontend)')
    .option('--server-name <name>', 'public host name of DS (nginx also *.example.org, www.example.* and .example.org; Apache and haproxy *.example.org and www.example.*)')
    .option('--frame-ancestors <origin>', 'origin allowed to embed the editor (repeatable), e.g. https://cloud.example.org', collect, [])
    .option('-o, --output <file>', 'write the rules to FILE instead of standard output')
    .action(async (o: Record<string, unknown>) => {
      const { runProxy } = await import('../commands/proxy.js');
      result.code = await runProxy(
        {
          type: o.type as 'haproxy' | 'nginx' | 'apache',
          allow: o.allow as string[],
          ...(o.policy ? { policy: String(o.policy) } : {}),
          upstream: String(o.upstream),
          ...(o.listen !== undefined ? { listen: String(o.listen) } : {}),
          ...(o.serverName !== undefined ? { serverName: String(o.serverName) } : {}),
          frameAncestors: o.frameAncestors as string[],
          ...(o.output !== undefined ? { output: String(o.output) } : {}),
        },
        io,
      );
    });

  return program;
}

const DEFAULT_TIMEOUT_S = 10;

/** The flags of the live probe (probe, check --url). The secret never comes from argv: a file or a variable. */
function liveFlags(cmd: Command): Command {
  return cmd
    .option('--from-integrator', "this run is made from the integrator's host: the server APIs must answer it", false)
    .option('--secret-file <file>', 'JWT secret for the signed requests (default: the local configuration)')
    .option('--secret-env <name>', 'environment variable holding the JWT secret')
    .option('--jwt-header <name>', 'JWT header (default: token.inbox.header of the local configuration, else Authorization)')
    .option('--timeout <seconds>', `limit per request, ${PROBE_TIMEOUT_S.min}–${PROBE_TIMEOUT_S.max} (default ${DEFAULT_TIMEOUT_S})`, seconds(PROBE_TIMEOUT_S.min, PROBE_TIMEOUT_S.max))
    .option('--insecure', 'do not verify the TLS certificate (a test server with a self-signed one)', false);
}

function liveOptions(url: string, o: Record<string, unknown>) {
  return {
    url,
    fromIntegrator: Boolean(o.fromIntegrator),
    ...(o.secretFile ? { secretFile: String(o.secretFile) } : {}),
    ...(o.secretEnv ? { secretEnv: String(o.secretEnv) } : {}),
    ...(o.jwtHeader ? { header: String(o.jwtHeader) } : {}),
    insecure: Boolean(o.insecure),
    timeoutMs: o.timeout !== undefined ? Number(o.timeout) : DEFAULT_TIMEOUT_S * 1000,
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected an integer');
  return Number(value);
}

/** A commander parser for a URL flag: an http(s) URL with a host, else a usage error naming the flag (exit 2). */
function httpUrl(rule: Parameters<typeof httpUrlProblem>[1]): (value: string) => string {
  return (value) => {
    const problem = httpUrlProblem(value, rule);
    if (problem) throw new InvalidArgumentError(problem);
    return value;
  };
}

/**
 * A duration flag in seconds → milliseconds, within [min, max] seconds (commander prints the flag, the value and this
 * message, exit 2). The upper bounds keep every wait a timer can hold (setTimeout takes at most 2^31-1 ms, ~24.8 days;
 * a larger value fires at once) and within reason for a command someone waits for.
 */
function seconds(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected a number of seconds from ${min} to ${max}`);
    return Math.round(n * 1000);
  };
}

/** The ranges of the duration flags, in seconds. */
const PROBE_TIMEOUT_S = { min: 0.1, max: 300 } as const;
const SETTLE_S = { min: 0, max: 600 } as const;
const HEALTH_TIMEOUT_S = { min: 0, max: 600 } as const;
const INTEGRATOR_CHECK_S = { min: 1, max: 3600 } as const;

export { CommanderError, UsageError };
