/**
 * Environment that DS's service definitions pass to DocService: supervisor `environment=` lines and
 * systemd `Environment=` lines (ds-facts §1.1, §5). Only what changes how config is loaded matters.
 */

export interface ServiceEnv {
  /** Host path of the definition file. */
  readonly file: string;
  /** "ds:docservice", "ds-docservice.service", … */
  readonly service: string;
  readonly manager: 'supervisor' | 'systemd';
  readonly env: Readonly<Record<string, string>>;
  /** 1-based line of the environment entry (else of the section), for locations. */
  readonly line: number;
  /** The account it runs as: supervisor `user=`, systemd `User=` (absent: root for both). */
  readonly user?: string;
  /** Line of the user setting. */
  readonly userLine?: number;
  /** The command it runs: supervisor `command=`, systemd `ExecStart=` (prefixes such as `-`/`@` removed). */
  readonly exec?: string;
  /** Where NODE_CONFIG_DIR came from when the definition does not set it itself (the NixOS wrapper's 2nd argument). */
  readonly configDirFrom?: string;
}

export const CONFIG_ENV_KEYS = [
  'NODE_ENV',
  'NODE_CONFIG_ENV',
  'NODE_CONFIG_DIR',
  'NODE_CONFIG',
  'NODE_CONFIG_RUNTIME_JSON',
  'NODE_APP_INSTANCE',
  'HOST',
  'HOSTNAME',
] as const;

const SHLEX_WORDCHARS = /[A-Za-z0-9_/.+\-():]/;

/**
 * Tokens of Python's `shlex.shlex(text)` in its default, non-POSIX mode with supervisor's extra word characters
 * `/.+-():` (Supervisor/supervisor supervisor/datatypes.py dict_of_key_value_pairs; Python Lib/shlex.py
 * read_token): words of word characters (a quote inside a word is kept as part of it), quoted strings kept with
 * their quotes (no escapes), `#` starts a comment to the end of the line, any other character is a token by itself.
 */
function shlexTokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out.push(text.slice(i, stop));
      i = stop;
    } else if (SHLEX_WORDCHARS.test(c)) {
      let j = i;
      while (j < text.length && (SHLEX_WORDCHARS.test(text[j]!) || text[j] === '"' || text[j] === "'")) j++;
      out.push(text.slice(i, j));
      i = j;
    } else {
      out.push(c);
      i++;
    }
  }
  return out;
}

/**
 * A record for names read from a file: no prototype, so a name such as "__proto__" or "constructor" is an ordinary
 * key and never reaches Object.prototype or an inherited method.
 */
function envRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/**
 * supervisor `environment=KEY="val",KEY2=val2`, parsed as supervisord parses it (dict_of_key_value_pairs, see
 * shlexTokens): tokens taken as KEY = VALUE triples separated by one token (the comma); each value has every
 * leading and trailing quote character stripped. `%%` is supervisor's escaped `%` (config interpolation).
 * Returns the pairs read before the first malformed triple (supervisord refuses to start on one).
 */
