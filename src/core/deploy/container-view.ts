/**
 * The DS container's files as the Docker host shows them: only what is bind-mounted is visible (the image's own
 * default.json and the container's local.json live in image layers ds-harden cannot read from the host). A
 * ReadonlyHost over container paths that reads each path from the mount that covers it. Pure.
 */
import { posix as path } from 'node:path';
import type { ReadonlyHost } from '../layers/load.js';
import type { BindMount } from './types.js';

/** The mount that covers a container path (the deepest target), and the host path it maps to. */
export function mountFor(mounts: readonly BindMount[], containerPath: string): { mount: BindMount; hostPath: string } | undefined {
  const p = path.normalize(containerPath);
  const m = [...mounts]
    .filter((x) => p === x.target || p.startsWith(x.target.replace(/\/$/, '') + '/'))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!m) return undefined;
  return { mount: m, hostPath: p === m.target ? m.source : path.join(m.source, p.slice(m.target.length)) };
}

/** A read-only host over container paths; `describe` gives the host path a container path is read from. */
export interface ContainerView extends ReadonlyHost {
  hostPathOf(containerPath: string): string | undefined;
}

export function containerView(host: ReadonlyHost, mounts: readonly BindMount[]): ContainerView {
  return {
    hostPathOf: (p) => mountFor(mounts, p)?.hostPath,
    async read(p) {
      const m = mountFor(mounts, p);
      if (!m) return { ok: false, code: 'ENOENT', message: `${p}: not visible from the Docker host (not bind-mounted)` };
      return host.read(m.hostPath);
    },
    async list(dir) {
      const d = path.normalize(dir);
      const m = mountFor(mounts, d);
      const names = new Set<string>(m ? ((await host.list(m.hostPath)) ?? []) : []);
      // file mounts directly inside the directory
      for (const x of mounts) if (path.dirname(x.target) === d) names.add(path.basename(x.target));
      return m || names.size ? [...names] : undefined;
    },
    hostname: () => Promise.resolve(undefined),
  };
}
