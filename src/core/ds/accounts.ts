/** /etc/passwd and /etc/group, parsed (for "can the service user read local.json?"). */

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

export function findAccount(passwd: string, group: string, name: string): Account | undefined {
  const row = passwd
    .split(/\r?\n/)
    .map((l) => l.split(':'))
    .find((f) => f[0] === name);
  if (!row || row.length < 4) return undefined;
  const uid = Number(row[2]);
  const gid = Number(row[3]);
  const groups = new Set<number>([gid]);
  for (const l of group.split(/\r?\n/)) {
    const f = l.split(':');
    if (f.length >= 4 && f[3]!.split(',').map((s) => s.trim()).includes(name)) groups.add(Number(f[2]));
  }
  return { name, uid, gid, groups: [...groups] };
}

/** Unix permission check as the kernel does it for a non-root user (no ACLs). */
export function canRead(stat: { uid: number; gid: number; mode: number }, who: Account): boolean {
  if (who.uid === 0) return true;
  if (stat.uid === who.uid) return (stat.mode & 0o400) !== 0;
  if (who.groups.includes(stat.gid)) return (stat.mode & 0o040) !== 0;
  return (stat.mode & 0o004) !== 0;
}
