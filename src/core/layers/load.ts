/**
 * discover → load: find every layer DS would load (ds-facts §1.1) and parse each one as this DS version does.
 * File access comes through the ReadonlyHost port, so this module stays free of I/O of its own.
 */
import { posix as path } from 'node:path';
import type { DsVersionInfo, FileStat, Layer, LayerFormat, LayerKind, ParserFamily } from '../types.js';
import { parseAsDs, stripBom, type StrictParsed } from '../parse/ds-parse.js';
import { DS_LOADER_DEPTH_LIMIT, MAX_EVAL_DEPTH, valueDepth } from '../parse/depth.js';
import { buildTree, lazyTree, type JsonNode } from '../parse/tree.js';
import { offsetToPosition } from '../text/position.js';
import { getPath, isPlainObject, mergeLayers } from './merge.js';
import type { EffectiveConfig, DuplicateKey } from '../types.js';
import { supervisorEnvs, supervisorGroups, type ServiceEnv } from '../ds/service-defs.js';
import { detectDeployment, type Detected, type DetectOptions } from '../deploy/detect.js';
import { containerView } from '../deploy/container-view.js';
import { containerEnvLayer, imageStockLayer } from '../deploy/env-layer.js';
import type { Deployment } from '../deploy/types.js';
import { configCopies, type ConfigCopy } from './copies.js';
import { docserviceOf } from '../deploy/detect.js';
import {
  UNKNOWN_VERSION,
  certainlyAtLeast,
  exactVersion,
  fingerprintDefault,
  parseVersion,
  V,
  versionFromDpkgStatus,
} from '../ds/versions.js';

export type ReadResult =
  | { readonly ok: true; readonly text: string; readonly stat: FileStat }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly stat?: FileStat;
      /** ENOENT because the name is a symbolic link to a path that does not exist: that path (a host path). */
      readonly linkTarget?: string;
    };

export interface ReadOptions {
  /** Refuse (code EFBIG) a file larger than this; the adapter's default is a few MiB. */
  readonly maxBytes?: number;
}

/**
 * Read-only view of the DS host's file system (paths are host paths; --root is applied by the adapter).
 * The adapter reads only regular files of bounded size: a FIFO, device or socket gives code ENOTREG, a directory
 * EISDIR, a file over the size cap EFBIG — each with a message naming the file and what to do.
 */
export interface ReadonlyHost {
  read(hostPath: string, opts?: ReadOptions): Promise<ReadResult>;
  /** Names in a directory, or undefined when it does not exist. */
  list(hostDir: string): Promise<string[] | undefined>;
  /** The machine's host name (node-config uses $HOST, $HOSTNAME or os.hostname()). */
  hostname(): Promise<string | undefined>;
}

/** "<file> is a symbolic link to <target>, which does not exist": the one wording of that fact (check, apply). */
export function danglingLinkText(file: string, target: string): string {
  return `${file} is a symbolic link to ${target}, which does not exist`;
}

export const DEFAULT_CONFIG_DIR = '/etc/onlyoffice/documentserver';
/** dpkg's status database lists every installed package: several MiB on a busy server. */
const DPKG_STATUS_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_RUNTIME_JSON = '/var/www/onlyoffice/Data/runtime.json';

const EXT_CONFIG3 = ['js', 'cjs', 'ts', 'json', 'json5', 'hjson', 'toml', 'coffee', 'iced', 'yaml', 'yml', 'cson', 'properties', 'xml'];
const EXT_CONFIG2 = EXT_CONFIG3.filter((e) => e !== 'cjs');

function formatOf(ext: string): LayerFormat {
  if (ext === 'json') return 'json';
  if (ext === 'json5') return 'json5';
  if (ext === 'js' || ext === 'cjs' || ext === 'ts') return 'js';
  return 'other';
}

export interface Candidate {
  readonly name: string;
  readonly kind: LayerKind;
  readonly format: LayerFormat;
}

