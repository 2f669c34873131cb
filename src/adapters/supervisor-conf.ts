/**
 * Read the supervisor configuration ds-harden talks to (`--supervisor-conf FILE`, the file `supervisorctl -c` uses)
 * and the files its `[include]` section names, so the program definitions come from the same place as the
 * programs that get restarted (a NODE_CONFIG in a program's environment= overrides local.json).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { supervisorIncludes } from '../core/ds/service-defs.js';
import { UsageError } from '../cli/errors.js';

/** Supervisor configs are a few kB; anything larger is not one. */
const MAX_BYTES = 1 << 20;

async function readSmall(file: string): Promise<string> {
  const st = await fs.stat(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  if (st.size > MAX_BYTES) throw new Error(`${file} is larger than ${MAX_BYTES} bytes`);
  return fs.readFile(file, 'utf8');
}

/** Glob with `*`, `?` and `[...]` in the last path segment (the form supervisor configs use: conf.d/*.conf). */
async function expand(pattern: string): Promise<string[]> {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = new RegExp(
    '^' +
      base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') +
      '$',
  );
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => path.join(dir, n));
}

/**
 * The main file and its included files (in supervisor's order: main, then each pattern's matches sorted).
 * Throws UsageError when the main file cannot be read; unreadable included files are skipped, as supervisord
 * would fail on them itself.
 */
export async function readSupervisorDefinitions(confPath: string): Promise<{ file: string; text: string }[]> {
  let text: string;
  try {
    text = await readSmall(confPath);
  } catch (e) {
    throw new UsageError(`--supervisor-conf ${confPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out = [{ file: confPath, text }];
  for (const pattern of supervisorIncludes(text, path.dirname(path.resolve(confPath)))) {
    for (const f of await expand(pattern)) {
      const t = await readSmall(f).catch(() => undefined);
      if (t !== undefined) out.push({ file: f, text: t });
    }
  }
  return out;
}
