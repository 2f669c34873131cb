/**
 * Host paths under `--root`: every component is resolved the way the kernel would resolve it if `root` were `/`
 * (chroot semantics). An absolute symlink target starts again at the root, `..` stops at the root, and a relative
 * target continues from the link's directory — so `<root>/etc/onlyoffice/documentserver/local.json → /etc/x.json`
 * means `<root>/etc/x.json`, never the machine's own /etc/x.json. With `root` = `/` this is plain path resolution.
 *
 * Every path the tool reads or writes below a root goes through {@link resolveInRoot}; the result is a path on this
 * machine with no symbolic link in it (up to the first component that does not exist yet), so a later open, rename
 * or journal step cannot follow a link out of the root. As a second line of defence, writes check that the real
 * path of the deepest existing directory lies inside the real root.
 *
 * Only node built-ins; no environment access.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../cli/errors.js';
import { EXIT } from '../cli/exit-codes.js';

/** Linux's limit on symbolic links followed while resolving one path (MAXSYMLINKS, fs/namei.c). */
const MAX_SYMLINK_HOPS = 40;

/** A path below --root that resolves outside it (or loops): refused, nothing read or written there. Exit 4. */
export class RootEscapeError extends UserError {
  constructor(
    readonly hostPath: string,
    readonly reason: 'escape' | 'loop',
    message: string,
  ) {
    super(message, EXIT.REFUSED);
  }
}

export interface RootedPath {
  /** The path on this machine: `root` joined with `hostPath`, every symlink resolved inside the root. */
  readonly local: string;
  /** The resolved path as a host path (`/etc/onlyoffice/real/local.json`), for messages and journals. */
  readonly hostPath: string;
  /** `hostPath`'s own last component was a symbolic link (the result is the link's target, the link stays). */
  readonly viaSymlink: boolean;
}

/** `root` + host path, without resolving anything. */
export function joinRoot(root: string, hostPath: string): string {
  const abs = path.resolve(root);
  const host = path.posix.resolve('/', hostPath);
  return abs === '/' ? host : path.join(abs, host);
}

/**
 * Resolve `hostPath` below `root` (absolute `root`; `hostPath` absolute or relative to `/`).
 *
 * - Components that exist are resolved with lstat/readlink, links re-rooted; components that do not exist yet are
 *   appended as written (`..` among them is applied lexically).
 * - Throws {@link RootEscapeError} (`loop`) after 40 links, like the kernel's ELOOP.
 * Errors other than "does not exist" / "not a directory" (e.g. EACCES on a directory) end the resolution there too:
 * the caller's open or stat then reports them with the path it tried.
 */
export function resolveInRoot(root: string, hostPath: string): RootedPath {
  const abs = path.resolve(root);
  // joinRoot(abs, '/' + segs.join('/')) without normalising again: `abs` is resolved, and the segments are plain names
  // (never '', '.', '..' or holding '/'); one lstat per component makes this the hot path of every read
  const local = (segs: readonly string[]) => (abs === '/' ? '/' : `${abs}/`) + segs.join('/');
  type Item = { seg: string; last: boolean };
  const original = hostPath.split('/').filter((s) => s !== '' && s !== '.');
  // a stack: pop() gives the next component; a link's target is pushed on top
  const pending: Item[] = original.map((seg, i) => ({ seg, last: i === original.length - 1 })).reverse();
  const done: string[] = [];
  let hops = 0;
  let viaSymlink = false;
  while (pending.length > 0) {
    const { seg, last } = pending.pop()!;
    if (seg === '.') continue;
    if (seg === '..') {
      done.pop();
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(local([...done, seg]));
    } catch {
      // not there (yet): the rest is taken as written
      done.push(seg);
      while (pending.length > 0) {
        const s = pending.pop()!.seg;
        if (s === '..') done.pop();
        else if (s !== '.') done.push(s);
      }
      break;
    }
    if (!st.isSymbolicLink()) {
      done.push(seg);
      continue;
    }
    if (last) viaSymlink = true;
    if (++hops > MAX_SYMLINK_HOPS) {
      throw new RootEscapeError(
        hostPath,
        'loop',
        `${hostPath}${abs === '/' ? '' : ` (under --root ${abs})`}: too many levels of symbolic links (more than ${MAX_SYMLINK_HOPS}); ` +
          'fix the link chain (ls -l shows where each link points)',
      );
    }
    const target = fs.readlinkSync(local([...done, seg]));
    if (target.startsWith('/')) done.length = 0;
    const parts = target.split('/').filter((s) => s !== '' && s !== '.');
    // the last component of the target inherits `last` (a link to a link to the file)
    for (let i = parts.length - 1; i >= 0; i--) pending.push({ seg: parts[i]!, last: last && i === parts.length - 1 && pending.length === 0 });
  }
  const resolvedHost = '/' + done.join('/');
  return { local: local(done), hostPath: resolvedHost, viaSymlink };
}

/** Real path of the deepest existing ancestor of `p` (p itself when it exists). */
function realAncestor(p: string): string {
  let cur = p;
  for (;;) {
    try {
      return fs.realpathSync(cur);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return cur;
      cur = up;
    }
  }
}

/**
 * {@link resolveInRoot} for a path about to be written (or created): additionally, the real path of the deepest
 * existing component must lie inside the real root. A bind mount, a link swapped in between, or a root that is
 * itself reached through links cannot make the write land elsewhere: {@link RootEscapeError} (`escape`), exit 4.
 */
export function resolveForWrite(root: string, hostPath: string): RootedPath {
  const abs = path.resolve(root);
  const r = resolveInRoot(abs, hostPath);
  if (abs === '/') return r;
  const realRoot = realAncestor(abs);
  const real = realAncestor(r.local);
  if (real !== realRoot && !real.startsWith(realRoot.endsWith('/') ? realRoot : realRoot + '/')) {
    throw new RootEscapeError(
      hostPath,
      'escape',
      `refusing to write ${hostPath}: under --root ${abs} it resolves to ${real}, which is outside the root. ` +
        'Check the symbolic links on that path (ls -l), or run without --root on the host itself',
    );
  }
  return r;
}

/**
 * A resolver for writeFileAtomic's `resolve` option: the local path `p` (below `root`) → the file to replace, with
 * symlinks followed only inside the root ({@link resolveForWrite}); RootEscapeError when `p` is not below the root or
 * resolves outside it.
 */
export function confineTo(root: string): (p: string) => string {
  return (p) => resolveForWrite(root, hostPathOf(root, p)).local;
}

/**
 * A path on this machine given for a write below `root` (e.g. by a caller that joined root and host path itself):
 * the host path it stands for, or {@link RootEscapeError} when it is not below the root at all.
 */
export function hostPathOf(root: string, localPath: string): string {
  const abs = path.resolve(root);
  const p = path.resolve(localPath);
  if (abs === '/') return p;
  if (p !== abs && !p.startsWith(abs + path.sep)) {
    throw new RootEscapeError(localPath, 'escape', `refusing to write ${localPath}: it is not below --root ${abs}`);
  }
  return '/' + path.relative(abs, p).split(path.sep).join('/');
}
