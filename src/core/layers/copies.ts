/**
 * Copies of configuration files lying in the configuration directory: backups made by editors, package managers,
 * Ansible and people, and configuration files DS does not load. DS never reads them, but they hold the same secrets as
 * the file they copy (JWT secret, database password), often with looser permissions. Pure: names in, names out.
 *
 * Naming conventions recognised (by the tool that makes them):
 * - dpkg / ucf: `<name>.dpkg-old`, `.dpkg-dist`, `.dpkg-new`, `.dpkg-bak`, `.ucf-old`, `.ucf-dist`, `.ucf-new` (deb-version(7),
 *   dpkg's conffile handling);
 * - rpm: `<name>.rpmsave`, `.rpmnew`, `.rpmorig` (rpm's %config handling; ds-facts §1.5 notes `.rpmsave` of default.json);
 * - Ansible `backup: yes` (copy, template, lineinfile): `<name>.<pid>.<YYYY-MM-DD@HH:MM:SS>~`; the webarch-coop role also
 *   keeps `local.json.original` (deploy-modes.md §7);
 * - vim swap files `.<name>.swp` … `.swa`, emacs auto-save `#<name>#`, editor backups `<name>~`;
 * - the `json` tool DS's scripts and the Docker entrypoint edit local.json with: a failed `-I` leaves
 *   `.<name>-json-<pid>-<ms>.tmp` (deploy-modes.md §2.5); an interrupted apply leaves `.<name>.ds-harden-<random>.tmp`
 *   (adapters/atomic-write.ts; created 0600, so only reported when someone loosened it);
 * - any other `<name>.<suffix>` (`.original`, `.orig`, `.bak`, `.old`, `.save`, a date, …) and `*.json`/`*.json5` files that
 *   node-config does not load (`local-old.json`, another host's `<hostname>.json`).
 */

export type CopyKind = 'package-manager' | 'ansible-backup' | 'editor' | 'temporary' | 'backup' | 'not-loaded';

export interface ConfigCopy {
  /** File name in the configuration directory. */
  readonly name: string;
  /** The configuration file it copies ("local.json"), when the name says so. */
  readonly of?: string;
  readonly kind: CopyKind;
  /** What made it, for messages: "an Ansible backup", "a vim swap file", … */
  readonly label: string;
}

const CONF = String.raw`(.+\.json5?)`;

const PATTERNS: readonly { re: RegExp; kind: CopyKind; label: string }[] = [
  { re: new RegExp(String.raw`^\.${CONF}\.sw[a-p]$`), kind: 'editor', label: 'a vim swap file' },
  { re: new RegExp(String.raw`^#${CONF}#$`), kind: 'editor', label: 'an emacs auto-save file' },
  { re: new RegExp(String.raw`^\.${CONF}-json-\d+-\d+\.tmp$`), kind: 'temporary', label: 'a temporary file the json tool left behind' },
  { re: new RegExp(String.raw`^\.${CONF}\.ds-harden-[^.]+\.tmp$`), kind: 'temporary', label: 'a temporary file an interrupted ds-harden apply left behind' },
  { re: new RegExp(String.raw`^${CONF}\.\d+\.\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}~$`), kind: 'ansible-backup', label: 'an Ansible backup (backup: yes)' },
  { re: new RegExp(String.raw`^${CONF}~$`), kind: 'editor', label: 'an editor backup' },
  { re: new RegExp(String.raw`^${CONF}\.(?:dpkg-(?:old|dist|new|bak|tmp)|ucf-(?:old|dist|new))$`), kind: 'package-manager', label: 'a copy dpkg keeps' },
  { re: new RegExp(String.raw`^${CONF}\.(?:rpmsave|rpmnew|rpmorig)$`), kind: 'package-manager', label: 'a copy rpm keeps' },
  { re: new RegExp(String.raw`^\.?${CONF}[._-].+$`), kind: 'backup', label: 'a backup copy' },
];

/** Upstream files installed next to default.json (ONLYOFFICE/server Common/config/*.json): public values only. */
export function isShippedName(name: string): boolean {
  return /^(default|production-[a-z]+|development-[a-z]+)\.json$/.test(name);
}

/**
 * The copies among a directory's entries. `loaded` are the names DS reads (its layers and
 * custom-environment-variables.*); they are never copies.
 */
export function configCopies(entries: readonly string[], loaded: ReadonlySet<string>): ConfigCopy[] {
  const out: ConfigCopy[] = [];
  for (const name of [...entries].sort()) {
    if (loaded.has(name)) continue;
    const hit = PATTERNS.map((p) => ({ p, m: p.re.exec(name) })).find((x) => x.m);
    if (hit) {
      out.push({ name, of: hit.m![1]!, kind: hit.p.kind, label: hit.p.label });
    } else if (/\.json5?$/.test(name) && !/^custom-environment-variables\./.test(name)) {
      out.push({ name, kind: 'not-loaded', label: isShippedName(name) ? 'an upstream file DS does not load here' : 'a configuration file DS does not load' });
    }
  }
  return out;
}
