/** An in-memory DS host for pure tests: host paths → file text (and optional stat). */
import type { ReadonlyHost, ReadResult } from '../../src/core/layers/load.js';
import type { FileStat } from '../../src/core/types.js';

export interface MemFile {
  text: string;
  stat?: Partial<FileStat>;
  /** Simulate a read error (e.g. 'EACCES'). */
  error?: string;
  /** The name is a symbolic link to this host path, which does not exist (a read gives ENOENT and the target). */
  linkTo?: string;
}

export function memoryHost(files: Record<string, string | MemFile>, hostname?: string): ReadonlyHost {
  const norm: Record<string, MemFile> = {};
  for (const [p, f] of Object.entries(files)) norm[p] = typeof f === 'string' ? { text: f } : f;
  return {
    async read(p): Promise<ReadResult> {
      const f = norm[p];
      if (!f) return { ok: false, code: 'ENOENT', message: `${p}: no such file` };
      if (f.linkTo !== undefined) return { ok: false, code: 'ENOENT', message: `${p}: no such file`, linkTarget: f.linkTo };
      const stat: FileStat = { uid: 0, gid: 0, mode: 0o644, size: Buffer.byteLength(f.text), isSymlink: false, ...f.stat };
      if (f.error) return { ok: false, code: f.error, message: `${p}: ${f.error}`, stat };
      return { ok: true, text: f.text, stat };
    },
    async list(dir) {
      const prefix = dir.endsWith('/') ? dir : dir + '/';
      const names = Object.keys(norm)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length));
      return names.length > 0 || Object.keys(norm).some((p) => p.startsWith(prefix)) ? names : undefined;
    },
    async hostname() {
      return hostname;
    },
  };
}

export const ETC = '/etc/onlyoffice/documentserver';
