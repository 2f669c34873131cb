/**
 * Environment that DS's service definitions pass to DocService: supervisor `environment=` lines and systemd
 * `Environment=` / `EnvironmentFile=` (ds-facts §1.1, §5). Only what changes how config is loaded matters. The files
 * are read as supervisord (supervisor-ini.ts) and systemd (systemd-unit.ts) read them, and every variable keeps the
 * place where it is set (file, line and column of its name), for findings about it.
 */
import type { SourceLocation } from '../types.js';
import { lineIndex } from '../text/position.js';
import { mappedAt, MappedBuilder, type Mapped } from '../text/mapped.js';
import { readSupervisorIni } from './supervisor-ini.js';
import { environmentWords, parseEnvFile, readUnitFile } from './systemd-unit.js';

/** One `EnvironmentFile=` entry of a systemd unit. */
export interface EnvFileRef {
  /** The path as written (a host path; `-` removed). */
  readonly path: string;
  /** Written with `-`: a missing file is no error. */
  readonly optional: boolean;
  readonly at: SourceLocation;
}

export interface ServiceEnv {
  /** Host path of the definition file. */
  readonly file: string;
  /** "ds:docservice", "ds-docservice.service", … */
  readonly service: string;
  readonly manager: 'supervisor' | 'systemd';
  readonly env: Readonly<Record<string, string>>;
  /** Where each variable of `env` is set: the file, line and column of its name (the last setting, as for the value). */
  readonly origins: Readonly<Record<string, SourceLocation>>;
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
  /** systemd: an empty `Environment=` here drops what earlier files of the unit set (the unit before its drop-ins). */
  readonly envReset?: true;
  /** systemd: the `EnvironmentFile=` entries of this file, in order. */
  readonly envFiles?: readonly EnvFileRef[];
  /** systemd: an empty `EnvironmentFile=` here drops the earlier files' entries. */
  readonly envFilesReset?: true;
  /** systemd: the variables of `envFiles`, read by the caller (deploy/detect.ts); they override `env`. */
  readonly fileEnv?: { readonly env: Readonly<Record<string, string>>; readonly origins: Readonly<Record<string, SourceLocation>> };
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
 * Each token comes with the index of its first character.
 */
function shlexTokens(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
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
      out.push({ text: text.slice(i, stop), start: i });
      i = stop;
    } else if (SHLEX_WORDCHARS.test(c)) {
      let j = i;
      while (j < text.length && (SHLEX_WORDCHARS.test(text[j]!) || text[j] === '"' || text[j] === "'")) j++;
      out.push({ text: text.slice(i, j), start: i });
      i = j;
    } else {
      out.push({ text: c, start: i });
      i++;
    }
  }
  return out;
}

/**
 * A record for names read from a file: no prototype, so a name such as "__proto__" or "constructor" is an ordinary
 * key and never reaches Object.prototype or an inherited method.
 */
function envRecord<T = string>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * supervisor `environment=KEY="val",KEY2=val2`, parsed as supervisord parses it (dict_of_key_value_pairs, see
 * shlexTokens): tokens taken as KEY = VALUE triples separated by one token (the comma); each value has every
 * leading and trailing quote character stripped. `%%` is supervisor's escaped `%` (config interpolation).
 * Stops at the first malformed triple (supervisord refuses to start on one). `keyAt`: each key's offset in the file.
 */