export function parseSupervisorEnv(value: string): Record<string, string> {
  const tokens = shlexTokens(value.replace(/%%/g, '%'));
  const out = envRecord();
  for (let i = 0; i < tokens.length; i += 4) {
    const [k, eq, v] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (k === undefined || eq !== '=' || v === undefined) break;
    out[k] = v.replace(/^['"]+|['"]+$/g, '');
  }
  return out;
}

/** systemd: Environment=A=1 "B=two words" 'C=x' */
export function parseSystemdEnv(value: string): Record<string, string> {
  const out = envRecord();
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of value.matchAll(re)) {
    const item = m[1] ?? m[2] ?? m[3] ?? '';
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Every DocService/FileConverter program in a supervisor conf (by name or command), with its environment and user. */
/**
 * Program name → the group whose `programs=` lists it, from every given configuration text: supervisord merges the
 * sections of the main file and all its includes, so a [group:ds] in ds.conf names the programs of ds-docservice.conf
 * (the official image: Docker-DocumentServer@ce582025 config/supervisor/ds.conf, `[group:ds] programs=docservice,…`).
 */
export function supervisorGroups(texts: readonly string[]): Map<string, string> {
  // names come from the files: a Map, never object keys
  const group = new Map<string, string>();
  for (const text of texts) {
    let currentGroup: string | undefined;
    for (const l of text.split(/\r?\n/)) {
      if (/^\s*\[/.test(l)) currentGroup = /^\s*\[group:([^\]]+)\]/.exec(l)?.[1];
      const p = /^\s*programs\s*=\s*(.+)$/.exec(l);
      if (p && currentGroup) for (const name of p[1]!.split(',')) group.set(name.trim(), currentGroup);
    }
  }
  return group;
}

/**
 * The DS programs of one supervisor configuration file, named group:program when a [group:x] lists them — in this file
 * or, with `groups` (supervisorGroups of every file supervisord reads), in another.
 */
export function supervisorEnvs(file: string, text: string, groups?: ReadonlyMap<string, string>): ServiceEnv[] {
  const out: ServiceEnv[] = [];
  const group = new Map([...(groups ?? []), ...supervisorGroups([text])]);
  const lines = text.split(/\r?\n/);
  interface Section { name: string; line: number; env?: string; envLine?: number; user?: string; userLine?: number; command?: string }
  const sections: Section[] = [];
  let cur: Section | undefined;
  lines.forEach((l, i) => {
    const sec = /^\s*\[(\w+):([^\]]+)\]/.exec(l);
    if (sec || /^\s*\[/.test(l)) cur = sec && sec[1] === 'program' ? { name: sec[2]!, line: i + 1 } : undefined;
    if (cur && sec) sections.push(cur);
    if (!cur) return;
    const kv = /^\s*(environment|user|command)\s*=\s*(.*?)\s*$/.exec(l);
    if (!kv) return;
    if (kv[1] === 'environment') [cur.env, cur.envLine] = [kv[2]!, i + 1];
    else if (kv[1] === 'user') [cur.user, cur.userLine] = [kv[2]!, i + 1];
    else cur.command = kv[2]!;
  });
  for (const sec of sections) {
    const g = group.get(sec.name);
    const name = g ? `${g}:${sec.name}` : sec.name;
    if (!readsDsConfig(name) && !runsDs(sec.command)) continue;
    out.push({
      file,
      service: name,
      manager: 'supervisor',
      env: sec.env !== undefined ? parseSupervisorEnv(sec.env) : envRecord(),
      line: sec.envLine ?? sec.line,
      ...(sec.user ? { user: sec.user, userLine: sec.userLine! } : {}),
      ...(sec.command ? { exec: sec.command } : {}),
    });
  }
  return out;
}

/** The first word of an ExecStart= line without systemd's prefixes (`-`, `@`, `:`, `+`, `!`), and the rest. */
function execWords(line: string): string[] {
  return line.replace(/^[-@:+!]+/, '').match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
}

/**
 * The NixOS module's wrapper: `…/bin/onlyoffice-wrapper DocService/docservice /run/onlyoffice/config` exports
 * NODE_CONFIG_DIR=$2 and NODE_ENV=production-linux before it runs $1 (NixOS/nixpkgs@57889ff0
 * pkgs/by-name/on/onlyoffice-documentserver/package.nix, `runScript`: "export NODE_CONFIG_DIR=$2"; module
 * nixos/modules/services/web-apps/onlyoffice.nix, `ExecStart = "${cfg.package.fhs}/bin/onlyoffice-wrapper DocService/docservice /run/onlyoffice/config"`).
 */
export function wrapperEnv(exec: string | undefined): Record<string, string> | undefined {
  const w = exec ? execWords(exec) : [];
  if (w.length >= 3 && /(^|\/)onlyoffice-wrapper$/.test(w[0]!)) return { NODE_CONFIG_DIR: w[2]!, NODE_ENV: 'production-linux' };
  return undefined;
}

/** One systemd unit file (or drop-in): its Environment= lines merged, User= and ExecStart=, when it runs DS. */
export function systemdEnvs(file: string, text: string, unit: string): ServiceEnv[] {
  let merged = envRecord();
  let line = 0;
  let user: string | undefined;
  let userLine: number | undefined;
  let exec: string | undefined;
  let section = '';
  text.split(/\r?\n/).forEach((l, i) => {
    const sec = /^\s*\[([^\]]+)\]/.exec(l);
    if (sec) section = sec[1]!;
    if (section !== 'Service') return;
    const m = /^\s*Environment\s*=\s*(.*)$/.exec(l);
    if (m) {
      merged = Object.assign(envRecord(), merged, parseSystemdEnv(m[1]!));
      line = i + 1;
    }
    const u = /^\s*User\s*=\s*(\S*)\s*$/.exec(l);
    if (u) [user, userLine] = [u[1]!, i + 1];
    const e = /^\s*ExecStart\s*=\s*(.*?)\s*$/.exec(l);
    if (e) exec = e[1] || undefined;
  });
  if (!readsDsConfig(unit) && !runsDs(exec)) {
    // a drop-in of a DS unit carries only what it changes; keep it when the caller knows the unit is DS's
    if (!/\.d\/[^/]+\.conf$/.test(file)) return [];
  }
  if (line === 0 && !user && !exec) return [];
  const wrapped = wrapperEnv(exec);
  const env = wrapped ? Object.assign(envRecord(), wrapped, merged) : merged;
  return [
    {
      file,
      service: unit,
      manager: 'systemd',
      env,
      line: line || userLine || 1,
      ...(user !== undefined ? { user, userLine: userLine! } : {}),
      ...(exec ? { exec } : {}),
      ...(wrapped && merged.NODE_CONFIG_DIR === undefined ? { configDirFrom: `the 2nd argument of onlyoffice-wrapper in ExecStart= of ${file}` } : {}),
    },
  ];
}

/** Does this command run DocService or FileConverter (a packaged binary, `node …/server.js`, the NixOS wrapper)? */
export function runsDs(exec: string | undefined): boolean {
  return exec !== undefined && /(DocService|FileConverter)\/|\/(docservice|converter)(\s|'|"|$)|onlyoffice-wrapper\s+(DocService|FileConverter)/i.test(exec);
}

/** Is this service one that loads /etc/onlyoffice/documentserver (DocService or FileConverter)? */
export function readsDsConfig(service: string): boolean {
  return /docservice|converter/i.test(service);
}

/**
 * The file patterns of a supervisord.conf's `[include] files = …` (space-separated; supervisor expands each with
 * glob relative to the including file's directory, after `%(here)s` interpolation — Supervisor/supervisor
 * supervisor/options.py ServerOptions.read_config, "include" section). Returned as absolute patterns; only the
 * main file's include section is followed, as supervisord does.
 */
export function supervisorIncludes(text: string, fileDir: string): string[] {
  const out: string[] = [];
  let inInclude = false;
  let collecting = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[;#].*$/, '');
    const sec = /^\s*\[([^\]]+)\]/.exec(line);
    if (sec) {
      inInclude = sec[1]!.trim() === 'include';
      collecting = false;
      continue;
    }
    if (!inInclude) continue;
    const m = /^\s*files\s*[=:]\s*(.*)$/.exec(line);
    let value: string | undefined;
    if (m) {
      value = m[1];
      collecting = true;
    } else if (collecting && /^\s+\S/.test(line)) value = line; // INI continuation line
    else if (/^\S/.test(line)) collecting = false;
    if (value === undefined) continue;
    for (const p of value.replace(/\s;.*$/, '').trim().split(/\s+/).filter(Boolean)) {
      const expanded = p.replace(/%\(here\)s/g, fileDir);
      out.push(expanded.startsWith('/') ? expanded : `${fileDir.replace(/\/$/, '')}/${expanded}`);
    }
  }
  return out;
}