/** node-config's file order for this directory listing (node-config lib/config.js, v2.0.1 and v3.3.12). */
export function nodeConfigFiles(
  entries: readonly string[],
  opts: { nodeEnv: readonly string[]; hostname?: string; appInstance?: string; family: ParserFamily },
): Candidate[] {
  const bases: { name: string; kind: LayerKind }[] = [{ name: 'default', kind: 'default' }];
  for (const env of opts.nodeEnv) bases.push({ name: env, kind: 'env' });
  if (opts.hostname) {
    const short = opts.hostname.split('.')[0]!;
    for (const env of opts.nodeEnv) {
      bases.push({ name: short, kind: 'hostname' }, { name: `${short}-${env}`, kind: 'hostname' });
      if (opts.hostname !== short) {
        bases.push({ name: opts.hostname, kind: 'hostname' }, { name: `${opts.hostname}-${env}`, kind: 'hostname' });
      }
    }
  }
  for (const env of opts.nodeEnv) bases.push({ name: 'local', kind: 'local' }, { name: `local-${env}`, kind: 'local-env' });
  const present = new Set(entries);
  const exts = opts.family === 'config3' ? EXT_CONFIG3 : EXT_CONFIG2;
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const b of bases) {
    for (const ext of exts) {
      for (const name of [`${b.name}.${ext}`, ...(opts.appInstance ? [`${b.name}-${opts.appInstance}.${ext}`] : [])]) {
        if (present.has(name) && !seen.has(name)) {
          seen.add(name);
          out.push({ name, kind: b.kind, format: formatOf(ext) });
        }
      }
    }
  }
  return out;
}

function duplicatesOf(file: string, text: string, dups: ReturnType<typeof buildTree>['duplicates']): DuplicateKey[] {
  return dups.map((d) => {
    const a = offsetToPosition(text, d.firstOffset);
    const b = offsetToPosition(text, d.lastOffset);
    return { path: d.path, first: { file, line: a.line, column: a.column }, last: { file, line: b.line, column: b.column } };
  });
}

/** Parse one file's text into a Layer, as `family` would. `known`: JSON.parse's value for the text, when already parsed. */
export function layerFromText(
  file: string,
  kind: LayerKind,
  format: LayerFormat,
  raw: string,
  family: ParserFamily,
  stat?: FileStat,
  atStartup = true,
  known?: StrictParsed,
): Layer {
  if (format === 'js' || format === 'other') {
    return {
      kind,
      file,
      format,
      status: 'opaque',
      text: raw,
      duplicates: [],
      notes: [
        format === 'js'
          ? 'DS executes this file as code; ds-harden cannot tell what it sets'
          : 'DS may load this file with another parser; ds-harden cannot evaluate it',
      ],
      ...(stat ? { stat } : {}),
      atStartup,
    };
  }
  const parsed = parseAsDs(raw, family, format === 'json5' ? 'json5' : 'json', known);
  if (parsed.status === 'too-deep') {
    return { kind, file, format, status: 'opaque', text: parsed.text, duplicates: [], notes: parsed.notes, ...(stat ? { stat } : {}), atStartup };
  }
  const loaded = parsed.status === 'loaded';
  // Shipped layers (default.json, production-linux.json) get their position tree only when a finding needs a
  // location, and then, as they are strict JSON, only as far as the finding's key (lazyTree); user layers need the
  // whole tree at once, for duplicate keys.
  const shipped = kind === 'default' || kind === 'env';
  let tree = loaded && !shipped ? buildTree(parsed.text) : undefined;
  let lazyRoot: JsonNode | null | undefined; // null: too deep for a tree
  const notes = [...parsed.notes];
  let status = parsed.status as Layer['status'];
  if (loaded && !isPlainObject(parsed.value)) {
    status = 'skipped';
    notes.push(`top-level value is ${parsed.value === null ? 'null' : Array.isArray(parsed.value) ? 'an array' : typeof parsed.value}: DS ignores the whole file`);
  }
  const text = parsed.text;
  return {
    kind,
    file,
    format,
    status,
    text,
    ...(parsed.hadBom ? { bom: true } : {}),
    ...(parsed.strictJson ? { strictJson: true as const } : {}),
    ...(parsed.value !== undefined ? { value: parsed.value } : {}),
    get tree() {
      if (!loaded) return undefined;
      if (!tree) {
        if (parsed.strictJson) lazyRoot ??= lazyTree(text, true) ?? null;
        if (lazyRoot) return lazyRoot;
        tree = buildTree(text);
      }
      return tree.root;
    },
    ...(parsed.error ? { error: parsed.error } : {}),
    duplicates: tree ? duplicatesOf(file, text, tree.duplicates) : [],
    notes,
    ...(stat ? { stat } : {}),
    atStartup,
  };
}

