/**
 * The Docker CLI, when this machine has one: `docker inspect NAME`, `docker compose config` (validation) and
 * `docker compose up -d SERVICE` (re-create the DS container so it gets the new environment and mounts). argv arrays,
 * no shell; children in their own process group; the environment of the child never holds a secret (callers pass a
 * scrubbed one). Without a Docker engine every call says so (DockerUnavailableError), and callers skip the step.
 */
import { execa } from 'execa';
import { UsageError } from '../cli/errors.js';

export class DockerUnavailableError extends Error {
  override readonly name = 'DockerUnavailableError';
}

export interface DockerOptions {
  /** The docker binary (tests put a stand-in first on PATH instead). */
  readonly docker?: string;
  /** Environment of the child (scrubbed of secrets by the caller); undefined = inherit. */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface DockerRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: readonly string[], o: DockerOptions & { cwd?: string }): Promise<DockerRun> {
  const bin = o.docker ?? 'docker';
  const r = await execa(bin, [...args], {
    reject: false,
    shell: false,
    stdin: 'ignore',
    detached: true,
    timeout: o.timeoutMs ?? 120_000,
    ...(o.cwd ? { cwd: o.cwd } : {}),
    ...(o.signal ? { cancelSignal: o.signal } : {}),
    extendEnv: o.env === undefined,
    env: { ...(o.env ?? {}), LC_ALL: 'C', LANG: 'C' },
    stripFinalNewline: true,
  });
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (r.timedOut) throw new DockerUnavailableError(`${bin} ${args.join(' ')}: timed out`);
  if (r.exitCode === undefined) {
    if ((r as { code?: string }).code === 'ENOENT') throw new DockerUnavailableError(`${bin} is not installed on this machine`);
    throw new DockerUnavailableError(`${bin} ${args.join(' ')}: ${r.message}`);
  }
  if (r.exitCode !== 0 && /unknown command: docker compose|'compose' is not a docker command/i.test(stderr)) {
    throw new DockerUnavailableError('docker compose is not installed on this machine');
  }
  // the client works but reaches no engine
  if (r.exitCode !== 0 && /Cannot connect to the Docker daemon|Is the docker daemon running|permission denied while trying to connect/i.test(stderr)) {
    throw new DockerUnavailableError(`no Docker engine answers here (${stderr.split('\n')[0]})`);
  }
  return { exitCode: r.exitCode, stdout, stderr };
}

/** `docker inspect NAME` → its JSON text. UsageError when docker is missing or the container does not exist. */
export async function dockerInspect(name: string, o: DockerOptions = {}): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`--container ${JSON.stringify(name)}: not a container name or id`);
  let r: DockerRun;
  try {
    r = await run(['inspect', '--type', 'container', name], o);
  } catch (e) {
    throw new UsageError(`--container ${name}: ${(e as Error).message}. On the Docker host, save it with \`docker inspect ${name} > inspect.json\` and pass --docker-inspect inspect.json`);
  }
  if (r.exitCode !== 0) throw new UsageError(`--container ${name}: docker inspect failed: ${(r.stderr || r.stdout).split('\n')[0]}`);
  return r.stdout;
}

/** Throws DockerUnavailableError unless `docker compose version` works (the Compose v2 plugin is installed). */
async function requireCompose(o: DockerOptions): Promise<void> {
  const r = await run(['compose', 'version'], { ...o, timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new DockerUnavailableError('docker compose (the Compose v2 plugin) is not installed on this machine');
}

/** `docker compose -f F… config -q` in the project directory: exit 0 when compose accepts the files. */
export async function composeConfig(files: readonly string[], projectDir: string, o: DockerOptions = {}): Promise<DockerRun> {
  await requireCompose(o);
  return run(['compose', ...files.flatMap((f) => ['-f', f]), 'config', '-q'], { ...o, cwd: projectDir });
}

/** `docker compose -f F… up -d SERVICE`: re-creates the service when its definition changed. */
export async function composeUp(files: readonly string[], projectDir: string, service: string, o: DockerOptions = {}): Promise<DockerRun> {
  await requireCompose(o);
  return run(['compose', ...files.flatMap((f) => ['-f', f]), 'up', '-d', service], { ...o, cwd: projectDir, timeoutMs: o.timeoutMs ?? 600_000 });
}
