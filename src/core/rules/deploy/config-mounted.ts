/**
 * DSH905: a bind mount hides the image's own configuration: the whole /etc/onlyoffice/documentserver (default.json is
 * hidden: "unknown database type", Docker-DocumentServer#371, #261, #428), default.json (an old copy stays at the next
 * image update: "Configuration property … is not defined", ds-facts §1.5), or local.json as a single file (every
 * entrypoint write fails with EBUSY, so JWT_* are silently ignored; read-only, the entrypoint crashes — PR #545, #802,
 * deploy-modes §2.6). The documented place for own settings is a mounted local-production-linux.json.
 */
import type { Rule, RuleHit } from '../rule.js';
import { LPL_TARGET } from '../../deploy/remedy.js';

export const dockerConfigMounted: Rule = {
  id: 'DSH905',
  area: 'deployment',
  severity: 'high',
  title: 'default.json or local.json is bind-mounted over the image\'s own',
  why:
    'The image ships default.json for its DS version and writes local.json from the environment at every start. A mounted ' +
    'default.json is not updated with the image, and DS stops with "Configuration property … is not defined" once it lacks a key ' +
    'the new version reads; a mounted local.json cannot be replaced by the entrypoint, so JWT_ENABLED, JWT_SECRET and JWT_HEADER ' +
    'are ignored without a word (and with :ro the entrypoint fails); mounting the whole directory hides default.json altogether.',
  remediation: `Remove the mount; put your own settings in a local-production-linux.json mounted read-only at ${LPL_TARGET} and the JWT settings in the environment.`,
  remedies: {
    docker: `Remove the mount from {containerDef}; put your own settings in a local-production-linux.json mounted read-only at ${LPL_TARGET} (DS loads it after local.json) and the JWT settings in the environment (JWT_ENABLED, JWT_SECRET, JWT_HEADER). Then {recreate}.`,
  },
  reads: [],
  check(ctx) {
    const dep = ctx.host.deployment;
    const spec = dep?.container;
    if (!dep || !spec) return [];
    const dir = dep.configDir.value;
    const hits: RuleHit[] = [];
    for (const m of spec.mounts) {
      const loc = { file: m.origin.file, line: m.origin.line, column: m.origin.column };
      const from = `${m.source} is mounted at ${m.target}${m.readOnly ? ' read-only' : ''} (${m.origin.file}:${m.origin.line})`;
      if (m.target === dir || dir.startsWith(m.target.replace(/\/$/, '') + '/')) {
        hits.push({ message: `${from}: it hides the image's ${dir}, default.json included — DS needs the default.json of its own version to start and to get new settings at the next image update.`, location: loc, severity: 'critical' });
      } else if (m.target === `${dir}/default.json`) {
        hits.push({ message: `${from}: the image's default.json is hidden. After the next image update DS reads this old copy and stops with "Configuration property … is not defined" once it lacks a key the new version reads.`, location: loc });
      } else if (m.target === `${dir}/local.json`) {
        hits.push({
          message: m.readOnly
            ? `${from}: the entrypoint cannot write it, and fails at start-up; JWT_ENABLED, JWT_SECRET and JWT_HEADER are not applied.`
            : `${from}: the entrypoint's writes to a single-file mount fail with "Resource busy", so JWT_ENABLED, JWT_SECRET, JWT_HEADER and WOPI_ENABLED are ignored without a word — the mounted file decides them.`,
          location: loc,
          severity: m.readOnly ? 'critical' : 'high',
        });
      }
    }
    return hits;
  },
};
