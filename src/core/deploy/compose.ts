/**
 * A Compose service of the official DS image, read the way Docker Compose v2 (compose-go) builds its container:
 * the environment with provenance (compose file line, `env_file`/`.env` line), bind mounts, published ports, and the
 * reverse proxies beside it. Reads through an injected reader; otherwise pure. Parsing uses the `yaml` library
 * (positions from its LineCounter); environment rules are compose-go's (compose-spec/compose-go@e70e961c):
 *
 * - the whole file is interpolated with the project's `.env` (and the shell, which ds-harden cannot see) before it is
 *   decoded (interpolate.ts); `.env` lives in the project directory, the directory of the first compose file;
 * - list syntax `- KEY=value` is cut at the first `=` and keeps every other character, quotes included; a name with
 *   a trailing space is an error ("environment variable KEY  is declared with a trailing space"); `- KEY` alone takes
 *   the value from the environment (types/mapping.go:86-112);
 * - map syntax `KEY: value` gets the YAML value; non-strings are stringified, null means "from the environment"
 *   (mappingValue, :115-126);
 * - `env_file` files (a string, a list of strings, or of {path, required}) are dotenv files (dotenv.ts), relative to
 *   the project directory; `environment` wins over `env_file`, a later `env_file` over an earlier one
 *   (docs.docker.com "Environment variables precedence");
 * - the override file (compose.override.yaml … docker-compose.override.yml next to the default file) is merged when
 *   the compose file was found by its default name (cli/options.go DefaultOverrideFileNames).
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { posix as path } from 'node:path';
import { interpolate, type Lookup } from './interpolate.js';
import { parseDotenv } from './dotenv.js';
import { DS_IMAGE, PROXY_IMAGE, imageVersion } from './image.js';
import type { BindMount, ContainerSpec, EnvOrigin, EnvVar, PublishedPort } from './types.js';
import { OVERRIDE_NAMES } from './compose-names.js';

/** A compose file ds-harden cannot read: where, and what compose would say. */
export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

export interface ComposeRead {
  (hostPath: string): Promise<{ ok: true; text: string } | { ok: false; code: string; message: string }>;
}

interface Parsed {
  readonly file: string;
  readonly text: string;
  readonly doc: Document;
  readonly lc: LineCounter;
}

function parse(file: string, text: string): Parsed {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const p = lc.linePos(err.pos[0]);
    throw new ComposeError(file, p.line, p.col, `${err.message.split('\n')[0]} — fix the YAML (docker compose config shows the same error)`);
  }
  return { file, text, doc, lc };
}

function origin(p: Parsed, node: YamlNode | null | undefined, how: string): EnvOrigin {
  const off = node?.range?.[0] ?? 0;
  const pos = p.lc.linePos(off);
  return { file: p.file, line: pos.line, column: pos.col, how };
}

function resolveNode(p: Parsed, n: unknown): unknown {
  return isAlias(n) ? n.resolve(p.doc) : n;
}

/** Pairs of a block map, with `<<: *anchor` merges expanded (earlier own keys win, as YAML merge keys do). */
function pairsOf(p: Parsed, n: unknown): Pair[] {
  const m = resolveNode(p, n);
  if (!isMap(m)) return [];
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const it of m.items) {
    if (!isPair(it)) continue;
    const k = isScalar(it.key) ? it.key.value : it.key;
    if (k === '<<' || (typeof k === 'symbol')) {
      const src = resolveNode(p, it.value);
      for (const s of isSeq(src) ? src.items : [src]) merged.push(...pairsOf(p, s));
    } else own.push(it);
  }
  const names = new Set(own.map((x) => keyName(x)));
  return [...own, ...merged.filter((x) => !names.has(keyName(x)))];
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function getPair(p: Parsed, map: unknown, key: string): Pair | undefined {
  return pairsOf(p, map).find((x) => keyName(x) === key);
}

/** Compose's stringification of a scalar (fmt.Sprint): strings as they are, booleans and numbers as text. */
function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? v : String(v);
}

