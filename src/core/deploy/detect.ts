/**
 * Which deployment this is, and from the service definition itself where DS keeps its configuration and which account
 * it runs as (deploy-modes.md §1). Reads through the ReadonlyHost port; pure otherwise.
 *
 * Order (the first that applies): a container given with --docker-inspect; a compose file given with --compose; the
 * official image seen from inside (/app/ds/run-document-server.sh, Docker-DocumentServer@ce582025:Dockerfile:142); a
 * compose file with a DS service next to --root (or in the working directory); the snap (/snap/onlyoffice-ds,
 * /var/snap/onlyoffice-ds); then the service definitions — the NixOS module's wrapper, a YunoHost app
 * (/etc/yunohost/apps/<app>/settings.yml), the deb/rpm package (dpkg status, the package's own ds-* units or ds:*
 * programs), any other unit or program that runs DocService — and finally the .deb defaults.
 */
import { posix as path } from 'node:path';
import type { ReadError, ReadResult, ReadonlyHost } from '../layers/load.js';
import { envFileVars, readsDsConfig, supervisorEnvs, supervisorGroups, systemdEnvs, type ServiceEnv } from '../ds/service-defs.js';
import { versionFromDpkgStatus } from '../ds/versions.js';
import { containerFromInspect, envFromProcEnviron, isDsContainer } from './inspect.js';
import { COMPOSE_FILE_NAMES } from './compose-names.js';
import { isAioContainer, type ContainerSpec, type Deployment, type DeploymentKind, type Mechanism, type Sourced } from './types.js';
import type { SourceLocation } from '../types.js';

export const DEB_CONFIG_DIR = '/etc/onlyoffice/documentserver';
export const SNAP_CONFIG_DIR = '/var/snap/onlyoffice-ds/current/etc/onlyoffice/documentserver';
export const DOCKER_ENTRYPOINT = '/app/ds/run-document-server.sh';

export interface DetectOptions {
  /** --config-dir */
  readonly configDir?: string;
  /** Program definitions read from --supervisor-conf (already mapped to host paths). */
  readonly services?: readonly ServiceEnv[];
  /** --compose FILE (host path); `mergeOverride` when compose would merge its override file. */
  readonly compose?: { readonly file: string; readonly mergeOverride: boolean; readonly service?: string };
  /** --docker-inspect FILE / --container NAME: the inspect JSON (file = how to name it in locations). */
  readonly inspect?: { readonly file: string; readonly text: string };
  /** Host paths of directories to look for a compose file in when none is given (--root's "/", the working directory). */
  readonly composeSearch?: readonly string[];
  /** Service definitions that exist but could not be read are appended here (they are reported, not skipped). */
  readonly readErrors?: ReadError[];
}

export interface Detected {
  readonly deployment: Deployment;
  /** The service definitions that run DocService/FileConverter (empty for a container seen from the host). */
  readonly services: readonly ServiceEnv[];
  /** Service definitions that could not be read (kept for a re-load). */
  readonly readErrors?: readonly ReadError[];
}

/** Kinds whose fix texts speak of local.json (others have their own mechanism). */
export function mechanismOf(kind: DeploymentKind): Mechanism {
  switch (kind) {
    case 'docker-image':
    case 'compose':
    case 'docker-container':
      return 'docker';
    case 'snap':
      return 'snap';
    case 'nixos':
      return 'nixos';
    case 'yunohost':
      return 'yunohost';
    default:
      return 'local-json';
  }
}

const SYSTEMD_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'] as const;
/** Unit names read in the vendor directories (every unit is read in /etc/systemd/system, where admins and NixOS/YunoHost put theirs). */
const VENDOR_NAME = /^(ds-|onlyoffice|documentserver).*\.service$|docservice.*\.service$|converter.*\.service$/i;

/**
 * Every service definition on the host that runs DocService or FileConverter, under any name. Definitions that exist
 * but cannot be read (a FIFO, too large, no permission) are appended to `errors` instead of being skipped silently.
 */
