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

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/**
 * A record for names read from a file: no prototype, so a name such as "__proto__" or "constructor" is an ordinary
 * key and never reaches Object.prototype or an inherited method.
 */
function envRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** supervisor: KEY="val",KEY2=val2 (commas inside quotes are kept). */
export function parseSupervisorEnv(value: string): Record<string, string> {
  const out = envRecord();
  let cur = '';
  let quote: string | null = null;
  const flush = () => {
    const eq = cur.indexOf('=');
    if (eq > 0) out[cur.slice(0, eq).trim()] = unquote(cur.slice(eq + 1));
    cur = '';
  };
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = null;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ',') flush();
    else cur += ch;
  }
  flush();
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