interface Ctx {
  readonly lookup: Lookup;
  readonly notes: string[];
  readonly dotEnvOrigin: (name: string) => EnvOrigin | undefined;
}

function interp(p: Parsed, ctx: Ctx, text: string, node: YamlNode | null | undefined): { value: string; used: EnvVar['interpolated'] } {
  const r = interpolate(text, ctx.lookup);
  if (r.error) {
    const o = origin(p, node, '');
    throw new ComposeError(p.file, o.line, o.column, r.error);
  }
  const used = r.used.map((u) => {
    const o = ctx.dotEnvOrigin(u.name);
    return { name: u.name, ...(o ? { origin: o } : {}), ...(u.unset ? { unset: true as const } : {}) };
  });
  return { value: r.value, used: used.length ? used : undefined };
}

/** The service's `environment:` entries in order (later wins). */
function environmentOf(p: Parsed, ctx: Ctx, svc: unknown): EnvVar[] {
  const envPair = getPair(p, svc, 'environment');
  if (!envPair) return [];
  const node = resolveNode(p, envPair.value);
  const out: EnvVar[] = [];
  const fromEnv = (name: string) => ctx.lookup(name);
  if (isSeq(node)) {
    for (const raw of node.items) {
      const item = resolveNode(p, raw);
      if (!isScalar(item)) continue;
      const { value: s, used } = interp(p, ctx, scalarText(item.value) ?? '', item);
      const eq = s.indexOf('=');
      const name = eq < 0 ? s : s.slice(0, eq);
      const o = origin(p, item, 'environment list item');
      if (name !== '' && /\s$/.test(name)) {
        throw new ComposeError(p.file, o.line, o.column, `environment variable ${name} is declared with a trailing space (docker compose refuses the file)`);
      }
      const value = eq < 0 ? fromEnv(name) : s.slice(eq + 1);
      out.push({ name, value, origin: o, listSyntax: true, ...(used ? { interpolated: used } : {}) });
    }
  } else if (isMap(node)) {
    for (const pair of pairsOf(p, node)) {
      const name = keyName(pair);
      const valNode = resolveNode(p, pair.value) as YamlNode | null;
      const text = isScalar(valNode) ? scalarText(valNode.value) : undefined;
      const o = origin(p, pair.key as YamlNode, 'environment map entry');
      if (text === undefined) {
        out.push({ name, value: fromEnv(name), origin: o });
        continue;
      }
      const { value, used } = interp(p, ctx, text, valNode);
      out.push({ name, value, origin: o, ...(used ? { interpolated: used } : {}) });
    }
  }
  return out;
}

/** `env_file:` paths (string, list of strings, list of {path, required}) relative to the project directory. */
function envFilesOf(p: Parsed, ctx: Ctx, svc: unknown, projectDir: string): { file: string; required: boolean; origin: EnvOrigin }[] {
  const pair = getPair(p, svc, 'env_file');
  if (!pair) return [];
  const node = resolveNode(p, pair.value);
  const items = isSeq(node) ? node.items.map((x) => resolveNode(p, x)) : [node];
  const out: { file: string; required: boolean; origin: EnvOrigin }[] = [];
  for (const it of items) {
    let rel: string | undefined;
    let required = true;
    if (isScalar(it)) rel = scalarText(it.value);
    else if (isMap(it)) {
      rel = memberText(p, it, 'path');
      const req = (getPair(p, it, 'required')?.value as { value?: unknown } | undefined)?.value;
      required = req !== false;
    }
    if (!rel) continue;
    const file = interp(p, ctx, rel, it as YamlNode).value;
    out.push({ file: path.resolve(projectDir, file), required, origin: origin(p, it as YamlNode, 'env_file entry') });
  }
  return out;
}

