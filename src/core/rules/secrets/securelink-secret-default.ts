/**
 * DSH306: storage.fs.secretString (the secure-link key that signs /cache/files download URLs, shared with nginx's
 * $secure_link_secret) is the public default. default.json ships "verysecretstring" (6.x–9.x; 5.x shipped "onlyoffice");
 * installers generate a random 20-character value since 7.2 (ds-facts §2.6, §7 CVE-2021-43444).
 * critical: the public default (or any value still coming from default.json); high: shorter than 16 characters.
 */
import type { Rule } from '../rule.js';
import { where, generatedAtStart } from './common.js';
import { fixes } from '../fixes.js';

const KEY = 'storage.fs.secretString';
const PUBLIC = 'verysecretstring';
export const MIN_SECURELINK_LENGTH = 16;

export const securelinkSecretDefault: Rule = {
  id: 'DSH306',
  area: 'secrets',
  severity: 'critical',
  title: 'The secure-link secret is the public default or too short',
  why:
    'DS signs the download links of converted and cached documents (/cache/files) with storage.fs.secretString, and nginx ' +
    'checks them with the same value ($secure_link_secret in /etc/onlyoffice/documentserver/nginx/ds.conf). With the public ' +
    'default "verysecretstring" anyone can forge links to other users\' cached documents (CVE-2021-43444).',
  remediation:
    'Run documentserver-update-securelink.sh (it sets a random value in both local.json and nginx ds.conf and restarts the ' +
    'services; note that it replaces the whole "storage" object in local.json), or set storage.fs.secretString in local.json ' +
    'and $secure_link_secret in ds.conf to the same random value of at least 20 characters, then {restart} and reload nginx.',
  fix: fixes.securelink,
  reads: [KEY],
  check(ctx) {
    const v = ctx.get(KEY);
    // the Docker entrypoint writes a new random value at every start when SECURE_LINK_SECRET is unset
    if (typeof v !== 'string' || generatedAtStart(ctx, KEY)) return [];
    const loc = ctx.origin(KEY);
    const fromDefault = ctx.originLayer(KEY)?.kind === 'default';
    if (v === PUBLIC || fromDefault) {
      const what = v === PUBLIC ? 'the public default "verysecretstring"' : 'the value shipped in default.json';
      return [
        {
          message:
            `storage.fs.secretString is ${what} (${where(loc)}): anyone can sign /cache/files download links (CVE-2021-43444). ` +
            'nginx\'s $secure_link_secret must be changed to the same new value.',
          location: loc,
          key: KEY,
        },
      ];
    }
    if (v.length < MIN_SECURELINK_LENGTH) {
      return [
        {
          message:
            `storage.fs.secretString is ${v.length === 0 ? 'empty' : `only ${v.length} characters long`} (${where(loc)}); ` +
            `use a random value of at least ${MIN_SECURELINK_LENGTH} characters (installers generate 20) and the same value in nginx's $secure_link_secret.`,
          location: loc,
          key: KEY,
          severity: 'high',
        },
      ];
    }
    return [];
  },
};