export async function discoverServices(host: ReadonlyHost, errors?: ReadError[]): Promise<ServiceEnv[]> {
  const out: ServiceEnv[] = [];
  const failed = (file: string, r: ReadResult) => {
    if (!r.ok && r.code !== 'ENOENT') errors?.push({ file, code: r.code, message: r.message });
  };
  const programs: { file: string; text: string }[] = [];
  for (const [dir, match] of [
    ['/etc/supervisor/conf.d', /\.conf$/],
    ['/etc/supervisord.d', /\.(ini|conf)$/],
  ] as const) {
    for (const name of ((await host.list(dir)) ?? []).filter((n) => match.test(n)).sort()) {
      const r = await host.read(`${dir}/${name}`);
      if (r.ok) programs.push({ file: `${dir}/${name}`, text: r.text });
      else failed(`${dir}/${name}`, r);
    }
  }
  // a [group:…] in one file names the programs of another (supervisord merges them all)
  const groups = supervisorGroups(programs.map((p) => p.text));
  for (const p of programs) out.push(...supervisorEnvs(p.file, p.text, groups));
  /** The EnvironmentFile= files of a unit, read (a missing one sets nothing; one that cannot be read is reported). */
  const withEnvFiles = async (found: ServiceEnv[]): Promise<ServiceEnv[]> => {
    const done: ServiceEnv[] = [];
    for (const s of found) {
      if (!s.envFiles?.length) {
        done.push(s);
        continue;
      }
      const env = Object.create(null) as Record<string, string>;
      const origins = Object.create(null) as Record<string, SourceLocation>;
      for (const f of s.envFiles) {
        const r = await host.read(f.path);
        if (!r.ok) {
          failed(f.path, r);
          continue;
        }
        const vars = envFileVars(f.path, r.text);
        Object.assign(env, vars.env);
        Object.assign(origins, vars.origins);
      }
      done.push({ ...s, fileEnv: { env, origins } });
    }
    return done;
  };
  const seen = new Set<string>();
  for (const dir of SYSTEMD_DIRS) {
    const names = ((await host.list(dir)) ?? []).filter((n) => n.endsWith('.service') && (dir === '/etc/systemd/system' || VENDOR_NAME.test(n))).sort();
    for (const name of names) {
      if (seen.has(name)) continue; // /etc/systemd/system overrides the vendor unit of the same name
      const r = await host.read(`${dir}/${name}`);
      if (!r.ok) {
        failed(`${dir}/${name}`, r);
        continue;
      }
      const found = systemdEnvs(`${dir}/${name}`, r.text, name);
      if (found.length === 0) continue;
      seen.add(name);
      out.push(...(await withEnvFiles(found)));
      // drop-ins: /etc/systemd/system/<unit>.d/*.conf override the unit's Environment and User
      const dropDir = `/etc/systemd/system/${name}.d`;
      for (const d of ((await host.list(dropDir)) ?? []).filter((n) => n.endsWith('.conf')).sort()) {
        const rr = await host.read(`${dropDir}/${d}`);
        if (rr.ok) out.push(...(await withEnvFiles(systemdEnvs(`${dropDir}/${d}`, rr.text, name))));
        else failed(`${dropDir}/${d}`, rr);
      }
    }
  }
  return out;
}

/**
 * The DocService definition (docservice first), merged with its drop-ins (later wins; an empty systemd Environment= or
 * EnvironmentFile= drops what came before it), the EnvironmentFile= variables over the Environment= ones
 * (systemd.exec(5): "Settings from these files override settings made with Environment="). `origins`: where each
 * merged variable is set.
 */
export function docserviceOf(services: readonly ServiceEnv[]): (ServiceEnv & { merged: Record<string, string> }) | undefined {
  const isDoc = (s: ServiceEnv) => /docservice/i.test(s.service) || /DocService/i.test(s.exec ?? '');
  const first = services.find(isDoc) ?? services.find((s) => readsDsConfig(s.service)) ?? services[0];
  if (!first) return undefined;
  const same = services.filter((s) => s.service === first.service && s.manager === first.manager);
  const last = same[same.length - 1]!;
  const record = <T>() => Object.create(null) as Record<string, T>;
  let env = record<string>();
  let envAt = record<SourceLocation>();
  let files = record<string>();
  let filesAt = record<SourceLocation>();
  for (const s of same) {
    if (s.envReset) [env, envAt] = [record(), record()];
    if (s.envFilesReset) [files, filesAt] = [record(), record()];
    Object.assign(env, s.env);
    Object.assign(envAt, s.origins);
    Object.assign(files, s.fileEnv?.env);
    Object.assign(filesAt, s.fileEnv?.origins);
  }
  const merged = Object.assign(record<string>(), env, files);
  const origins = Object.assign(record<SourceLocation>(), envAt, filesAt);
  const withUser = [...same].reverse().find((s) => s.user !== undefined);
  const withExec = [...same].reverse().find((s) => s.exec !== undefined);
  const dirFrom = same.find((s) => s.configDirFrom)?.configDirFrom;
  return {
    ...last,
    env: merged,
    merged,
    origins,
    ...(withUser ? { user: withUser.user!, userLine: withUser.userLine! } : {}),
    ...(withExec ? { exec: withExec.exec! } : {}),
    ...(dirFrom && !same.some((s) => !s.configDirFrom && s.env.NODE_CONFIG_DIR !== undefined) ? { configDirFrom: dirFrom } : {}),
  };
}