/** The items of a service's block list (`volumes:`, `ports:`), aliases resolved, each with where it is written. */
function seqItems(p: Parsed, svc: unknown, key: string): { it: unknown; o: EnvOrigin }[] {
  const pair = getPair(p, svc, key);
  const node = pair ? resolveNode(p, pair.value) : undefined;
  if (!isSeq(node)) return [];
  return node.items.map((raw) => {
    const it = resolveNode(p, raw);
    return { it, o: origin(p, it as YamlNode, `${key} entry`) };
  });
}

/** A scalar member of a map node, as compose stringifies it. */
function memberText(p: Parsed, map: unknown, key: string): string | undefined {
  return scalarText((getPair(p, map, key)?.value as { value?: unknown } | undefined)?.value);
}

function volumesOf(p: Parsed, ctx: Ctx, svc: unknown, projectDir: string): BindMount[] {
  const out: BindMount[] = [];
  for (const { it, o } of seqItems(p, svc, 'volumes')) {
    let source: string | undefined;
    let target: string | undefined;
    let readOnly = false;
    if (isScalar(it)) {
      const s = interp(p, ctx, scalarText(it.value) ?? '', it).value;
      const parts = s.split(':');
      if (parts.length < 2) continue; // an anonymous volume
      [source, target] = [parts[0], parts[1]];
      readOnly = (parts[2] ?? '').split(',').includes('ro');
    } else if (isMap(it)) {
      const get = (k: string) => memberText(p, it, k);
      if (get('type') !== 'bind') continue;
      source = get('source');
      target = get('target');
      readOnly = get('read_only') === 'true';
    }
    if (!source || !target) continue;
    // a named volume has no path; "~" depends on the user running compose
    if (!/^[./]/.test(source)) continue;
    out.push({ source: path.resolve(projectDir, source), target: path.normalize(target), readOnly, origin: o });
  }
  return out;
}

/** "[ip:][host:]container[/proto]", with IPv6 host addresses in brackets (compose-go uses docker/go-connections nat). */
export function parsePortSpec(spec: string): { hostIp: string; hostPort: string; containerPort: number }[] {
  const s = spec.replace(/\/(tcp|udp|sctp)$/i, '');
  let hostIp = '';
  let rest = s;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = v6[1]!;
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  let hostPort = '';
  let container: string;
  if (parts.length === 1) container = parts[0]!;
  else if (parts.length === 2) [hostPort, container] = [parts[0]!, parts[1]!];
  else {
    hostIp = hostIp || parts.slice(0, -2).join(':');
    [hostPort, container] = [parts[parts.length - 2]!, parts[parts.length - 1]!];
  }
  const [c0, c1] = container.split('-').map(Number);
  if (!Number.isInteger(c0)) return [];
  const out: { hostIp: string; hostPort: string; containerPort: number }[] = [];
  for (let c = c0!; c <= (c1 ?? c0!) && out.length < 1000; c++) out.push({ hostIp, hostPort, containerPort: c });
  return out;
}

function portsOf(p: Parsed, ctx: Ctx, svc: unknown): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const { it, o } of seqItems(p, svc, 'ports')) {
    if (isScalar(it)) {
      for (const x of parsePortSpec(interp(p, ctx, scalarText(it.value) ?? '', it).value)) out.push({ ...x, origin: o });
    } else if (isMap(it)) {
      const get = (k: string) => memberText(p, it, k);
      const target = Number(get('target'));
      if (!Number.isInteger(target)) continue;
      out.push({ hostIp: get('host_ip') ?? '', hostPort: get('published') ?? '', containerPort: target, origin: o });
    }
  }
  return out;
}

function labelsOf(p: Parsed, svc: unknown): string[] {
  const pair = getPair(p, svc, 'labels');
  const node = pair ? resolveNode(p, pair.value) : undefined;
  if (isMap(node)) return pairsOf(p, node).map((x) => `${keyName(x)}=${scalarText((x.value as { value?: unknown } | null)?.value) ?? ''}`);
  if (isSeq(node)) return node.items.map((x) => scalarText((resolveNode(p, x) as { value?: unknown }).value) ?? '');
  return [];
}