function supervisorEnvOf(value: Mapped): { env: Record<string, string>; keyAt: Record<string, number> } {
  const expanded = new MappedBuilder();
  for (let i = 0; i < value.text.length; i++) {
    expanded.push(value.text[i]!, value.at[i]!);
    if (value.text[i] === '%' && value.text[i + 1] === '%') i++;
  }
  const v = expanded.build();
  const tokens = shlexTokens(v.text);
  const env = envRecord();
  const keyAt = envRecord<number>();
  for (let i = 0; i < tokens.length; i += 4) {
    const [k, eq, val] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (k === undefined || eq?.text !== '=' || val === undefined) break;
    env[k.text] = val.text.replace(/^['"]+|['"]+$/g, '');
    keyAt[k.text] = v.at[k.start]!;
  }
  return { env, keyAt };
}

/** supervisor's `environment=` value (one line, as in a file) → the variables, as supervisord reads them. */
export function parseSupervisorEnv(value: string): Record<string, string> {
  return supervisorEnvOf(mappedAt(value, 0)).env;
}

/** systemd: Environment=A=1 "B=two words" 'C=x' (see systemd-unit.ts environmentWords) → the variables, later wins. */
export function parseSystemdEnv(value: string): Record<string, string> {
  const out = envRecord();
  for (const w of environmentWords(mappedAt(value, 0))) {
    const eq = w.text.indexOf('=');
    if (eq > 0) out[w.text.slice(0, eq)] = w.text.slice(eq + 1);
  }
  return out;
}

/**
 * Program name → the group whose `programs=` lists it, from every given configuration text: supervisord merges the
 * sections of the main file and all its includes, so a [group:ds] in ds.conf names the programs of ds-docservice.conf
 * (the official image: Docker-DocumentServer@ce582025 config/supervisor/ds.conf, `[group:ds] programs=docservice,…`).
 * Sections are read as supervisord's configparser reads them (supervisor-ini.ts).
 */
export function supervisorGroups(texts: readonly string[]): Map<string, string> {
  // names come from the files: a Map, never object keys
  const group = new Map<string, string>();
  for (const text of texts) {
    for (const sec of readSupervisorIni(text)) {
      if (!sec.name.startsWith('group:')) continue;
      for (const name of sec.options.get('programs')?.value.text.split(',') ?? []) group.set(name.trim(), sec.name.slice('group:'.length));
    }
  }
  return group;
}

/**
 * The DS programs (DocService/FileConverter, by name or command) of one supervisor configuration file, with their
 * environment and user, named group:program when a [group:x] lists them — in this file or, with `groups`
 * (supervisorGroups of every file supervisord reads), in another.
 */
export function supervisorEnvs(file: string, text: string, groups?: ReadonlyMap<string, string>): ServiceEnv[] {
  const out: ServiceEnv[] = [];
  const pos = lineIndex(text);
  const sections = readSupervisorIni(text);
  const group = new Map([...(groups ?? []), ...supervisorGroups([text])]);
  for (const sec of sections) {
    if (!sec.name.startsWith('program:')) continue;
    const program = sec.name.slice('program:'.length);
    const g = group.get(program);
    const name = g ? `${g}:${program}` : program;
    const command = sec.options.get('command')?.value.text;
    if (!readsDsConfig(name) && !runsDs(command)) continue;
    const environment = sec.options.get('environment');
    const user = sec.options.get('user');
    const parsed = environment ? supervisorEnvOf(environment.value) : { env: envRecord(), keyAt: envRecord<number>() };
    const origins = envRecord<SourceLocation>();
    for (const [k, at] of Object.entries(parsed.keyAt)) origins[k] = { file, ...pos(at) };
    out.push({
      file,
      service: name,
      manager: 'supervisor',
      env: parsed.env,
      origins,
      line: environment?.line ?? sec.line,
      ...(user && user.value.text ? { user: user.value.text, userLine: user.line } : {}),
      ...(command ? { exec: command } : {}),
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

/**
 * One systemd unit file (or drop-in): its `[Service]` Environment= (merged, later wins; an empty one resets),
 * EnvironmentFile= entries, User= and ExecStart=, when it runs DS.
 */
export function systemdEnvs(file: string, text: string, unit: string): ServiceEnv[] {
  const pos = lineIndex(text);
  let merged = envRecord();
  let origins = envRecord<SourceLocation>();
  let line = 0;
  let user: string | undefined;
  let userLine: number | undefined;
  let exec: string | undefined;
  let envReset = false;
  let envFiles: EnvFileRef[] = [];
  let envFilesReset = false;
  for (const e of readUnitFile(text)) {
    if (e.section !== 'Service') continue;
    const v = e.value.text;
    if (e.key === 'Environment') {
      line = e.line;
      if (v === '') {
        [merged, origins, envReset] = [envRecord(), envRecord<SourceLocation>(), true];
        continue;
      }
      for (const w of environmentWords(e.value)) {
        const eq = w.text.indexOf('=');
        if (eq <= 0) continue; // not an assignment: systemd ignores it
        const name = w.text.slice(0, eq);
        merged[name] = w.text.slice(eq + 1);
        origins[name] = { file, ...pos(w.at[0]!) };
      }
    } else if (e.key === 'EnvironmentFile') {
      if (v === '') {
        [envFiles, envFilesReset] = [[], true];
        continue;
      }
      const optional = v.startsWith('-');
      const p = (optional ? v.slice(1) : v).replace(/%%/g, '%');
      if (p.startsWith('/')) envFiles.push({ path: p, optional, at: { file, ...pos(e.value.at[optional ? 1 : 0]!) } });
    } else if (e.key === 'User' && /^\S*$/.test(v)) [user, userLine] = [v, e.line];
    else if (e.key === 'ExecStart') exec = v || undefined;
  }
  if (!readsDsConfig(unit) && !runsDs(exec)) {
    // a drop-in of a DS unit carries only what it changes; keep it when the caller knows the unit is DS's
    if (!/\.d\/[^/]+\.conf$/.test(file)) return [];
  }
  if (line === 0 && !user && !exec && envFiles.length === 0 && !envFilesReset) return [];
  const wrapped = wrapperEnv(exec);
  const env = wrapped ? Object.assign(envRecord(), wrapped, merged) : merged;
  return [
    {
      file,
      service: unit,
      manager: 'systemd',
      env,
      origins,
      line: line || userLine || 1,
      ...(user !== undefined ? { user, userLine: userLine! } : {}),
      ...(exec ? { exec } : {}),
      ...(wrapped && merged.NODE_CONFIG_DIR === undefined ? { configDirFrom: `the 2nd argument of onlyoffice-wrapper in ExecStart= of ${file}` } : {}),
      ...(envReset ? { envReset: true as const } : {}),
      ...(envFiles.length ? { envFiles } : {}),
      ...(envFilesReset ? { envFilesReset: true as const } : {}),
    },
  ];
}

/** The variables of an EnvironmentFile= file (`file`: its host path, for the origins); later assignments win. */
export function envFileVars(file: string, text: string): NonNullable<ServiceEnv['fileEnv']> {
  const pos = lineIndex(text);
  const env = envRecord();
  const origins = envRecord<SourceLocation>();
  for (const a of parseEnvFile(text)) {
    env[a.key] = a.value;
    origins[a.key] = { file, ...pos(a.keyAt) };
  }
  return { env, origins };
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
