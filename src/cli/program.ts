/** commander wiring only: flags → typed options → lazily imported command. */
import { Command, Option, CommanderError, InvalidArgumentError } from 'commander';
import type { Io } from './io.js';
import { UsageError } from './errors.js';
import { SEVERITIES, type Severity } from '../core/types.js';
import { TOOL_VERSION } from '../version.js';

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
      .option('-o, --output <file>', 'write the report to FILE instead of standard output'),
  ).action(async (o: Record<string, unknown>) => {
    // every command is imported when it runs: `--version` and `--help` load none
    const { runCheck } = await import('../commands/check.js');
    result.code = await runCheck(
      {
        root: String(o.root),
        ...(o.configDir ? { configDir: String(o.configDir) } : {}),
        ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
        ...(o.hostname ? { hostname: String(o.hostname) } : {}),
        format: o.format as 'text' | 'json' | 'sarif',
        failOn: o.failOn as Severity,
        ...(o.explain ? { explain: String(o.explain) } : {}),
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
      .option('--health-url <url>', 'DS healthcheck URL', 'http://127.0.0.1:8000/healthcheck')
      .option('--no-health', 'do not probe the healthcheck')
      .option('--health-timeout <seconds>', 'how long to wait for the healthcheck to answer true', seconds, 30_000)
      .option('--state-dir <dir>', 'where the journal, backups and lock live (host path)', '/var/lib/ds-harden');

  const services = (o: Record<string, unknown>) => ({
    serviceManager: String(o.serviceManager),
    ...(o.supervisorConf ? { supervisorConf: String(o.supervisorConf) } : {}),
    restartAll: Boolean(o.restartAll),
    ...(o.settle !== undefined ? { settleMs: Number(o.settle) } : {}),
    ...(o.health !== false && o.healthUrl ? { healthUrl: String(o.healthUrl) } : {}),
    healthTimeoutMs: Number(o.healthTimeout),
  });

  serviceOptions(
    commonSourceOptions(
      program
        .command('apply')
        .description('write ipfilter and JWT settings into local.json, restart, verify, roll back on failure')
        .option('--allow <address>', 'integrator address to allow (repeatable): IP, IP glob (10.1.*), or CIDR that maps to a glob', collect, [])
        .option('--secret-file <file>', 'read the JWT secret from FILE (one line)')
        .option('--secret-env <name>', 'read the JWT secret from environment variable NAME')
        .option('--generate-secret', 'generate a 40-character secret if the current one is weak (keeps a strong one)', false)
        .option('--rotate', 'with --generate-secret: replace even a strong secret', false)
        .option('--header <name>', 'JWT header for inbox and outbox (Nextcloud jwt_header; default Authorization)')
        .option('--useforrequest', 'apply ipfilter to incoming requests too')
        .option('--no-useforrequest', 'apply ipfilter to outgoing requests only')
        .option('--errorcode <status>', 'HTTP status for blocked requests (400–599)', integer)
        .option('--policy <file>', 'JSON file with the same keys (allow, secretFile, secretEnv, generateSecret, header, useforrequest, errorcode)')
        .option('--storage-url <url>', "Nextcloud's StorageUrl as DS reaches it: apply refuses rules that would block DS's callbacks there")
        .option('--test-address <ip>', 'extra address for the ipfilter simulation (repeatable)', collect, [])
        .option('--dry-run', 'print the diff (secrets masked) and the simulation; change nothing', false)
        .option('--normalize', 'rewrite a local.json with duplicate keys or JSON5-only syntax as strict JSON', false)
        .option('--json', 'machine-readable result on stdout (progress goes to stderr)', false),
    ),
  ).action(async (o: Record<string, unknown>) => {
    const { runApply } = await import('../commands/apply.js');
    result.code = await runApply(
      {
        root: String(o.root),
        ...(o.configDir ? { configDir: String(o.configDir) } : {}),
        ...(o.dsVersion ? { dsVersion: String(o.dsVersion) } : {}),
        ...(o.hostname ? { hostname: String(o.hostname) } : {}),
        allow: o.allow as string[],
        ...(o.secretFile ? { secretFile: String(o.secretFile) } : {}),
        ...(o.secretEnv ? { secretEnv: String(o.secretEnv) } : {}),
        generateSecret: Boolean(o.generateSecret),
        rotate: Boolean(o.rotate),
        ...(o.header ? { header: String(o.header) } : {}),
        ...(typeof o.useforrequest === 'boolean' ? { useforrequest: o.useforrequest } : {}),
        ...(o.errorcode !== undefined ? { errorcode: Number(o.errorcode) } : {}),
        ...(o.policy ? { policy: String(o.policy) } : {}),
        testAddresses: o.testAddress as string[],
        ...(o.storageUrl ? { storageUrl: String(o.storageUrl) } : {}),
        dryRun: Boolean(o.dryRun),
        normalize: Boolean(o.normalize),
        json: Boolean(o.json),
        showSecrets: Boolean(o.showSecrets),
        noColor: o.color === false,
        stateDir: String(o.stateDir),
        ...services(o),
      },
      io,
    );
  });

  program
    .command('history')
    .description('list the applies recorded in the journal')
    .option('--root <dir>', 'file-system root', '/')
    .option('--state-dir <dir>', 'journal location (host path)', '/var/lib/ds-harden')
    .option('--json', 'machine-readable output', false)
    .action(async (o: Record<string, unknown>) => {
      const { runHistory } = await import('../commands/history.js');
      result.code = await runHistory({ root: String(o.root), stateDir: String(o.stateDir), json: Boolean(o.json) }, io);
    });

  serviceOptions(
    program
      .command('rollback [id]')
      .description('restore the files of an apply (default: the latest one not rolled back), restart, verify')
      .option('--root <dir>', 'file-system root', '/')
      .option('--force', 'restore even if the file changed after the apply', false)
      .option('--json', 'machine-readable output', false),
  ).action(async (id: string | undefined, o: Record<string, unknown>) => {
    const { runRollback } = await import('../commands/rollback.js');
    result.code = await runRollback({ root: String(o.root), stateDir: String(o.stateDir), ...(id ? { id } : {}), force: Boolean(o.force), json: Boolean(o.json), ...services(o) }, io);
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