/**
 * The command that restarts the DocService/FileConverter definitions found (all of one manager: the DocService's), e.g.
 * `systemctl restart onlyoffice-docservice.service onlyoffice-converter.service`; undefined when none was found.
 */
export function restartCommand(services: readonly ServiceEnv[]): string | undefined {
  const ds = docserviceOf(services);
  if (!ds) return undefined;
  const names = [...new Set(services.filter((s) => s.manager === ds.manager).map((s) => s.service))];
  return `${ds.manager === 'systemd' ? 'systemctl' : 'supervisorctl'} restart ${names.join(' ')}`;
}

/** YunoHost: the apps whose settings.yml says they are an onlyoffice app, with their install_dir. */
async function yunohostApps(host: ReadonlyHost): Promise<{ app: string; installDir?: string; file: string }[]> {
  const out: { app: string; installDir?: string; file: string }[] = [];
  for (const app of (await host.list('/etc/yunohost/apps')) ?? []) {
    const file = `/etc/yunohost/apps/${app}/settings.yml`;
    const r = await host.read(file);
    if (!r.ok) continue;
    // settings.yml is flat `key: value` YAML written by yunohost (ynh_app_setting_set)
    const get = (k: string) => new RegExp(`^${k}:\\s*['"]?([^'"\\n]*)['"]?\\s*$`, 'm').exec(r.text)?.[1]?.trim();
    const id = get('id') ?? app;
    if (!/^onlyoffice(__\d+)?$/.test(id) && !/^onlyoffice(__\d+)?$/.test(app)) continue;
    const installDir = get('install_dir') ?? get('final_path');
    out.push({ app, file, ...(installDir ? { installDir } : {}) });
  }
  return out;
}

async function exists(host: ReadonlyHost, p: string): Promise<boolean> {
  return (await host.list(p)) !== undefined || (await host.read(p)).ok;
}

function userFrom(ds: ServiceEnv | undefined, fallback: Sourced<string>): Sourced<string> {
  if (!ds) return fallback;
  if (ds.user) return { value: ds.user, from: `${ds.manager === 'systemd' ? 'User=' : 'user='} in ${ds.file}:${ds.userLine ?? ds.line}` };
  return { value: 'root', from: `${ds.file} sets no ${ds.manager === 'systemd' ? 'User=' : 'user='}, so ${ds.manager} runs it as root` };
}

function dirFrom(opts: DetectOptions, ds: ReturnType<typeof docserviceOf>, fallback: Sourced<string>): Sourced<string> {
  if (opts.configDir) return { value: opts.configDir, from: '--config-dir' };
  const v = ds?.merged.NODE_CONFIG_DIR;
  const at = ds?.origins.NODE_CONFIG_DIR;
  if (ds && v) return { value: path.normalize(v), from: ds.configDirFrom ?? `NODE_CONFIG_DIR in ${at ? `${at.file}:${at.line}` : `${ds.file}:${ds.line}`}` };
  return fallback;
}

const DEB_USER: Sourced<string> = { value: 'ds', from: 'default' };
const DEB_DIR: Sourced<string> = { value: DEB_CONFIG_DIR, from: 'default' };

function dockerDeployment(kind: DeploymentKind, spec: ContainerSpec, opts: DetectOptions, label: string, evidence: string[], services: readonly ServiceEnv[] = []): Detected {
  const ds = docserviceOf(services);
  return {
    deployment: {
      kind,
      mechanism: 'docker',
      label,
      // the image's supervisor programs: NODE_CONFIG_DIR=/etc/COMPANY_NAME/documentserver, user=ds
      // (Docker-DocumentServer@ce582025:config/supervisor/ds/ds-docservice.conf:4-5, Dockerfile:129 COMPANY_NAME=onlyoffice)
      configDir: dirFrom(opts, ds, { value: DEB_CONFIG_DIR, from: 'the image (config/supervisor/ds/ds-docservice.conf: NODE_CONFIG_DIR=/etc/onlyoffice/documentserver)' }),
      serviceUser: ds ? userFrom(ds, DEB_USER) : { value: 'ds', from: 'the image (config/supervisor/ds/ds-docservice.conf: user=ds)' },
      container: spec,
      ...(restartCommand(services) ? { restart: restartCommand(services)! } : {}),
      evidence,
    },
    services,
  };
}

