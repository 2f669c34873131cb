/**
 * apply on installs whose settings do not live in local.json (the pipeline chooses this step by the detected mechanism,
 * src/core/deploy): a Docker Compose service gets its compose file edited format-preservingly (JWT_* in `environment:`
 * or a 0600 env_file, ipfilter in a read-only local-production-linux.json and its bind mount), validated, journalled and
 * rolled back like the host transaction; every other mechanism (the container seen from inside or through docker
 * inspect, the snap, NixOS, YunoHost, configuration management) gets the exact change printed and the run refused
 * (exit 4), because a written local.json would be thrown away there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import type { RootedHost } from '../adapters/host-fs.js';
import { danglingLinkText, loadConfig, type LoadedConfig, type ReadonlyHost } from '../core/layers/load.js';
import { getPath } from '../core/layers/merge.js';
import { evaluate, makeContext } from '../core/evaluate.js';
import type { HostFacts, Rule } from '../core/rules/rule.js';
import type { Change, DesiredState, Refusal } from '../core/plan/plan.js';
import { printedChange, wantedChanges, type SecretShown } from '../core/plan/mode-change.js';
import { overlay, overridesOf } from '../core/plan/validate.js';
import { newDocument, setValues, jsoncErrors } from '../core/plan/json-edit.js';
import { unifiedDiff } from '../core/plan/diff.js';
import { variableFor } from '../core/deploy/entrypoint.js';
import { LPL_TARGET } from '../core/deploy/remedy.js';
import { parseDotenv } from '../core/deploy/dotenv.js';
import { isAio, type Deployment, type EnvVar } from '../core/deploy/types.js';
import { K } from '../core/ds/keys.js';
import { certainlyAtLeast, V } from '../core/ds/versions.js';
import { isSecretPath, maskSecretLines } from '../core/redact.js';
import type { Finding } from '../core/types.js';

/** A file the compose step writes: host path, the bytes it had (null: new), the bytes it gets, the mode of a new file. */
export interface PlannedFile {
  readonly path: string;
  readonly before: string | null;
  readonly after: string;
  readonly mode?: number;
  /** Holds the secret (its diff is masked, and it is never world-readable). */
  readonly secret?: true;
}

export interface ModePlan {
  readonly changes: readonly Change[];
  readonly files: readonly PlannedFile[];
  readonly refusals: readonly Refusal[];
  readonly notes: readonly string[];
  readonly introduced: readonly Finding[];
  readonly resolved: readonly Finding[];
  /** The exact change to make by hand (a refused mechanism ds-harden does not write). */
  readonly printed?: string;
}

/** --jwt-env-file [FILE]: keep JWT_SECRET out of the compose file (FILE: a path on this machine below --root). */
export type EnvFileOption = string | true | undefined;

export interface ModeInput {
  readonly host: RootedHost;
  readonly loaded: LoadedConfig;
  readonly facts: HostFacts;
  readonly rules: readonly Rule[];
  readonly desired: DesiredState;
  readonly secretShown: SecretShown;
  readonly envFile: EnvFileOption;
  readonly cwd: string;
  readonly dsVersion?: string;
  readonly hostname?: string;
}

const DEFAULT_ENV_FILE = 'onlyoffice-jwt.env';
const ALNUM = /^[A-Za-z0-9]+$/;
const HEADER = /^[A-Za-z0-9_-]+$/;

/** The plan for an install that is not a local.json install (the caller checked the mechanism). */
export async function prepareMode(input: ModeInput): Promise<ModePlan> {
  const dep = input.loaded.deployment;
  const { changes, refusals } = wantedChanges(input.loaded, input.desired);
  const base = { changes, files: [], notes: [], introduced: [], resolved: [] };
  if (refusals.length) return { ...base, refusals };
  if (dep.kind === 'compose') return prepareCompose(input, changes);
  if (changes.length === 0) return { ...base, refusals: [] };
  return {
    ...base,
    refusals: [{ code: 'mode-mechanism', message: refusalText(dep) }],
    printed: printedChange(dep, changes, input.secretShown),
  };
}

