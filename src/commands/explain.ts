/** `check --explain <dotted.path>`: the effective value and every layer that sets it. */
import type { LoadedConfig } from '../core/layers/load.js';
import { getPath, locate } from '../core/layers/merge.js';
import { redactValue } from '../core/redact.js';
import type { Style } from '../formatters/style.js';
import { codeDefault } from '../core/ds/code-defaults.js';
import { passThroughAncestor } from '../core/ds/pass-through.js';

/** What DS does with a key no layer sets: its code default (cited), a library's own default, or nothing. */
function unsetMeaning(loaded: LoadedConfig, key: string): string {
  const d = codeDefault(key, loaded.version);
  if (d) return `DS uses ${JSON.stringify(d.value)} (its code default, ${d.versions}: ${d.source})`;
  const pt = passThroughAncestor(key);
  if (pt) return `DS passes nothing to ${pt.into}, so that library's own default applies`;
  return 'DS uses no value';
}

export function explain(loaded: LoadedConfig, key: string, showSecrets: boolean, style: Style): { text: string; found: boolean } {
  const value = getPath(loaded.effective.value, key);
  const lines: string[] = [];
  const setters = loaded.effective.setters.get(key) ?? [];
  // ancestors that replaced the subtree wholesale (arrays, scalars) also decide it
  const segs = key.split('.');
  lines.push(style.bold(key));
  if (value === undefined) {
    lines.push(`  effective value: ${style.yellow('not set in any layer')}; ${unsetMeaning(loaded, key)}`);
    return { text: lines.join('\n') + '\n', found: false };
  }
  const shown = JSON.stringify(redactValue(value, key, showSecrets), null, 2).split('\n').join('\n  ');
  lines.push(`  effective value: ${shown}`);
  if (setters.length === 0 && segs.length > 1) {
    lines.push(style.dim('  no layer sets this key directly'));
  }
  lines.push('  set by (in load order, last wins):');
  setters.forEach((s, i) => {
    const layer = loaded.layers[s.layer]!;
    const loc = locate(layer, key);
    const where = loc ? `${loc.file}:${loc.line}:${loc.column}` : layer.file;
    const v = JSON.stringify(redactValue(s.value, key, showSecrets));
    const mark = i === setters.length - 1 ? style.green('← effective') : style.dim('(overridden)');
    lines.push(`    ${where}  ${v && v.length > 80 ? v.slice(0, 77) + '...' : v}  ${mark}`);
  });
  return { text: lines.join('\n') + '\n', found: value !== undefined };
}