/** Detect the deployment. Throws the parse errors of --docker-inspect (InspectError) and compose (ComposeError). */
export async function detectDeployment(host: ReadonlyHost, opts: DetectOptions = {}): Promise<Detected> {
  if (opts.inspect) {
    const spec = containerFromInspect(opts.inspect.file, opts.inspect.text);
    const aio = isAioContainer(spec);
    const what = aio ? 'Nextcloud All-in-One container' : 'Docker container';
    const name = spec.containerName ? ` ${spec.containerName}` : '';
    const evidence = [`docker inspect output ${opts.inspect.file}${spec.image ? ` (image ${spec.image})` : ''}`];
    if (!isDsContainer(spec)) evidence.push(`the image is not onlyoffice/documentserver[-de|-ee]; assuming it is built from it`);
    const source = opts.inspect.file.startsWith('docker inspect ') ? opts.inspect.file : `docker inspect ${opts.inspect.file}`;
    return dockerDeployment('docker-container', spec, opts, `${what}${name} (${source})`, evidence);
  }
  if (opts.compose) {
    const { loadComposeService } = await import('./compose.js');
    const spec = await loadComposeService(host.read, opts.compose);
    return dockerDeployment('compose', spec, opts, `Docker Compose: service ${spec.compose!.service} in ${opts.compose.file}`, [`--compose ${opts.compose.file}`]);
  }

  const services = opts.services ?? (await discoverServices(host, opts.readErrors));
  const ds = docserviceOf(services);

  if ((await host.read(DOCKER_ENTRYPOINT)).ok) {
    const environ = await host.read('/proc/1/environ');
    const env = environ.ok ? envFromProcEnviron('/proc/1/environ', environ.text) : [];
    const spec: ContainerSpec = {
      env,
      mounts: [],
      ports: [],
      envAnchor: { file: '/proc/1/environ', line: 1, column: 1, how: 'the entrypoint\'s environment' },
      proxies: [],
      ...(environ.ok ? {} : { envVisible: false as const }),
      notes: environ.ok ? [] : [`the container environment is not readable here (/proc/1/environ: ${environ.message}); run as root inside the container, or audit from the Docker host with --compose or --docker-inspect`],
    };
    return dockerDeployment('docker-image', spec, opts, 'official Docker image (inside the container)', [`${DOCKER_ENTRYPOINT} exists`], services);
  }

  if (!opts.services) {
    for (const dir of opts.composeSearch ?? ['/']) {
      for (const name of COMPOSE_FILE_NAMES) {
        const file = path.join(dir, name);
        const r = await host.read(file);
        if (!r.ok) continue;
        // the compose reader (and YAML) only when there is a file to read
        const { hasDsService, loadComposeService } = await import('./compose.js');
        if (!hasDsService(file, r.text)) continue;
        const spec = await loadComposeService(host.read, { file, mergeOverride: true });
        return dockerDeployment('compose', spec, opts, `Docker Compose: service ${spec.compose!.service} in ${file}`, [`${file} (found next to the root) has a service of the ONLYOFFICE Docs image`]);
      }
    }
  }

  if (!opts.services && ((await exists(host, '/var/snap/onlyoffice-ds/current')) || (await exists(host, '/snap/onlyoffice-ds/current')))) {
    return {
      deployment: {
        kind: 'snap',
        mechanism: 'snap',
        label: 'snap onlyoffice-ds',
        // ONLYOFFICE/snap-documentserver@1b3786b config/ds-docservice.conf: NODE_CONFIG_DIR=%(ENV_SNAP_DATA)s/etc/onlyoffice/documentserver, no user=
        configDir: opts.configDir ? { value: opts.configDir, from: '--config-dir' } : { value: SNAP_CONFIG_DIR, from: 'the snap (config/ds-docservice.conf: NODE_CONFIG_DIR=$SNAP_DATA/etc/onlyoffice/documentserver)' },
        serviceUser: { value: 'root', from: 'the snap (config/ds-docservice.conf sets no user=, so its supervisord runs DocService as root)' },
        // snapd names the app's service snap.onlyoffice-ds.documentserver (ONLYOFFICE/snap-documentserver@1b3786b README)
        restart: 'snap restart onlyoffice-ds.documentserver',
        evidence: ['/var/snap/onlyoffice-ds or /snap/onlyoffice-ds exists'],
      },
      services,
    };
  }

  const evidence: string[] = [];
  if (ds) evidence.push(`${ds.service} (${ds.file}) runs DocService`);
  if (ds && (/onlyoffice-wrapper/.test(ds.exec ?? '') || (await host.read('/etc/NIXOS')).ok)) {
    return {
      deployment: {
        kind: 'nixos',
        mechanism: 'nixos',
        label: `NixOS module services.onlyoffice (${ds.service})`,
        configDir: dirFrom(opts, ds, { value: '/run/onlyoffice/config', from: 'the NixOS module (onlyoffice-wrapper … /run/onlyoffice/config)' }),
        serviceUser: userFrom(ds, { value: 'onlyoffice', from: 'the NixOS module (User = "onlyoffice")' }),
        ...(restartCommand(services) ? { restart: restartCommand(services)! } : {}),
        evidence: [...evidence, /onlyoffice-wrapper/.test(ds.exec ?? '') ? 'ExecStart runs onlyoffice-wrapper' : '/etc/NIXOS exists'],
      },
      services,
    };
  }
  const apps = await yunohostApps(host);
  if (apps.length > 0) {
    const dir = ds?.merged.NODE_CONFIG_DIR ? path.normalize(ds.merged.NODE_CONFIG_DIR) : undefined;
    const app = apps.find((a) => (a.installDir && dir === path.join(a.installDir, 'config')) || (ds && ds.service.startsWith(`${a.app}-`))) ?? (ds ? undefined : apps[0]);
    if (app) {
      const fallbackDir = app.installDir ? path.join(app.installDir, 'config') : `/var/www/${app.app}/config`;
      return {
        deployment: {
          kind: 'yunohost',
          mechanism: 'yunohost',
          label: `YunoHost app ${app.app}`,
          configDir: dirFrom(opts, ds, { value: fallbackDir, from: `install_dir in ${app.file}` }),
          serviceUser: userFrom(ds, { value: app.app, from: `the YunoHost app (User=__APP__ in conf/docservice.service)` }),
          ...(restartCommand(services) ? { restart: restartCommand(services)! } : {}),
          app: app.app,
          evidence: [...evidence, `${app.file}`],
        },
        services,
      };
    }
  }
  const dpkg = await host.read('/var/lib/dpkg/status');
  const deb = dpkg.ok && versionFromDpkgStatus(dpkg.text) !== undefined;
  const packaged = ds && (/^ds-/.test(ds.service) || /^ds:/.test(ds.service)) && /^\/(lib|usr\/lib)\/systemd\/system\/|^\/etc\/(supervisor\/conf\.d|supervisord\.d)\//.test(ds.file);
  if (deb || packaged) {
    const rpm = !deb && (/\/etc\/supervisord\.d\//.test(ds?.file ?? '') || (await host.read('/usr/bin/documentserver-configure.sh')).ok);
    return {
      deployment: {
        kind: 'package',
        mechanism: 'local-json',
        label: deb ? 'deb package (dpkg)' : rpm ? 'rpm package' : 'deb/rpm package',
        configDir: dirFrom(opts, ds, DEB_DIR),
        serviceUser: ds ? userFrom(ds, DEB_USER) : DEB_USER,
        // no restart: the package's own units (ds-docservice, ds-converter) are what fix texts name by default
        ...(deb ? { package: 'deb' as const } : rpm ? { package: 'rpm' as const } : {}),
        evidence: [...evidence, ...(deb ? ['/var/lib/dpkg/status lists onlyoffice-documentserver'] : [])],
      },
      services,
    };
  }
  if (ds) {
    return {
      deployment: {
        kind: 'service',
        mechanism: 'local-json',
        label: `${ds.manager} ${ds.manager === 'systemd' ? 'unit' : 'program'} ${ds.service}`,
        configDir: dirFrom(opts, ds, DEB_DIR),
        serviceUser: userFrom(ds, DEB_USER),
        ...(restartCommand(services) ? { restart: restartCommand(services)! } : {}),
        evidence,
      },
      services,
    };
  }
  return {
    deployment: {
      kind: 'default',
      mechanism: 'local-json',
      label: 'no service definition found (the .deb defaults apply)',
      configDir: dirFrom(opts, undefined, DEB_DIR),
      serviceUser: DEB_USER,
      evidence: [],
    },
    services,
  };
}
