/**
 * DSH100: a layer DS loads at start-up does not parse, so DocService and FileConverter will not start. The location is
 * where DS's own parser reports the error (the position in its log: JSON5 "at 7:13", JSON.parse "position N"); when
 * the mistake is most likely elsewhere (a missing comma belongs after the previous member, a trailing comma sits before
 * the closing brace), the message says where, and both lines are shown.
 */
import type { Rule } from '../rule.js';
import { safeExcerpt } from './snippet.js';
import { defaultKeyNames } from './common.js';

/** An excerpt with a note after its caret. */
function marked(text: string, line: number, column: number, note: string, keep: ReadonlySet<string>): string {
  return `${safeExcerpt(text, line, column, keep)} ${note}`;
}

export const parseError: Rule = {
  id: 'DSH100',
  area: 'parse',
  severity: 'critical',
  title: 'DS cannot parse a configuration file',
  why:
    'DocService and FileConverter load every configuration layer at start-up and exit when one does not parse: ' +
    'supervisor prints "ERROR (spawn error)" and the programs end FATAL; systemd restarts them every 30 s forever.',
  remediation: 'Fix the syntax at the position shown (or restore your backup), then {restart}.',
  reads: [],
  check(ctx) {
    return ctx.layers
      .filter((l) => l.status === 'parse-error' && l.error)
      .map((l) => {
        const e = l.error!;
        const parser = ctx.version.parser === 'config3' ? 'DS 9.x (JSON5)' : 'DS ≤ 8.3 (strict JSON)';
        const at = `${e.line}:${e.column}`;
        const likely = e.likely;
        let where = '';
        let excerpt = '';
        // DS's own key names stay readable near the error; every other word there may be a damaged secret
        const keep = defaultKeyNames(ctx);
        if (l.text !== undefined) excerpt = `\n${safeExcerpt(l.text, e.line, e.column, keep)}`;
        if (likely) {
          where = ` DS reports the error at ${at}, where its parser stopped; the likely cause is at ${likely.line}:${likely.column}.`;
          if (l.text !== undefined) {
            excerpt =
              likely.line === e.line
                ? `\n${marked(l.text, e.line, e.column, `DS stops here (${at}); the cause is at column ${likely.column}`, keep)}`
                : `\n${marked(l.text, likely.line, likely.column, `likely cause (${likely.line}:${likely.column})`, keep)}` +
                  `\n${marked(l.text, e.line, e.column, `DS stops here (${at})`, keep)}`;
          }
        }
        return {
          message:
            `${e.cause} — ${parser} cannot parse ${l.file}, so the services will not start.${where} ` +
            `${e.hint.charAt(0).toUpperCase()}${e.hint.slice(1)}.${excerpt}`,
          location: { file: l.file, line: e.line, column: e.column },
          blocksStartup: true as const,
        };
      });
  },
};