export interface LoadOptions {
  readonly configDir?: string;
  /** --ds-version */
  readonly dsVersion?: string;
  /** An already detected version (re-loading a candidate must parse exactly as the first load did). */
  readonly version?: DsVersionInfo;
  /** --hostname: override node-config's host name. */
  readonly hostname?: string;
  /**
   * Service definitions read from the supervisor configuration the tool talks to (--supervisor-conf and its
   * [include] files), in place of the ones found in the standard directories. Paths in their environment are
   * paths on this machine; `toHostPath` maps them below --root.
   */
  readonly serviceDefinitions?: { readonly files: readonly { readonly file: string; readonly text: string }[]; readonly toHostPath: (p: string) => string };
  /** --compose / --docker-inspect and where to look for a compose file (deploy/detect.ts). */
  readonly deployment?: Pick<DetectOptions, 'compose' | 'inspect' | 'composeSearch'>;
  /** An already detected deployment (re-loading a candidate must see the same install). */
  readonly detected?: Detected;
}

/** The options that must be the same when a candidate is re-loaded (validation). */
export type ReloadOptions = Pick<LoadOptions, 'hostname' | 'serviceDefinitions' | 'detected'>;

/** A file that decides how DS loads its configuration but could not be read (e.g. a service definition that is a FIFO). */
export interface ReadError {
  readonly file: string;
  readonly code: string;
  readonly message: string;
}

export interface LoadedConfig {
  readonly configDir: string;
  readonly version: DsVersionInfo;
  readonly layers: readonly Layer[];
  readonly effective: EffectiveConfig;
  readonly services: readonly ServiceEnv[];
  /** Other files in the config dir DS reads in other ways (custom-environment-variables.*). */
  readonly extraFiles: readonly string[];
  /** What a re-load of a candidate must pass again to see the same layers. */
  readonly loadOptions: ReloadOptions;
  /** Backups and other copies of configuration files in the config dir, which DS does not read (copies.ts). */
  readonly copies: readonly (ConfigCopy & { readonly file: string })[];
  /** Service definitions that exist but could not be read (not a regular file, too large, no permission). */
  readonly readErrors: readonly ReadError[];
  /** How DS is deployed: where its settings really live and who runs it (deploy/detect.ts). */
  readonly deployment: Deployment;
}

export { discoverServices } from '../deploy/detect.js';

/** `parsed` receives default.json's text and value when the fingerprint parsed it (the layer then reuses the value). */
async function detectVersion(read: (p: string, o?: ReadOptions) => Promise<ReadResult>, configDir: string, flag?: string, parsed?: Map<string, StrictParsed>): Promise<DsVersionInfo> {
  if (flag) {
    const v = parseVersion(flag);
    if (v) return exactVersion(v, 'flag', '--ds-version');
  }
  const dpkg = await read('/var/lib/dpkg/status', { maxBytes: DPKG_STATUS_MAX_BYTES });
  if (dpkg.ok) {
    const v = versionFromDpkgStatus(dpkg.text);
    if (v) return exactVersion(v, 'dpkg', 'installed package');
  }
  const def = await read(`${configDir}/default.json`);
  if (def.ok) {
    try {
      const text = stripBom(def.text).text;
      const value: unknown = JSON.parse(text);
      parsed?.set(`${configDir}/default.json`, { text, value });
      const fp = fingerprintDefault(value);
      if (fp) return fp;
    } catch {
      /* an unparseable default.json is reported by the parse rule */
    }
  }
  return UNKNOWN_VERSION;
}

