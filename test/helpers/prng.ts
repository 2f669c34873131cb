/**
 * A small seeded PRNG for property tests (mulberry32, public domain): the same seed gives the same inputs on every
 * machine, so a failure names its seed and case number and can be replayed (DSH_FUZZ_SEED=<seed>).
 */
export interface Rng {
  /** [0, 1) */
  next(): number;
  /** integer in [0, n) */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** `n` characters from `alphabet` */
  str(n: number, alphabet?: string): string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    str: (n, alphabet = ALNUM) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet.charAt(int(alphabet.length));
      return s;
    },
  };
}

/** The run's seed: DSH_FUZZ_SEED when set (to replay a failure), else a fixed default. */
export function fuzzSeed(env: Record<string, string | undefined>, fallback: number): number {
  const s = env.DSH_FUZZ_SEED;
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : fallback;
}