function imageOf(p: Parsed, ctx: Ctx, svc: unknown): { image?: string; node?: YamlNode } {
  const pair = getPair(p, svc, 'image');
  const node = pair ? (resolveNode(p, pair.value) as YamlNode) : undefined;
  if (!isScalar(node)) return {};
  return { image: interp(p, ctx, scalarText(node.value) ?? '', node).value, node };
}

export interface ComposeOptions {
  /** The compose file (host path) and, when it was found under its default name, whether to merge the override file. */
  readonly file: string;
  readonly mergeOverride: boolean;
  /** --compose-service */
  readonly service?: string;
}

/** Services of a parsed file whose image is the DS image. */
function dsServices(p: Parsed, ctx: Ctx): string[] {
  const services = getPair(p, p.doc.contents, 'services');
  return pairsOf(p, services?.value)
    .filter((s) => DS_IMAGE.test(imageOf(p, ctx, s.value).image ?? ''))
    .map(keyName);
}

/**
 * Is there a service of the DS image in this compose text? (For finding a compose file next to --root.) A file that
 * does not parse but names the image is reported (ComposeError): it is most likely the one the user means.
 */
export function hasDsService(file: string, text: string): boolean {
  let p: Parsed;
  try {
    p = parse(file, text);
  } catch (e) {
    if (/documentserver|aio-onlyoffice/i.test(text)) throw e;
    return false;
  }
  return dsServices(p, { lookup: () => undefined, notes: [], dotEnvOrigin: () => undefined }).length > 0;
}

/**
 * Read the DS service of a compose project. Throws ComposeError for a file compose would refuse (YAML error,
 * trailing-space name, missing required env_file, no DS service or several without --compose-service).
 */
