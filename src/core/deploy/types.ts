/**
 * How DS is deployed, and where that install keeps the settings ds-harden audits (deploy-modes.md §1, §10).
 * Value types only; detect.ts decides them from what the host shows, entrypoint.ts evaluates a container's environment.
 */
import type { SourceLocation, Version } from '../types.js';

/**
 * - package: the deb/rpm package (dpkg status, or the package's own units and paths);
 * - service: a systemd unit or supervisor program under another name that runs DocService;
 * - docker-image: ds-harden runs inside the official image (/app/ds/run-document-server.sh);
 * - compose: a Compose service of the official image, seen from the Docker host (its compose file);
 * - docker-container: a container seen through `docker inspect` JSON (docker run, Nextcloud AIO);
 * - snap: the onlyoffice-ds snap; nixos: the NixOS module; yunohost: the YunoHost app;
 * - default: nothing says how DS runs; the .deb defaults apply.
 */
export type DeploymentKind = 'package' | 'service' | 'docker-image' | 'compose' | 'docker-container' | 'snap' | 'nixos' | 'yunohost' | 'default';

/** The way settings are changed on that install: what every fix text and apply plan speaks of. */
export type Mechanism = 'local-json' | 'docker' | 'snap' | 'nixos' | 'yunohost' | 'config-management';

/** A fact and where it came from ("NODE_CONFIG_DIR in /etc/systemd/system/onlyoffice-docservice.service:14"). */
export interface Sourced<T> {
  readonly value: T;
  readonly from: string;
}

/** A configuration-management tool that owns the files (its next run reverts hand edits). */
export interface ManagedBy {
  /** "Ansible", "Puppet", "Chef", "Salt" */
  readonly tool: string;
  /** What says so: a marker comment, a backup file name. */
  readonly evidence: string;
  /** The file the tool writes (its variable holds the keys). */
  readonly file: string;
}

/** Where one environment variable of a container came from. */
export interface EnvOrigin {
  /** Host path of the file (compose file, .env, env_file, inspect JSON, /proc/1/environ). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** How it is written there: "environment list item", "environment map entry", "env_file", "Config.Env[3]", … */
  readonly how: string;
}

/** One variable of the container's environment, as the container gets it. */
export interface EnvVar {
  readonly name: string;
  /** The value the container sees; undefined when the variable is declared without a value that resolves. */
  readonly value: string | undefined;
  readonly origin: EnvOrigin;
  /** Compose list syntax (`- KEY=value`): quotes in the value are kept (compose-go types/mapping.go). */
  readonly listSyntax?: true;
  /** The value came from interpolating ${NAME} (where NAME was set, when known). */
  readonly interpolated?: readonly { readonly name: string; readonly origin?: EnvOrigin; readonly unset?: true }[];
}

/** A bind mount (host file or directory → container path). */
export interface BindMount {
  /** Host path (below --root when one is given). */
  readonly source: string;
  /** Path in the container. */
  readonly target: string;
  readonly readOnly: boolean;
  readonly origin: EnvOrigin;
}

/** A published port. */
export interface PublishedPort {
  /** Host address it listens on; "" or "0.0.0.0"/"::" mean every interface. */
  readonly hostIp: string;
  readonly hostPort: string;
  readonly containerPort: number;
  readonly origin: EnvOrigin;
}

/** The DS container as its definition describes it (compose service, docker inspect, or the running container). */
export interface ContainerSpec {
  /** Image reference ("onlyoffice/documentserver:9.2.0"), when known. */
  readonly image?: string;
  /** DS version from the image tag (9.2.0 from ":9.2.0", a minor line from ":9.2"); undefined for latest/no tag. */
  readonly imageVersion?: Version;
  readonly imageOrigin?: EnvOrigin;
  readonly env: readonly EnvVar[];
  readonly mounts: readonly BindMount[];
  readonly ports: readonly PublishedPort[];
  /** Where the environment is written (the `environment:` key, Config.Env), for findings about a missing variable. */
  readonly envAnchor: EnvOrigin;
  /** Other services of the same project whose image is a reverse proxy (nginx, traefik, caddy, …), and proxy labels. */
  readonly proxies: readonly string[];
  /** Compose only. */
  readonly compose?: {
    /** Host paths of the compose files, the first one decides the project directory. */
    readonly files: readonly string[];
    readonly projectDir: string;
    readonly service: string;
    /** Files of `env_file:` (host paths), in order. */
    readonly envFiles: readonly string[];
    /** The `.env` file used for interpolation, when present. */
    readonly dotEnv?: string;
  };
  /** Inspect only: the container's name. */
  readonly containerName?: string;
  /** Notes for the reader (an override file merged, a variable from the shell that is not visible here, …). */
  readonly notes: readonly string[];
  /** false when the environment could not be read (inside the container without access to /proc/1/environ). */
  readonly envVisible?: false;
}

export interface Deployment {
  readonly kind: DeploymentKind;
  readonly mechanism: Mechanism;
  /** One line for the top of the report: "Docker Compose: service onlyoffice in /srv/ds/docker-compose.yml". */
  readonly label: string;
  /** Host path of the DS configuration directory (inside the container for Docker modes). */
  readonly configDir: Sourced<string>;
  /** The account DocService runs as. */
  readonly serviceUser: Sourced<string>;
  /** deb or rpm, when a package installed DS. */
  readonly package?: 'deb' | 'rpm';
  readonly managedBy?: ManagedBy;
  /** YunoHost app id (onlyoffice, onlyoffice__2, …). */
  readonly app?: string;
  /** The DS container (Docker modes). */
  readonly container?: ContainerSpec;
  /**
   * The command that restarts DocService and FileConverter as this host defines them ("systemctl restart office.service",
   * "supervisorctl restart ds:docservice ds:converter", "snap restart onlyoffice-ds.documentserver"); undefined for the
   * deb/rpm package and when no service definition was found (fix texts then name the package's units,
   * ds-docservice and ds-converter), and for a container seen from the host (it is re-created).
   */
  readonly restart?: string;
  /** What was seen, for the report and --explain. */
  readonly evidence: readonly string[];
}

/** Where a finding about the whole container definition points: the environment block, else the image line. */
export function anchorOf(spec: ContainerSpec): SourceLocation {
  return { file: spec.envAnchor.file, line: spec.envAnchor.line, column: spec.envAnchor.column };
}

export function locationOf(o: EnvOrigin): SourceLocation {
  return { file: o.file, line: o.line, column: o.column };
}

/** The container of Nextcloud All-in-One (its image, or AIO's container name): AIO's mastercontainer defines it, not the admin. */
export function isAioContainer(spec: Pick<ContainerSpec, 'image' | 'containerName'> | undefined): boolean {
  return /aio-onlyoffice/.test(spec?.image ?? '') || /nextcloud-aio-onlyoffice/.test(spec?.containerName ?? '');
}

/** A deployment that is Nextcloud All-in-One's DS container (seen through docker inspect). */
export function isAio(dep: Pick<Deployment, 'kind' | 'container'>): boolean {
  return dep.kind === 'docker-container' && isAioContainer(dep.container);
}

export function isDockerKind(kind: DeploymentKind): boolean {
  return kind === 'docker-image' || kind === 'compose' || kind === 'docker-container';
}
