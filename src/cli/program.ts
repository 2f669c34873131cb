/** commander wiring only: flags → typed options → lazily imported command. */
import { Command, Option, CommanderError } from 'commander';
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

  return program;
}

export { CommanderError, UsageError };
