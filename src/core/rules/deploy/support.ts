/** Shared helpers of the Docker environment rules (DSH900–DSH906): the container, its environment, misspelt names. Pure. */
import type { RuleContext } from '../rule.js';
import type { ContainerSpec, EnvVar } from '../../deploy/types.js';
import { ENTRYPOINT_VARS, evaluateEntrypoint, type EntrypointResult } from '../../deploy/entrypoint.js';
import { envMap } from '../../deploy/env-layer.js';

export interface ContainerEnv {
  readonly spec: ContainerSpec;
  readonly env: ReadonlyMap<string, EnvVar>;
  readonly entrypoint: EntrypointResult;
}

/** The container whose environment is known (undefined when there is none, or it is not visible). */
export function containerEnv(ctx: RuleContext): ContainerEnv | undefined {
  const spec = ctx.host.deployment?.container;
  if (!spec) return undefined;
  if (spec.envVisible === false) return undefined; // /proc/1/environ not readable
  const env = envMap(spec);
  const version = ctx.version.source === 'unknown' ? undefined : ctx.version.min;
  const entrypoint = evaluateEntrypoint({ env, ...(version ? { version } : {}) });
  // local.json mounted as a single file: every write fails (EBUSY), the environment decides nothing (DSH905 says so)
  const dir = ctx.host.deployment?.configDir.value;
  if (spec.mounts.some((m) => m.target === `${dir}/local.json`)) return { spec, env, entrypoint: { ...entrypoint, active: false } };
  return { spec, env, entrypoint };
}

/** "docker-compose.yml:12" for messages. */
export function at(v: { origin: { file: string; line: number } }): string {
  return `${v.origin.file}:${v.origin.line}`;
}

const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Names people write for the entrypoint's variables (normalised: upper case, separators removed). */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  JWT_SECRET: ['JWTKEY', 'JWTSECRETKEY', 'JWTTOKEN', 'JWTSECRETSTRING', 'SECRETJWT', 'JWTPASSWORD', 'ONLYOFFICEJWTSECRET', 'DOCUMENTSERVERJWTSECRET', 'DSJWTSECRET', 'JWTSECRETS'],
  JWT_ENABLED: ['JWTENABLE', 'ENABLEJWT', 'JWTON', 'USEJWT', 'JWTENABLES'],
  JWT_HEADER: ['JWTHEADERNAME', 'JWTAUTHHEADER', 'JWTHEADERS'],
};

/** Optimal string alignment distance, capped at 2. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The entrypoint variable a name was meant to be (JWT-SECRET, jwt_secret, JWT_KEY, JWT_SECERT → JWT_SECRET), or
 * undefined when it is one of them exactly or resembles none. Environment variable names are case-sensitive, and
 * the entrypoint reads only the exact names.
 */
export function intendedVariable(name: string): string | undefined {
  if (Object.hasOwn(ENTRYPOINT_VARS, name)) return undefined;
  const n = norm(name);
  for (const v of Object.keys(ENTRYPOINT_VARS)) {
    const nv = norm(v);
    if (n === nv || ALIASES[v]?.includes(n)) return v;
    if (n.length >= 8 && distance(n, nv) === 1) return v;
  }
  return undefined;
}
