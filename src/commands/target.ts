/**
 * The one validated way from the command line to the DS host the commands work on: `--root` (an existing
 * directory, treated as `/`), the state directory below it, and the configuration DS would load there — with the
 * service definitions of `--supervisor-conf` when one is given (the same configuration supervisorctl is pointed at).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/errors.js';
import { rootedHost, type RootedHost } from '../adapters/host-fs.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from '../core/layers/load.js';
import type { CarriedOptions } from '../core/next-step.js';

/**
 * The options that select the DS host and its configuration: the ones check carries into its next-step command
 * (core/next-step.ts CarriedOptions, one list), with --root as given on the command line.
 */
export interface TargetOptions extends Omit<CarriedOptions, 'root'> {
  /** --root as given (relative to the working directory); '/' for the live host. */
  readonly root: string;
}

/** `--root DIR`: must be an existing directory. Throws UsageError otherwise (never creates it). */
export function openRoot(rootArg: string, cwd: string): RootedHost {
  const root = path.resolve(cwd, rootArg);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UsageError(`--root ${rootArg}: no such directory`);
  }
  if (!st.isDirectory()) throw new UsageError(`--root ${rootArg}: not a directory`);
  return rootedHost(root);
}

/** `--ds-version`: 1 to 3 numeric parts (e.g. 9.3 or 8.3.3), else UsageError. */
export function checkDsVersion(v: string | undefined): void {
  if (v !== undefined && !/^v?\d{1,3}(\.\d{1,4}){0,3}$/.test(v.trim())) {
    throw new UsageError(`--ds-version ${JSON.stringify(v)}: expected a version such as 9.3.0 or 8.3`);
  }
}

/** A path on this machine as a host path below `root` (identity for /); UsageError when it lies outside the root. */
export function hostPathOf(host: RootedHost, local: string, what: string): string {
  const abs = path.resolve(local);
  if (host.root === '/') return abs;
  if (abs === host.root) return '/';
  if (abs.startsWith(host.root + path.sep)) return '/' + path.relative(host.root, abs).split(path.sep).join('/');
  throw new UsageError(`${what} ${local} is outside --root ${host.root}; ds-harden reads and writes only below the root`);
}

/** Load the configuration DS would load from this root. Throws UsageError when there is none. */
export async function loadTarget(o: TargetOptions, cwd: string): Promise<{ loaded: LoadedConfig; host: RootedHost }> {
  checkDsVersion(o.dsVersion);
  const host = openRoot(o.root, cwd);
  let serviceDefinitions;
  if (o.supervisorConf) {
    const { readSupervisorDefinitions } = await import('../adapters/supervisor-conf.js');
    const files = await readSupervisorDefinitions(path.resolve(cwd, o.supervisorConf));
    serviceDefinitions = { files, toHostPath: (p: string) => hostPathOf(host, p, 'NODE_CONFIG_DIR of a program in --supervisor-conf') };
  }
  const deployment = await deploymentOptions(o, host, cwd);
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(host, {
      ...(o.configDir ? { configDir: o.configDir } : {}),
      ...(o.dsVersion ? { dsVersion: o.dsVersion } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(serviceDefinitions ? { serviceDefinitions } : {}),
      deployment,
    });
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'ComposeError' || name === 'InspectError') throw new UsageError((e as Error).message);
    throw e;
  }
  const kind = loaded.deployment.kind;
  if (kind === 'compose' || kind === 'docker-container') return { loaded, host };
  const listing = await host.list(loaded.configDir);
  if (!listing) {
    throw new UsageError(
      `no DS configuration directory at ${loaded.configDir}${host.root === '/' ? '' : ` under ${host.root}`} — pass --config-dir DIR or --root DIR`,
    );
  }
  if (loaded.layers.length === 0) {
    throw new UsageError(`${loaded.configDir} holds no configuration file DS would load (default.json, local.json, …)`);
  }
  return { loaded, host };
}

/** The compose names docker compose merges an override file for (compose-go cli/options.go DefaultFileNames). */
const DEFAULT_COMPOSE_NAMES = new Set(['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml']);

/** --compose / --docker-inspect / --container as detection options; where to look for a compose file otherwise. */
async function deploymentOptions(o: TargetOptions, host: RootedHost, cwd: string): Promise<NonNullable<LoadOptions['deployment']>> {
  const given = [o.compose, o.dockerInspect, o.container].filter((x) => x !== undefined);
  if (given.length > 1) throw new UsageError('give one of --compose, --docker-inspect and --container');
  if (o.composeService !== undefined && o.compose === undefined) throw new UsageError('--compose-service needs --compose FILE');
  if (o.compose !== undefined) {
    const local = path.resolve(cwd, o.compose);
    const st = fs.statSync(local, { throwIfNoEntry: false });
    if (!st?.isFile()) throw new UsageError(`--compose ${o.compose}: no such file`);
    const file = hostPathOf(host, local, '--compose');
    return { compose: { file, mergeOverride: DEFAULT_COMPOSE_NAMES.has(path.basename(file)), ...(o.composeService ? { service: o.composeService } : {}) } };
  }
  if (o.dockerInspect !== undefined) {
    const { readSmallFile } = await import('../adapters/small-file.js');
    return { inspect: { file: o.dockerInspect, text: readSmallFile(o.dockerInspect, cwd, `--docker-inspect ${o.dockerInspect}`, 4 * 1024 * 1024) } };
  }
  if (o.container !== undefined) {
    const { dockerInspect } = await import('../adapters/docker.js');
    return { inspect: { file: `docker inspect ${o.container}`, text: await dockerInspect(o.container) } };
  }
  // a compose file next to --root, or in the working directory (when it lies below the root)
  const search = ['/'];
  try {
    const here = hostPathOf(host, cwd, 'the working directory');
    if (here !== '/') search.push(here);
  } catch {
    /* the working directory is outside --root: not searched */
  }
  return { composeSearch: search };
}

/**
 * The state directory (journal, backups, lock) as a path on this machine. `create`: make it (mode 0700) when
 * missing — only `apply` does, and only below an existing root. Throws UsageError when it (or the journal directory in
 * it) is not a directory.
 * Returns undefined when it does not exist and `create` is false.
 */
export function stateDirOf(host: RootedHost, stateDir: string, create: boolean): string | undefined {
  const local = host.local(stateDir);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(local);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--state-dir ${stateDir}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (st && !st.isDirectory()) throw new UsageError(`--state-dir ${stateDir}: ${local} is not a directory`);
  // what ds-harden keeps inside it must have the kind it needs: the journal a directory, the lock a file (lock.ts)
  if (st) {
    const journal = path.join(local, 'journal');
    const kind = (p: string) => {
      try {
        return fs.statSync(p).isDirectory() ? 'dir' : 'other';
      } catch {
        return fs.lstatSync(p, { throwIfNoEntry: false }) ? 'other' : 'none'; // a dangling link is not a directory
      }
    };
    if (kind(journal) === 'other') {
      throw new UsageError(`--state-dir ${stateDir}: ${journal} is not a directory (ds-harden keeps its journal there). Move it away, or pass --state-dir DIR`);
    }
  }
  if (st && create) {
    try {
      fs.accessSync(local, fs.constants.W_OK | fs.constants.X_OK);
    } catch {
      throw new UsageError(`--state-dir ${stateDir}: ${local} is not writable (run as root, or pass --state-dir DIR)`);
    }
  }
  if (st) return local;
  if (!create) return undefined;
  try {
    fs.mkdirSync(local, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new UsageError(`--state-dir ${stateDir}: cannot create ${local} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return local;
}
