/** `check --explain <dotted.path>`: the effective value and every layer that sets it. */
import type { LoadedConfig } from '../core/layers/load.js';
import { getPath, locate } from '../core/layers/merge.js';
import { redactValue } from '../core/redact.js';
import type { Style } from '../formatters/style.js';

export function explain(loaded: LoadedConfig, key: string, showSecrets: boolean, style: Style): { text: string; found: boolean } {
  const value = getPath(loaded.effective.value, key);
  const lines: string[] = [];
  const setters = loaded.effective.setters.get(key) ?? [];
  // ancestors that replaced the subtree wholesale (arrays, scalars) also decide it
  const segs = key.split('.');
  lines.push(style.bold(key));
  if (value === undefined) {
    lines.push(`  effective value: ${style.yellow('not set')} (no layer DS loads sets it)`);
  } else {
    const shown = JSON.stringify(redactValue(value, key, showSecrets), null, 2).split('\n').join('\n  ');
    lines.push(`  effective value: ${shown}`);
  }
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
