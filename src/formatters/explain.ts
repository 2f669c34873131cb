/**
 * `check --explain` as text or JSON (schemas/explain.schema.json). Pure: (explanation, opts) → string. Values arrive
 * masked (core/explain.ts) unless --show-secrets.
 */
import type { Explanation } from '../core/explain.js';
import type { Style } from './style.js';
import { JSON_SCHEMA_VERSION } from './json.js';

export function formatExplainText(e: Explanation, style: Style): string {
  const lines = [style.bold(e.key)];
  if (!e.set) {
    lines.push(`  effective value: ${style.yellow('not set in any layer')}; ${e.whenUnset}`);
    return lines.join('\n') + '\n';
  }
  lines.push(`  effective value: ${JSON.stringify(e.value, null, 2).split('\n').join('\n  ')}`);
  if (e.layers.length === 0 && e.key.includes('.')) lines.push(style.dim('  no layer sets this key directly'));
  lines.push('  set by (in load order, last wins):');
  for (const l of e.layers) {
    const where = l.line !== undefined ? `${l.file}:${l.line}:${l.column}` : l.file;
    const v = JSON.stringify(l.value);
    const mark = l.effective ? style.green('← effective') : style.dim('(overridden)');
    lines.push(`    ${where}  ${v && v.length > 80 ? v.slice(0, 77) + '...' : v}  ${mark}`);
  }
  return lines.join('\n') + '\n';
}

/** `check --explain KEY --format json`: versioned like the report (`schemaVersion`). */
export function formatExplainJson(e: Explanation, tool: { name: 'ds-harden'; version: string }): string {
  const doc = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool,
    key: e.key,
    set: e.set,
    ...(e.set ? { value: e.value ?? null } : { whenUnset: e.whenUnset }),
    layers: e.layers.map((l) => ({
      file: l.file,
      ...(l.line !== undefined ? { line: l.line, column: l.column } : {}),
      layer: l.layer,
      kind: l.kind,
      value: l.value ?? null,
      effective: l.effective,
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