/** An image tag's version: exact for x.y.z, the minor line for x.y. */
function imageVersionInfo(image: string, v: import('../types.js').Version): DsVersionInfo {
  const tag = /:([^/:@]+)(@.*)?$/.exec(image)?.[1] ?? '';
  const exact = /^\d+\.\d+\.\d+/.test(tag);
  const info = exactVersion(v, 'image', `image tag ${tag}`);
  return exact ? info : { ...info, max: { ...v, patch: 999 }, exact: false, label: `${v.major}.${v.minor}.x (image tag ${tag})` };
}

/** Text markers of configuration management in a layer an administrator writes (a JSON5 comment, a _comment key). */
const MARKERS: readonly { re: RegExp; tool: string }[] = [
  { re: /ansible[ _-]managed|managed by ansible/i, tool: 'Ansible' },
  { re: /managed by puppet|puppet managed/i, tool: 'Puppet' },
  { re: /managed by chef|generated by chef/i, tool: 'Chef' },
  { re: /managed by salt|salt managed/i, tool: 'Salt' },
];

/** The configuration-management tool that owns local.json (a marker in it, or the tool's backups beside it). */
function withManagement(dep: Deployment, layers: readonly Layer[], copies: readonly (ConfigCopy & { file: string })[]): Deployment {
  if (dep.mechanism !== 'local-json') return dep;
  for (const l of layers) {
    if ((l.kind !== 'local' && l.kind !== 'local-env') || l.text === undefined) continue;
    const m = MARKERS.find((x) => x.re.test(l.text!.slice(0, 4096)));
    if (m) return { ...dep, mechanism: 'config-management', managedBy: { tool: m.tool, evidence: `"${m.re.exec(l.text)![0]}" in ${l.file}`, file: l.file }, label: `${dep.label}, managed by ${m.tool}` };
  }
  const backup = copies.find((c) => c.kind === 'ansible-backup');
  if (backup) {
    const file = backup.of ? backup.file.slice(0, backup.file.lastIndexOf('/') + 1) + backup.of : backup.file;
    return { ...dep, mechanism: 'config-management', managedBy: { tool: 'Ansible', evidence: `the Ansible backup ${backup.file}`, file }, label: `${dep.label}, managed by Ansible` };
  }
  return dep;
}

/** Merge NODE_* settings of the DocService definition (with its drop-ins). */
function configEnv(services: readonly ServiceEnv[]): { env: Record<string, string>; from?: ServiceEnv } {
  const ds = docserviceOf(services);
  return ds ? { env: ds.merged, from: ds } : { env: Object.create(null) as Record<string, string> };
}

/** Program definitions of supervisor configuration files (already read), with their paths mapped to host paths. */
function definedServices(defs: NonNullable<LoadOptions['serviceDefinitions']>): ServiceEnv[] {
  const PATHS = ['NODE_CONFIG_DIR', 'NODE_CONFIG_RUNTIME_JSON'];
  const groups = supervisorGroups(defs.files.map((f) => f.text));
  return defs.files
    .flatMap((f) => supervisorEnvs(f.file, f.text, groups))
    .map((s) => ({ ...s, env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, PATHS.includes(k) ? defs.toHostPath(v) : v])) }));
}