function refusalText(dep: Deployment): string {
  const why: Record<string, string> = {
    'docker-image': 'this is the official Docker image seen from inside: its entrypoint rewrites the JWT settings of local.json from the container environment at every start, and local.json is lost when the container is re-created',
    'docker-container': isAio(dep)
      ? 'Nextcloud All-in-One\'s mastercontainer defines this container and re-creates it from its own configuration; a local.json written into the container is lost then'
      : 'the container\'s definition is not a file ds-harden can edit here (docker run, or a compose file not given with --compose); a local.json written into the container is rewritten at the next start',
    snap: 'the snap keeps the JWT settings in its options (snap set): its configure hook rewrites local.json when they change',
    nixos: 'the NixOS module regenerates /run/onlyoffice/config from the system configuration at every start',
    yunohost: `the YunoHost app re-renders local.json from its settings at every upgrade`,
    package: `${dep.managedBy?.tool ?? 'configuration management'} renders ${dep.managedBy?.file ?? 'local.json'} and reverts a direct edit on its next run`,
    service: `${dep.managedBy?.tool ?? 'configuration management'} renders ${dep.managedBy?.file ?? 'local.json'} and reverts a direct edit on its next run`,
  };
  const managed = dep.mechanism === 'config-management' ? ` (ds-harden concluded this from ${dep.managedBy?.evidence}; if ${dep.managedBy?.tool} no longer manages the file, remove that and run apply again)` : '';
  return `${dep.label}: ${why[dep.kind] ?? 'ds-harden cannot write where this install keeps its settings'}${managed}. Nothing was written; make the change shown below (ds-harden check then confirms it).`;
}

/** A dotenv file with `name` set to `value`: its line rewritten in place, or appended. */
export function dotenvWith(text: string | null, name: string, value: string, header: string): string {
  if (text === null) return `${header}\n${name}=${value}\n`;
  const entry = parseDotenv(text).entries.filter((e) => e.name === name).pop();
  if (!entry) return text + (text === '' || text.endsWith('\n') ? '' : '\n') + `${name}=${value}\n`;
  const lines = text.split('\n');
  const line = lines[entry.line - 1]!;
  // keep `export ` and the separator; a quoted or multi-line old value ends on this line for an alphanumeric secret
  const m = /^(\s*(?:export\s+)?[^=:]+?\s*[=:]\s*)/.exec(line);
  lines[entry.line - 1] = `${m ? m[1] : `${name}=`}${value}${line.endsWith('\r') ? '\r' : ''}`;
  return lines.join('\n');
}

function relFromProject(projectDir: string, hostPath: string): string {
  const rel = path.posix.relative(projectDir, hostPath);
  return rel.startsWith('..') ? hostPath : `./${rel}`;
}

/** A file the change would edit or create that cannot be used as it is: the change is refused, naming it. */
class UnusableFile extends Error {
  override readonly name = 'UnusableFile';
  constructor(
    message: string,
    readonly code: Refusal['code'],
  ) {
    super(message);
  }
}

/** The text of `p`, null when there is no such file; UnusableFile when it cannot be read or is a link to nothing. */
async function readText(host: ReadonlyHost, p: string): Promise<string | null> {
  const r = await host.read(p);
  if (r.ok) return r.text;
  if (r.code === 'ENOENT' && r.linkTarget !== undefined) {
    throw new UnusableFile(
      `${danglingLinkText(p, r.linkTarget)}: a write would create ${r.linkTarget}. Nothing was written. Point the link at the file it should be (or restore that file), or remove the link, then run apply again.`,
      'dangling-link',
    );
  }
  if (r.code === 'ENOENT') return null;
  throw new UnusableFile(`${r.message}; nothing was written`, 'mode-mechanism');
}