export async function loadComposeService(read: ComposeRead, o: ComposeOptions): Promise<ContainerSpec> {
  const main = await read(o.file);
  if (!main.ok) throw new ComposeError(o.file, 1, 1, `cannot read the compose file (${main.message})`);
  const projectDir = path.dirname(o.file);
  const notes: string[] = [];
  // .env of the project directory: interpolation only (not injected into the container)
  const dotEnvFile = path.join(projectDir, '.env');
  const dotEnvRead = await read(dotEnvFile);
  const dotEnv = new Map<string, { value: string | undefined; origin: EnvOrigin }>();
  if (dotEnvRead.ok) {
    const r = parseDotenv(dotEnvRead.text);
    if (r.error) throw new ComposeError(dotEnvFile, r.error.line, r.error.column, r.error.message);
    for (const e of r.entries) dotEnv.set(e.name, { value: e.value, origin: { file: dotEnvFile, line: e.line, column: e.column, how: '.env (interpolation)' } });
  }
  const ctx: Ctx = {
    lookup: (n) => dotEnv.get(n)?.value,
    notes,
    dotEnvOrigin: (n) => dotEnv.get(n)?.origin,
  };
  const files: Parsed[] = [parse(o.file, main.text)];
  if (o.mergeOverride) {
    for (const name of OVERRIDE_NAMES) {
      const f = path.join(projectDir, name);
      const r = await read(f);
      if (r.ok) {
        files.push(parse(f, r.text));
        notes.push(`${f} is merged over ${o.file} (docker compose does so by default)`);
        break;
      }
    }
  }
  const candidates = dsServices(files[0]!, ctx);
  let service = o.service;
  if (service === undefined) {
    if (candidates.length === 0) throw new ComposeError(o.file, 1, 1, 'no service uses the ONLYOFFICE Docs image (onlyoffice/documentserver[-de|-ee], nextcloud/aio-onlyoffice); pass --compose-service NAME');
    if (candidates.length > 1) throw new ComposeError(o.file, 1, 1, `several services use the ONLYOFFICE Docs image (${candidates.join(', ')}); pass --compose-service NAME`);
    service = candidates[0]!;
  }
  const svcOf = (p: Parsed) => getPair(p, getPair(p, p.doc.contents, 'services')?.value, service!);
  if (!svcOf(files[0]!)) throw new ComposeError(o.file, 1, 1, `there is no service ${JSON.stringify(service)}`);

  const env = new Map<string, EnvVar>();
  const envFiles: string[] = [];
  const mounts = new Map<string, BindMount>();
  const ports: PublishedPort[] = [];
  let image: { image?: string; node?: YamlNode; p?: Parsed } = {};
  let anchor: EnvOrigin | undefined;
  const proxies: string[] = [];
  const fromFiles: EnvVar[] = [];
  const fromEnvironment: EnvVar[] = [];
  for (const p of files) {
    const pair = svcOf(p);
    if (!pair) continue;
    const svc = pair.value;
    const img = imageOf(p, ctx, svc);
    if (img.image) image = { ...img, p };
    anchor = origin(p, (getPair(p, svc, 'environment')?.key as YamlNode) ?? (pair.key as YamlNode), 'the service definition');
    for (const ef of envFilesOf(p, ctx, svc, projectDir)) {
      const r = await read(ef.file);
      if (!r.ok) {
        if (ef.required) throw new ComposeError(ef.origin.file, ef.origin.line, ef.origin.column, `env_file ${ef.file} cannot be read (${r.message}); docker compose refuses to start the service`);
        continue;
      }
      envFiles.push(ef.file);
      const parsed = parseDotenv(r.text, ctx.lookup);
      if (parsed.error) throw new ComposeError(ef.file, parsed.error.line, parsed.error.column, parsed.error.message);
      for (const e of parsed.entries) {
        fromFiles.push({
          name: e.name,
          value: e.value,
          origin: { file: ef.file, line: e.line, column: e.column, how: 'env_file' },
          ...(e.used.length ? { interpolated: e.used.map((u) => ({ name: u.name, ...(ctx.dotEnvOrigin(u.name) ? { origin: ctx.dotEnvOrigin(u.name)! } : {}), ...(u.unset ? { unset: true as const } : {}) })) } : {}),
        });
      }
    }
    fromEnvironment.push(...environmentOf(p, ctx, svc));
    for (const m of volumesOf(p, ctx, svc, projectDir)) mounts.set(m.target, m);
    ports.push(...portsOf(p, ctx, svc));
    if (labelsOf(p, svc).some((l) => /^traefik\.enable=true$/i.test(l) || /^caddy[.=]/.test(l))) proxies.push(`labels of service ${service}`);
    for (const other of pairsOf(p, getPair(p, p.doc.contents, 'services')?.value)) {
      if (keyName(other) === service) continue;
      const oi = imageOf(p, ctx, other.value).image ?? '';
      if (PROXY_IMAGE.test(oi) && !proxies.includes(`service ${keyName(other)} (${oi})`)) proxies.push(`service ${keyName(other)} (${oi})`);
    }
  }
  // env_file first, then environment: the later definition wins (environment beats env_file)
  for (const v of [...fromFiles, ...fromEnvironment]) env.set(v.name, v);
  if ([...env.values()].some((v) => v.interpolated?.some((u) => u.unset))) {
    notes.push('some ${VARIABLES} are not set in .env: docker compose takes them from the shell that runs it, which ds-harden cannot see here (it assumes them empty, as compose does when they are unset)');
  }
  const imgOrigin = image.node && image.p ? origin(image.p, image.node, 'image') : undefined;
  const v = imageVersion(image.image);
  return {
    ...(image.image ? { image: image.image } : {}),
    ...(v ? { imageVersion: v } : {}),
    ...(imgOrigin ? { imageOrigin: imgOrigin } : {}),
    env: [...env.values()],
    mounts: [...mounts.values()],
    ports,
    envAnchor: anchor!,
    proxies,
    compose: { files: files.map((f) => f.file), projectDir, service, envFiles, ...(dotEnvRead.ok ? { dotEnv: dotEnvFile } : {}) },
    notes,
  };
}