export async function loadConfig(outer: ReadonlyHost, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const readErrors: ReadError[] = [...(opts.detected?.readErrors ?? [])];
  const detected =
    opts.detected ??
    (await detectDeployment(outer, {
      ...(opts.configDir ? { configDir: opts.configDir } : {}),
      ...(opts.serviceDefinitions ? { services: definedServices(opts.serviceDefinitions) } : {}),
      ...opts.deployment,
      readErrors,
    }));
  const dep = detected.deployment;
  const spec = dep.container;
  // a container seen from the Docker host: only its bind mounts are visible, at their container paths
  const fromHost = spec !== undefined && dep.kind !== 'docker-image';
  const host: ReadonlyHost = fromHost ? containerView(outer, spec.mounts) : outer;
  const services = detected.services;
  const { env, from } = configEnv(services);
  const configDir = dep.configDir.value;
  // default.json is read for the fingerprint and again as a layer: read each file once
  const cache = new Map<string, Promise<ReadResult>>();
  const read = (p: string, o?: ReadOptions) => {
    let r = cache.get(p);
    if (!r) cache.set(p, (r = host.read(p, o)));
    return r;
  };
  const image = spec?.imageVersion && fromHost && !opts.dsVersion ? imageVersionInfo(spec.image!, spec.imageVersion) : undefined;
  const parsedJson = new Map<string, StrictParsed>();
  const version = opts.version ?? image ?? (await detectVersion(read, configDir, opts.dsVersion, parsedJson));
  const family = version.parser;
  const nodeEnv = (env.NODE_CONFIG_ENV ?? env.NODE_ENV ?? 'production-linux').split(',').map((s) => s.trim()).filter(Boolean);
  const hostname = opts.hostname ?? env.HOST ?? env.HOSTNAME ?? (await host.hostname());
  const entries = (await host.list(configDir)) ?? [];
  const candidates = nodeConfigFiles(entries, {
    nodeEnv,
    family,
    ...(hostname ? { hostname } : {}),
    ...(env.NODE_APP_INSTANCE ? { appInstance: env.NODE_APP_INSTANCE } : {}),
  });

  const layers: Layer[] = [];
  const readLayer = async (file: string, kind: LayerKind, format: LayerFormat, atStartup = true) => {
    const r = await read(file);
    if (r.ok) layers.push(layerFromText(file, kind, format, r.text, family, r.stat, atStartup, parsedJson.get(file)));
    else if (r.code === 'ENOENT' && r.linkTarget !== undefined && kind !== 'runtime-data') {
      // node-config reads each file it finds and skips one that gives ENOENT — a dangling link too — without a word
      // (node-config@v3.3.12:lib/config.js:824-833 parseFile: readFileSync, `if (e2.code !== 'ENOENT') throw`,
      // `return null`; 3b92726:lib/config.js:736-743 for 2.0.1: statSync fails → `return null`). So does the legacy
      // runtime.json (parseFile too). The settings meant for the file are not used: a layer DS skips, not nothing.
      layers.push({ kind, file, format, status: 'skipped', duplicates: [], notes: [danglingLinkText(file, r.linkTarget)], danglingLink: r.linkTarget, atStartup });
    } else if (r.code === 'EFBIG') {
      // DS reads it (it has no size limit); ds-harden does not, so it cannot tell what it sets
      layers.push({ kind, file, format, status: 'opaque', duplicates: [], notes: [r.message], ...(r.stat ? { stat: r.stat } : {}), atStartup });
    } else if (r.code !== 'ENOENT') {
      layers.push({
        kind,
        file,
        format,
        status: 'unreadable',
        duplicates: [],
        notes: [r.message],
        ...(r.stat ? { stat: r.stat } : {}),
        error: {
          message: r.message,
          line: 1,
          column: 1,
          offset: 0,
          cause: r.code,
          hint: r.code === 'ENOTREG' || r.code === 'EISDIR' ? 'replace it with a regular file (or remove it)' : 'make the file readable',
        },
        atStartup,
      });
    }
  };
  for (const c of candidates) await readLayer(`${configDir}/${c.name}`, c.kind, c.format);
  if (fromHost) {
    // mounted files: name the host file they are read from
    for (let i = 0; i < layers.length; i++) {
      const hf = containerView(outer, spec.mounts).hostPathOf(layers[i]!.file);
      if (hf) layers[i] = { ...layers[i]!, hostFile: hf };
    }
    if (!layers.some((l) => l.kind === 'default')) layers.unshift(imageStockLayer(spec, version.source === 'unknown' ? undefined : version.min));
  }
  if (spec) {
    // the entrypoint writes into local.json at every start: its layer sits right after local.json
    const localJson = layers.find((l) => l.file === `${configDir}/local.json` && l.status === 'loaded');
    // a single-file mount of local.json makes every entrypoint write fail with EBUSY (deploy-modes §2.5, §2.6)
    const localMounted = spec.mounts.some((m) => m.target === `${configDir}/local.json`);
    if (!localMounted && spec.envVisible !== false) {
      const { layer } = containerEnvLayer(spec, version.source === 'unknown' ? undefined : version.min, localJson ? (k) => getPath(localJson.value, k) : undefined);
      if (layer) {
        const idx = localJson ? layers.indexOf(localJson) + 1 : layers.findIndex((l) => l.kind === 'local' || l.kind === 'local-env');
        layers.splice(idx < 0 ? layers.length : idx, 0, layer);
      }
    }
  }

  if (env.NODE_CONFIG && from) {
    // node-config: JSON.parse($NODE_CONFIG); malformed JSON is logged and ignored, not fatal.
    let value: unknown;
    let ok = true;
    try {
      value = JSON.parse(env.NODE_CONFIG);
    } catch {
      ok = false;
    }
    const depth = ok ? valueDepth(value, DS_LOADER_DEPTH_LIMIT) : 0;
    // located where the variable is set: the unit or drop-in, its EnvironmentFile, the supervisor program
    const at = from.origins.NODE_CONFIG;
    const origin = at ? { ...at, label: 'NODE_CONFIG' } : undefined;
    const file = `NODE_CONFIG in ${at?.file ?? from.file}`;
    if (depth > MAX_EVAL_DEPTH) {
      // the same judgement as for a file (ds-parse.ts): DS fails from about DS_LOADER_DEPTH_LIMIT levels on
      layers.push({
        kind: 'node-config-env',
        file,
        format: 'json',
        status: 'opaque',
        duplicates: [],
        notes: [`nested ${depth >= DS_LOADER_DEPTH_LIMIT ? `${DS_LOADER_DEPTH_LIMIT} or more` : depth} levels deep: ds-harden evaluates at most ${MAX_EVAL_DEPTH} levels, so it cannot tell what it sets`],
        atStartup: true,
        ...(origin ? { origin } : {}),
      });
    } else {
      layers.push({
        kind: 'node-config-env',
        file,
        format: 'json',
        status: ok && isPlainObject(value) ? 'loaded' : 'skipped',
        ...(ok ? { value } : {}),
        duplicates: [],
        notes: ok ? [] : ['malformed JSON: node-config logs an error and ignores it'],
        atStartup: true,
        ...(origin ? { origin } : {}),
      });
    }
  }

  const legacyRuntime = env.NODE_CONFIG_RUNTIME_JSON ?? `${configDir}/runtime.json`;
  await readLayer(legacyRuntime, 'runtime-legacy', 'json');

  // DS 9.x runtime layer (Admin Panel): runtimeConfig.filePath from the node-config merge.
  if (version.max.major >= 9) {
    // the last node-config layer that sets runtimeConfig.filePath decides it (no full merge needed)
    const fp = [...layers].reverse().map((l) => (l.status === 'loaded' ? getPath(l.value, 'runtimeConfig.filePath') : undefined)).find((v) => v !== undefined);
    const runtimePath = typeof fp === 'string' && fp ? path.normalize(fp) : DEFAULT_RUNTIME_JSON;
    const before = layers.length;
    // 9.1+ folds it into the start-up config; 9.0.x merges it per request only (ds-facts §1.1).
    await readLayer(runtimePath, 'runtime-data', 'json', certainlyAtLeast(version, V('9.1.0')));
    const rt = layers[before];
    if (rt && rt.status === 'parse-error') {
      // A broken runtime.json is logged and ignored by DS (ds-observed §3g): not a start-up failure.
      layers[before] = { ...rt, status: 'skipped', notes: [...rt.notes, 'DS logs "getConfigFromFile error" and ignores this file'] };
    }
  }

  const extraFiles = entries.filter((n) => /^custom-environment-variables\./.test(n)).map((n) => `${configDir}/${n}`);
  const loadedNames = new Set(candidates.map((c) => c.name));
  const copies = configCopies(entries, loadedNames).map((c) => ({ ...c, file: `${configDir}/${c.name}` }));
  const loadOptions: ReloadOptions = { ...(opts.hostname ? { hostname: opts.hostname } : {}), ...(opts.serviceDefinitions ? { serviceDefinitions: opts.serviceDefinitions } : {}), detected: { ...detected, readErrors } };
  const deployment = withManagement(dep, layers, copies);
  return { configDir, version, layers, effective: mergeLayers(layers), services, extraFiles, copies, loadOptions, deployment, readErrors };
}