async function prepareCompose(input: ModeInput, allChanges: readonly Change[]): Promise<ModePlan> {
  const { host, loaded } = input;
  const dep = loaded.deployment;
  const spec = dep.container!;
  const compose = spec.compose!;
  const composeFile = compose.files[0]!;
  const service = compose.service;
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const { parseComposeCst, setEnv, removeEnv, addEnvFile, addVolume, envFiles, findEnv, composeText, ComposeEditError } = await import('../core/plan/compose-edit.js');

  // DS ≥ 7.2 reads no secret.browser (ds-facts §4.5); the entrypoint writes it from JWT_SECRET since 9.1 anyway
  const changes = allChanges.filter((c) => c.key !== K.secretBrowser || !certainlyAtLeast(loaded.version, V('7.2.0')));
  const env = new Map(spec.env.map((v) => [v.name, v]));
  const vars = new Map<string, string>();
  const fileOps: { path: string[]; value: unknown }[] = [];
  for (const c of changes) {
    const v = variableFor(c.key);
    if (v === 'JWT_ENABLED' || v === 'JWT_SECRET' || v === 'JWT_HEADER') vars.set(v, String(c.to));
    else fileOps.push({ path: c.key.split('.'), value: c.to });
  }
  // --jwt-env-file: a secret written literally in the compose file moves out even when it stays the same
  const literal = env.get('JWT_SECRET');
  if (input.envFile !== undefined && !vars.has('JWT_SECRET') && literal?.value && literal.origin.file === composeFile && !literal.interpolated) {
    vars.set('JWT_SECRET', literal.value);
    notes.push(`JWT_SECRET moves from ${composeFile}:${literal.origin.line} into the env_file (its value stays)`);
  }
  const secret = vars.get('JWT_SECRET');
  if (secret !== undefined && !ALNUM.test(secret)) {
    refusals.push({ code: 'bad-secret', message: 'the official image pastes JWT_SECRET into a JavaScript string (a quote breaks the write, a backslash changes the value) and compose interpolates "$": use a secret of letters and digits only (--generate-secret makes one).' });
  }
  const header = vars.get('JWT_HEADER');
  if (header !== undefined && !HEADER.test(header)) refusals.push({ code: 'bad-secret', message: `--header ${header}: use letters, digits, "-" and "_" only in a Docker deployment (the entrypoint pastes it into a JavaScript string).` });
  // local.json bind-mounted as a file: the entrypoint cannot write it, so no variable would reach DS (DSH905)
  const localMount = spec.mounts.find((m) => m.target === `${dep.configDir.value}/local.json`);
  if (localMount && vars.size) {
    refusals.push({
      code: 'mode-mechanism',
      message: `${localMount.source} is bind-mounted over the container's local.json (${localMount.origin.file}:${localMount.origin.line}): the entrypoint cannot write it, so JWT_ENABLED, JWT_SECRET and JWT_HEADER would change nothing (DSH905). Remove that mount (keep other settings in a mounted local-production-linux.json), then run apply again.`,
      location: { file: localMount.origin.file, line: localMount.origin.line, column: localMount.origin.column },
    });
  }
  // a variable set in the override file is the override's: not edited here
  for (const name of vars.keys()) {
    const v = env.get(name);
    if (v && compose.files.length > 1 && v.origin.file === compose.files[1]) {
      refusals.push({ code: 'mode-mechanism', message: `${name} is set in ${v.origin.file}:${v.origin.line} (the override file): change it there, or remove it there and run apply again`, location: { file: v.origin.file, line: v.origin.line, column: v.origin.column } });
    }
  }
  if (refusals.length) return { changes, files: [], refusals, notes, introduced: [], resolved: [] };

  const files = new Map<string, PlannedFile>();
  const plan = async (p: string, after: (before: string | null) => string, extra: Partial<PlannedFile> = {}) => {
    const prev = files.get(p);
    const before = prev ? prev.before : await readText(host, p);
    const cur = prev ? prev.after : before;
    files.set(p, { path: p, before, after: after(cur), ...extra });
  };
  let cst;
  try {
    const text = await readText(host, composeFile);
    if (text === null) throw new ComposeEditError(`${composeFile} is gone`);
    cst = parseComposeCst(text);
    const headerLine = '# ONLYOFFICE Docs JWT secret (ds-harden apply; read by docker compose through env_file:)';
    const interpolatedFromDotEnv = (v: EnvVar | undefined) => {
      const only = v && /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(findEnv(cst!, service, v.name)?.raw ?? '')?.[1];
      return only ? v!.interpolated?.find((u) => u.name === only && u.origin) : undefined;
    };
    for (const [name, value] of vars) {
      const cur = env.get(name);
      if (name === 'JWT_SECRET' && input.envFile !== undefined) {
        const target =
          input.envFile === true
            ? cur?.origin.how === 'env_file'
              ? cur.origin.file
              : path.posix.join(compose.projectDir, DEFAULT_ENV_FILE)
            : input.envFile;
        const existing = await readText(host, target);
        await plan(target, (b) => dotenvWith(b, name, value, headerLine), existing === null ? { mode: 0o600, secret: true } : { secret: true });
        if (existing !== null && cur?.origin.file !== target) notes.push(`${target} exists: JWT_SECRET is set in it, its other lines and its mode are kept`);
        removeEnv(cst, service, name);
        const listed = envFiles(cst, service).map((f) => path.posix.resolve(compose.projectDir, f));
        if (!listed.includes(target)) addEnvFile(cst, service, relFromProject(compose.projectDir, target));
        continue;
      }
      const viaDotEnv = interpolatedFromDotEnv(cur);
      if (name === 'JWT_SECRET' && viaDotEnv?.origin) {
        // `- JWT_SECRET=${JWT_SECRET}`: the value lives in the project's .env, which stays the place for it
        await plan(viaDotEnv.origin.file, (b) => dotenvWith(b, viaDotEnv.name, value, headerLine), { secret: true });
        continue;
      }
      if (cur?.origin.how === 'env_file' && !findEnv(cst, service, name)) {
        await plan(cur.origin.file, (b) => dotenvWith(b, name, value, headerLine), name === 'JWT_SECRET' ? { secret: true } : {});
        continue;
      }
      setEnv(cst, service, name, value);
    }
    if (fileOps.length) {
      const mount = spec.mounts.find((m) => m.target === LPL_TARGET);
      const lpl = mount?.source ?? path.posix.join(compose.projectDir, 'local-production-linux.json');
      const existing = await readText(host, lpl);
      if (!mount && existing !== null) {
        refusals.push({ code: 'mode-mechanism', message: `${lpl} exists but is not mounted into the container; ds-harden does not overwrite it. Mount it at ${LPL_TARGET} (or move it away) and run apply again.` });
      } else if (existing !== null && jsoncErrors(existing).length) {
        refusals.push({ code: 'json5-syntax', message: `${lpl} is not strict JSON; fix it first (ds-harden check shows where)` });
      } else {
        await plan(lpl, (b) => (b === null || b.trim() === '' ? newDocument(fileOps) : setValues(b, fileOps)), existing === null ? { mode: 0o644 } : {});
        if (!mount) addVolume(cst, service, `${relFromProject(compose.projectDir, lpl)}:${LPL_TARGET}:ro`);
      }
    }
    const after = composeText(cst);
    if (after !== text) files.set(composeFile, { path: composeFile, before: text, after });
  } catch (e) {
    if (e instanceof UnusableFile) refusals.push({ code: e.code, message: e.message });
    else if ((e as Error).name === 'ComposeEditError') refusals.push({ code: 'mode-mechanism', message: `${composeFile}: ${(e as Error).message}` });
    else throw e;
  }
  if (refusals.length) return { changes, files: [], refusals, notes, introduced: [], resolved: [] };

  // validate: the files parse, docker compose's rules give the container the values we want, and nothing new is critical
  const newCompose = files.get(composeFile)?.after;
  if (newCompose !== undefined) {
    const err = parseDocument(newCompose).errors[0];
    if (err) refusals.push({ code: 'mode-mechanism', message: `the edited ${composeFile} does not parse (${err.message.split('\n')[0]}); nothing was written` });
  }
  let candidateHost: ReadonlyHost = host;
  for (const f of files.values()) candidateHost = overlay(candidateHost, f.path, f.after, f.mode !== undefined ? { uid: 0, gid: 0, mode: f.mode } : undefined);
  let candidate: LoadedConfig | undefined;
  try {
    candidate = await loadConfig(candidateHost, {
      ...(input.dsVersion ? { dsVersion: input.dsVersion } : {}),
      ...(input.hostname ? { hostname: input.hostname } : {}),
      deployment: { compose: { file: composeFile, mergeOverride: compose.files.length > 1, service } },
    });
  } catch (e) {
    refusals.push({ code: 'mode-mechanism', message: `the edited files cannot be read as docker compose reads them: ${(e as Error).message}; nothing was written` });
  }
  let introduced: Finding[] = [];
  let resolved: Finding[] = [];
  if (candidate) {
    const lost = changes.filter((c) => JSON.stringify(getPath(candidate!.effective.value, c.key)) !== JSON.stringify(c.to)).map((c) => c.key);
    // one refusal per deciding setting (JWT_SECRET's three slots decided by one line are one fact)
    for (const o of overridesOf(candidate, lost)) {
      const them = o.keys.length === 1 ? 'it' : 'them';
      refusals.push({
        code: 'overridden',
        message:
          `${o.keys.join(', ')} would not be in effect after the change: ` +
          `${o.file ? `${o.file} decides ${them}${o.replaces ? ` (it sets ${o.path} to ${o.what})` : ''}` : `no layer sets ${them}`} (ds-harden check shows it as DSH110). Remove ${them} there first.`,
        ...(o.at ? { location: o.at } : {}),
      });
    }
    const key = (f: Finding) => `${f.ruleId}|${f.key ?? ''}`;
    const before = evaluate(input.rules, makeContext(loaded, input.facts));
    const after = evaluate(input.rules, makeContext(candidate, { ...input.facts, deployment: candidate.deployment }));
    const had = new Set(before.map(key));
    const has = new Set(after.map(key));
    introduced = after.filter((f) => !had.has(key(f)));
    resolved = before.filter((f) => !has.has(key(f)));
    for (const f of introduced.filter((x) => x.severity === 'critical')) refusals.push({ code: 'introduces-critical', message: `the change would introduce ${f.ruleId}: ${f.message}`, ...(f.location ? { location: f.location } : {}) });
  }
  if (input.envFile === undefined && secret !== undefined && [...files.values()].some((f) => f.path === composeFile && f.after.includes(secret))) {
    notes.push(`JWT_SECRET is written into ${composeFile}; give --jwt-env-file to keep it in a separate file of mode 0600 instead`);
  }
  return { changes, files: [...files.values()], refusals, notes, introduced, resolved };
}

/** Unified diffs of every planned file; secret values masked unless `show`. */
export function modeDiff(files: readonly PlannedFile[], secrets: readonly string[], show: boolean): string {
  const mask = (t: string) => {
    if (show) return t;
    let out = t;
    for (const s of secrets) if (s.length >= 8) out = out.split(s).join(`••••••(${s.length} chars)`);
    return maskSecretLines(out);
  };
  return files.map((f) => unifiedDiff(mask(f.before ?? ''), mask(f.after), f.before === null ? '/dev/null' : f.path, f.path)).join('');
}

/** sha256 of a file on this machine, or null when it does not exist. */
export function shaOf(local: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(local)).digest('hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Secret values among the changes (to scrub from output). */
export function changeSecrets(changes: readonly Change[]): string[] {
  return changes.filter((c) => isSecretPath(c.key)).flatMap((c) => [c.from, c.to]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}
