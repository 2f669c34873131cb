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
  /** 1-based line of the environment entry, for locations. */
  readonly line: number;
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

/** Every docservice/converter program in a supervisor conf, with its environment. */
export function supervisorEnvs(file: string, text: string): ServiceEnv[] {
  const out: ServiceEnv[] = [];
  let program: string | undefined;
  // program name → the group that lists it (names come from the file: a Map, never object keys)
  const group = new Map<string, string>();
  let currentGroup: string | undefined;
  const lines = text.split(/\r?\n/);
  // programs are reported as group:program when a [group:x] lists them
  for (const l of lines) {
    const g = /^\s*\[group:([^\]]+)\]/.exec(l);
    if (g) currentGroup = g[1]!;
    const p = /^\s*programs\s*=\s*(.+)$/.exec(l);
    if (p && currentGroup) for (const name of p[1]!.split(',')) group.set(name.trim(), currentGroup);
  }
  lines.forEach((l, i) => {
    const sec = /^\s*\[(\w+):([^\]]+)\]/.exec(l);
    if (sec) program = sec[1] === 'program' ? sec[2] : undefined;
    const env = /^\s*environment\s*=\s*(.+)$/.exec(l);
    if (program && env) {
      const g = group.get(program);
      const name = g ? `${g}:${program}` : program;
      out.push({ file, service: name, manager: 'supervisor', env: parseSupervisorEnv(env[1]!), line: i + 1 });
    }
  });
  return out;
}

export function systemdEnvs(file: string, text: string, unit: string): ServiceEnv[] {
  const out: ServiceEnv[] = [];
  let merged = envRecord();
  let line = 0;
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /^\s*Environment\s*=\s*(.*)$/.exec(l);
    if (m) {
      merged = Object.assign(envRecord(), merged, parseSystemdEnv(m[1]!));
      line = i + 1;
    }
  });
  if (line > 0) out.push({ file, service: unit, manager: 'systemd', env: merged, line });
  return out;
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
