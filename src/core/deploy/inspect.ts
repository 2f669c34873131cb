/**
 * A container as `docker inspect` describes it (a JSON array of one object): the environment it really got, its bind
 * mounts and published ports. Pure. Fields (deploy-modes §2.7, Docker Engine API ContainerInspect):
 * `Config.Env` is a list of "KEY=VALUE" strings split at the first "=" (image ENV included; variables never set are
 * absent), `Mounts[]` {Type, Source, Destination, RW}, `HostConfig.PortBindings` {"80/tcp": [{HostIp, HostPort}]},
 * `Config.Image`, `Config.Labels` (compose puts com.docker.compose.project.config_files and …service there).
 */
import { stripBom } from '../parse/ds-parse.js';
import { buildTree, type JsonNode } from '../parse/tree.js';
import { offsetToPosition } from '../text/position.js';
import { imageVersion, DS_IMAGE } from './image.js';
import type { BindMount, ContainerSpec, EnvOrigin, EnvVar, PublishedPort } from './types.js';

export class InspectError extends Error {
  override readonly name = 'InspectError';
}

function child(n: JsonNode | undefined, key: string | number): JsonNode | undefined {
  if (!n?.children) return undefined;
  return typeof key === 'number' ? n.children[key] : n.children.find((c) => c.key === key);
}

/** Parse `docker inspect` output (`file` names it in locations). Throws InspectError when it is not one. */
export function containerFromInspect(file: string, raw: string): ContainerSpec {
  // a file saved by a Windows editor may start with a UTF-8 byte order mark, which JSON.parse refuses
  const text = stripBom(raw).text;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InspectError(`${file}: not JSON (${(e as Error).message}); save it with: docker inspect CONTAINER > ${file}`);
  }
  const arr = Array.isArray(data) ? data : [data];
  const c = arr[0] as Record<string, any> | undefined;
  if (!c || typeof c !== 'object' || !c.Config || typeof c.Config !== 'object') {
    throw new InspectError(`${file}: not the output of docker inspect for a container (no Config)`);
  }
  if (arr.length > 1) throw new InspectError(`${file}: holds ${arr.length} containers; inspect only the DS container`);
  const tree = buildTree(text).root;
  const root = Array.isArray(data) ? child(tree, 0) : tree;
  const at = (node: JsonNode | undefined, how: string): EnvOrigin => {
    const p = offsetToPosition(text, node?.offset ?? 0);
    return { file, line: p.line, column: p.column, how };
  };
  const envNode = child(child(root, 'Config'), 'Env');
  const env: EnvVar[] = [];
  const list: unknown[] = Array.isArray(c.Config.Env) ? c.Config.Env : [];
  list.forEach((item, i) => {
    if (typeof item !== 'string') return;
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    env.push({ name, value: eq < 0 ? undefined : item.slice(eq + 1), origin: at(child(envNode, i), `Config.Env[${i}]`) });
  });
  const byName = new Map(env.map((e) => [e.name, e]));
  const mountsNode = child(root, 'Mounts');
  const mounts: BindMount[] = [];
  (Array.isArray(c.Mounts) ? c.Mounts : []).forEach((m: Record<string, unknown>, i: number) => {
    if (m?.Type !== 'bind' || typeof m.Source !== 'string' || typeof m.Destination !== 'string') return;
    mounts.push({ source: m.Source, target: m.Destination, readOnly: m.RW === false, origin: at(child(mountsNode, i), `Mounts[${i}]`) });
  });
  const ports: PublishedPort[] = [];
  const pbNode = child(child(root, 'HostConfig'), 'PortBindings');
  const pb = c.HostConfig?.PortBindings;
  if (pb && typeof pb === 'object') {
    for (const [spec, binds] of Object.entries(pb as Record<string, unknown>)) {
      const containerPort = Number(spec.split('/')[0]);
      if (!Number.isInteger(containerPort) || !Array.isArray(binds)) continue;
      binds.forEach((b: Record<string, unknown>, i: number) => {
        ports.push({ hostIp: String(b?.HostIp ?? ''), hostPort: String(b?.HostPort ?? ''), containerPort, origin: at(child(child(pbNode, spec), i), `HostConfig.PortBindings["${spec}"][${i}]`) });
      });
    }
  }
  const image = typeof c.Config.Image === 'string' ? c.Config.Image : undefined;
  const labels = (c.Config.Labels ?? {}) as Record<string, unknown>;
  const notes: string[] = [];
  const composeFiles = labels['com.docker.compose.project.config_files'];
  if (typeof composeFiles === 'string' && composeFiles) {
    notes.push(`the container was created by docker compose from ${composeFiles} (service ${String(labels['com.docker.compose.service'] ?? '?')}): pass --compose ${composeFiles.split(',')[0]} to audit and edit that file`);
  }
  const name = typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : undefined;
  void byName;
  const v = imageVersion(image);
  return {
    ...(image ? { image } : {}),
    ...(v ? { imageVersion: v } : {}),
    ...(image ? { imageOrigin: at(child(child(root, 'Config'), 'Image'), 'Config.Image') } : {}),
    env,
    mounts,
    ports,
    envAnchor: at(envNode ?? child(root, 'Config'), 'Config.Env'),
    proxies: [],
    ...(name ? { containerName: name } : {}),
    notes,
  };
}

/** Is this inspect output a container of the DS image (official or Nextcloud AIO's)? */
export function isDsContainer(spec: ContainerSpec): boolean {
  return DS_IMAGE.test(spec.image ?? '') || /nextcloud-aio-onlyoffice/.test(spec.containerName ?? '');
}

/** The environment of a process as /proc/<pid>/environ holds it (NUL-separated KEY=VALUE). */
export function envFromProcEnviron(file: string, text: string): EnvVar[] {
  return text
    .split('\0')
    .filter(Boolean)
    .map((item, i) => {
      const eq = item.indexOf('=');
      return { name: eq < 0 ? item : item.slice(0, eq), value: eq < 0 ? undefined : item.slice(eq + 1), origin: { file, line: 1, column: 1, how: `entry ${i + 1}` } };
    });
}
