/** commander wiring only: flags → typed options → lazily imported command. */
import { Command, Option, CommanderError, InvalidArgumentError } from 'commander';
import type { Io } from './io.js';
import { UsageError } from './errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { TOOL_VERSION } from '../version.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, DEFAULT_HEALTH_URL, DEFAULT_STATE_DIR } from '../apply/defaults.js';
// check is the command people run in CI: loaded with the program; apply & co. are imported when used.
import { runCheck } from '../commands/check.js';

export interface ProgramResult {
  code: number;
}

function commonSourceOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'treat DIR as the file-system root for every path read (audit a copied tree)', '/')
    .option('--config-dir <dir>', 'DS configuration directory (host path)', undefined)
    .option('--ds-version <version>', 'DS version, when it cannot be detected (e.g. 8.3.3)')
    .option('--hostname <name>', "host name node-config uses for <hostname>.json layers (default: the host's)")
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
      .option('--explain <key>', 'print the effective value of a dotted key and every layer that sets it')
      .option('--supervisor-conf <file>', 'read the DS program definitions from this supervisord.conf and its [include] files')
      .option('-o, --output <file>', 'write the report to FILE instead of standard output'),
  ).action(async (o: Record<string, unknown>) => {
    result.code = await runCheck(
      {
        root: String(o.root),
        ...(o.configDir ? { configDir: String(o.configDir) } : {}),
        ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
        ...(o.hostname ? { hostname: String(o.hostname) } : {}),
        format: o.format as 'text' | 'json' | 'sarif',
        failOn: o.failOn as Severity,
        ...(o.explain !== undefined ? { explain: String(o.explain) } : {}),
        ...(o.supervisorConf ? { supervisorConf: String(o.supervisorConf) } : {}),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
        ...(o.output ? { output: String(o.output) } : {}),
      },
      io,
    );
  });

  const serviceOptions = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--service-manager <kind>', 'how DS runs').choices(['auto', 'supervisor', 'systemd', 'none']).default('auto'))
      .option('--supervisor-conf <file>', 'supervisord.conf to talk to (supervisorctl -c FILE)')
      .option('--restart-all', 'run the literal `supervisorctl restart all` (also starts deliberately stopped programs)', false)
      .option('--settle <seconds>', 'how long services must stay up after the restart (default: 3 supervisor, 35 systemd)', seconds)
      .option('--health-url <url>', 'DS healthcheck URL', DEFAULT_HEALTH_URL)
      .option('--no-health', 'do not probe the healthcheck')
      .option('--health-timeout <seconds>', `how long to wait for the healthcheck to answer true (default: ${DEFAULT_HEALTH_TIMEOUT_MS / 1000})`, seconds)
      .option('--state-dir <dir>', 'where the journal, backups and lock live (host path)', DEFAULT_STATE_DIR);

  const services = (o: Record<string, unknown>) => ({
    serviceManager: String(o.serviceManager),
    ...(o.supervisorConf ? { supervisorConf: String(o.supervisorConf) } : {}),
    restartAll: Boolean(o.restartAll),
    ...(o.settle !== undefined ? { settleMs: Number(o.settle) } : {}),
    ...(o.health !== false && o.healthUrl ? { healthUrl: String(o.healthUrl) } : {}),
    healthTimeoutMs: o.healthTimeout === undefined ? DEFAULT_HEALTH_TIMEOUT_MS : Number(o.healthTimeout),
  });

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
        .option('--header <name>', 'JWT header for inbox and outbox (Nextcloud jwt_header; default Authorization)')
        .option('--useforrequest', 'apply ipfilter to incoming requests too')
        .option('--no-useforrequest', 'apply ipfilter to outgoing requests only')
        .option('--errorcode <status>', 'HTTP status for blocked requests (400–599)', integer)
        .option('--policy <file>', 'JSON file with the same keys (allow, secretFile, secretEnv, generateSecret, header, useforrequest, errorcode)')
        .option('--storage-url <url>', "Nextcloud's StorageUrl as DS reaches it: apply refuses rules that would block DS's callbacks there")
        .addOption(new Option('--integrator <kind>', 'the integrator sharing the secret: its end changes with DS (occ) or the steps are printed').choices(['nextcloud', 'owncloud', 'seafile', 'other']))
        .option('--nextcloud-occ <command>', 'how to run Nextcloud\'s occ, e.g. "sudo -u www-data php /var/www/nextcloud/occ": set jwt_secret/jwt_header too, check the pair, undo both on failure')
        .option('--owncloud-occ <command>', 'the same for ownCloud\'s occ')
        .option('--integrator-check-timeout <seconds>', 'how long the app\'s own check (onlyoffice:documentserver --check) may take (default: 150)', seconds)
        .option('--test-address <ip>', 'extra address for the ipfilter simulation (repeatable)', collect, [])
        .option('--dry-run', 'print the diff (secrets masked) and the simulation; change nothing', false)
        .option('--normalize', 'rewrite a local.json with duplicate keys or JSON5-only syntax as strict JSON', false)
        .option('--json', 'machine-readable result on stdout (progress goes to stderr)', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runApply } = await import('../commands/apply.js');
    // flags in the policy's shape; only what was given, so a flag never overrides the policy file with a default
    const flags = Object.fromEntries(
      Object.entries({
        allow: (o.allow as string[]).length ? o.allow : undefined,
        storageUrl: o.storageUrl,
        secretFile: o.secretFile,
        secretEnv: o.secretEnv,
        generateSecret: o.generateSecret === true ? true : undefined,
        rotate: o.rotate === true ? true : undefined,
        header: o.header,
        useforrequest: typeof o.useforrequest === 'boolean' ? o.useforrequest : undefined,
        errorcode: o.errorcode,
        integrator: o.integrator ?? (o.owncloudOcc ? 'owncloud' : o.nextcloudOcc ? 'nextcloud' : undefined),
        occ: o.nextcloudOcc ?? o.owncloudOcc,
      }).filter(([, v]) => v !== undefined),
    );
    if (o.nextcloudOcc && o.owncloudOcc) throw new UsageError('give --nextcloud-occ or --owncloud-occ, not both');
    result.code = await runApply(
      {
        root: String(o.root),
        ...(o.configDir ? { configDir: String(o.configDir) } : {}),
        ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
        ...(o.hostname ? { hostname: String(o.hostname) } : {}),
        flags,
        ...(o.policy ? { policy: String(o.policy) } : {}),
        testAddresses: o.testAddress as string[],
        dryRun: Boolean(o.dryRun),
        normalize: Boolean(o.normalize),
        json: Boolean(o.json),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
        stateDir: String(o.stateDir),
        ...(o.integratorCheckTimeout !== undefined ? { integratorCheckTimeoutMs: Number(o.integratorCheckTimeout) } : {}),
        ...services(o),
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
        .option('--integrator-check-timeout <seconds>', 'how long the app\'s own check may take (default: 150)', seconds)
        .option('--dry-run', 'show what would change (secrets masked); change nothing', false)
        .option('--json', 'machine-readable result on stdout (progress goes to stderr)', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runRotateSecret } = await import('../commands/rotate-secret.js');
    if (o.nextcloudOcc && o.owncloudOcc) throw new UsageError('give --nextcloud-occ or --owncloud-occ, not both');
    const flags = Object.fromEntries(
      Object.entries({
        secretFile: o.secretFile,
        secretEnv: o.secretEnv,
        header: o.header,
        integrator: o.integrator ?? (o.owncloudOcc ? 'owncloud' : o.nextcloudOcc ? 'nextcloud' : undefined),
        occ: o.nextcloudOcc ?? o.owncloudOcc,
      }).filter(([, v]) => v !== undefined),
    );
    result.code = await runRotateSecret(
      {
        root: String(o.root),
        ...(o.configDir ? { configDir: String(o.configDir) } : {}),
        ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
        ...(o.hostname ? { hostname: String(o.hostname) } : {}),
        flags,
        testAddresses: [],
        dryRun: Boolean(o.dryRun),
        normalize: false,
        json: Boolean(o.json),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
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

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected an integer');
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds');
  return Math.round(n * 1000);
}

export { CommanderError, UsageError };
