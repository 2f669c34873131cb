import type { Rule } from '../rule.js';
import { safeExcerpt } from './snippet.js';
import { defaultKeyNames } from './common.js';

export const parseError: Rule = {
  id: 'DSH100',
  area: 'parse',
  severity: 'critical',
  title: 'DS cannot parse a configuration file',
  why:
    'DocService and FileConverter load every configuration layer at start-up and exit when one does not parse: ' +
    'supervisor prints "ERROR (spawn error)" and the programs end FATAL; systemd restarts them every 30 s forever.',
  remediation: 'Fix the syntax at the position shown (or restore your backup), then restart the DS services.',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'parse-error' && l.error)
      .map((l) => {
        const e = l.error!;
        const parser = ctx.version.parser === 'config3' ? 'DS 9.x (JSON5)' : 'DS ≤ 8.3 (strict JSON)';
        return {
          message:
            `${e.cause} — ${parser} cannot parse ${l.file}, so the services will not start. ${e.hint.charAt(0).toUpperCase()}${e.hint.slice(1)}.` +
            (l.text !== undefined ? `\n${safeExcerpt(l.text, e.line, e.column, defaultKeyNames(ctx))}` : ''),
          location: { file: l.file, line: e.line, column: e.column },
        };
      });
  },
};
