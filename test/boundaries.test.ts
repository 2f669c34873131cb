/** Architecture rules that keep the core pure and the process boundary in one place. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/context.js';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

const SRC = path.join(REPO, 'src');

/** Source without comments (a doc comment may mention process.env). */
function code(file: string): string {
  return fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}
const rel = (f: string) => path.relative(SRC, f);

describe('module boundaries', () => {
  it('core/ does no I/O and imports no adapter, formatter, CLI or command', () => {
    const bad: string[] = [];
    for (const f of files(path.join(SRC, 'core'))) {
      for (const i of imports(f)) {
        if (/^node:(fs|child_process|net|http|https|dgram|worker_threads)/.test(i) || /^(execa|chalk|@inquirer)/.test(i) || /\/(adapters|formatters|cli|commands)\//.test(i)) {
          bad.push(`${rel(f)} imports ${i}`);
        }
      }
      if (/\bprocess\./.test(code(f))) bad.push(`${rel(f)} touches process`);
    }
    expect(bad).toEqual([]);
  });

  it('formatters are pure functions: no chalk, no adapters, no I/O', () => {
    const bad: string[] = [];
    for (const f of files(path.join(SRC, 'formatters'))) {
      // node:crypto is pure computation (fingerprints); everything else from node: is I/O
      for (const i of imports(f)) if (/^node:(?!crypto$)|^(execa|chalk|@inquirer)|\/(adapters|commands|cli)\//.test(i)) bad.push(`${rel(f)} imports ${i}`);
    }
    expect(bad).toEqual([]);
  });

  it('only adapters/prompter.ts uses @inquirer, and that module is loaded lazily (check must not pay for the wizard)', () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      const src = code(f).replace(/import type[^;]*;/g, '');
      if (/['"]@inquirer\//.test(src) && rel(f) !== path.join('adapters', 'prompter.ts')) bad.push(`${rel(f)} imports @inquirer`);
      // prompter.ts imports the three prompts statically (so the bundle keeps only those); nobody imports it statically
      if (/import\s[^(][^;]*from\s+['"][./]*(adapters\/)?prompter\.js['"]/.test(src)) bad.push(`${rel(f)} imports prompter.ts statically`);
    }
    expect(bad).toEqual([]);
  });

  it('only main.ts reads argv, env or stdio, and nothing calls process.exit', () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      const src = code(f);
      if (/process\.exit\(/.test(src)) bad.push(`${rel(f)} calls process.exit`);
      if (rel(f) !== 'main.ts' && /process\.(argv|env|stdout|stderr|stdin)\b/.test(src)) bad.push(`${rel(f)} touches process.argv/env/stdio`);
    }
    expect(bad).toEqual([]);
  });
});
