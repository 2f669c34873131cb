/**
 * DSH308: on DS 6.4–8.2 default.json ships a hard-coded WOPI RSA key pair, identical for every installation
 * (ds-facts §2.7, §7). Packages and Docker generate keys into local.json since 8.1; 8.3 emptied the defaults.
 * critical when WOPI is enabled (the key signs WOPI proof headers), medium otherwise (live as soon as WOPI is enabled).
 */
import type { Rule } from '../rule.js';
import { mayBeWithin, V } from '../../ds/versions.js';
import { getPath } from '../../layers/merge.js';
import { where } from './common.js';

const KEY = 'wopi.privateKey';
const ENABLE = 'wopi.enable';

/** How to make a new WOPI key pair (the pair a WOPI host verifies DS's requests with). */
const NEW_PAIR =
  'Generate a new pair (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out wopi_private.key; openssl rsa -in wopi_private.key -pubout -out wopi_public.key).';

export const wopiDefaultKeys: Rule = {
  id: 'DSH308',
  area: 'secrets',
  severity: 'critical',
  title: 'WOPI uses the RSA key pair shipped in default.json',
  why:
    'DS 6.4 to 8.2 ship one WOPI RSA key pair in default.json, the same on every server. DS signs WOPI proof headers with ' +
    'wopi.privateKey, so a WOPI host cannot tell this server from anyone who has the public default.json. Packages and ' +
    'Docker generate a pair into local.json only since 8.1; a server without generated keys uses the shipped pair.',
  remediation:
    `${NEW_PAIR} Set wopi.privateKey, wopi.publicKey, wopi.modulus and wopi.exponent (and the *Old variants) in local.json, ` +
    'then {restart} and re-run WOPI discovery on the WOPI host.',
  remedies: {
    docker: 'Use an image of 8.1 or later and {recreate}: its entrypoint generates a WOPI key pair in the Data volume at the first start and writes it into local.json; then re-run WOPI discovery on the WOPI host.',
    nixos:
      `${NEW_PAIR} The module has no option for the WOPI keys: set wopi.privateKey, wopi.publicKey, wopi.modulus and wopi.exponent (and the *Old variants) in ` +
      '/run/onlyoffice/config/default.json with jq in an ExecStartPre added after the module\'s (that directory is regenerated at every start), then nixos-rebuild switch and re-run WOPI discovery on the WOPI host.',
    yunohost:
      `${NEW_PAIR} The app has no setting for the WOPI keys: set wopi.privateKey, wopi.publicKey, wopi.modulus and wopi.exponent (and the *Old variants) in ` +
      '{configDir}/local.json (mode 0400, owner {app}), then {restart} and re-run WOPI discovery on the WOPI host; every yunohost app upgrade re-renders local.json and drops them, so set them again after each upgrade.',
    'config-management': `${NEW_PAIR} Put wopi.privateKey, wopi.publicKey, wopi.modulus and wopi.exponent (and the *Old variants) into the variable {tool} renders {managedFile} from, run {tool} again, then re-run WOPI discovery on the WOPI host.`,
  },
  reads: [KEY, ENABLE],
  check(ctx) {
    if (!mayBeWithin(ctx.version, V('6.4.0'), V('8.2.999'))) return [];
    const v = ctx.get(KEY);
    if (typeof v !== 'string' || v.length === 0) return [];
    const def = ctx.layers.find((l) => l.kind === 'default');
    const shipped = def ? getPath(def.value, KEY) : undefined;
    const fromDefault = ctx.originLayer(KEY)?.kind === 'default' || (typeof shipped === 'string' && shipped === v);
    if (!fromDefault) return [];
    const enabled = Boolean(ctx.get(ENABLE));
    const loc = ctx.origin(KEY);
    return [
      {
        message: enabled
          ? `wopi.enable is on (${where(ctx.origin(ENABLE))}) and wopi.privateKey is the key pair shipped in default.json (${where(loc)}): ` +
            'WOPI proof signatures can be forged by anyone with a copy of that file.'
          : `wopi.privateKey is the key pair shipped in default.json (${where(loc)}); WOPI is off, but the public key becomes live ` +
            'as soon as wopi.enable is turned on.',
        location: loc,
        key: KEY,
        severity: enabled ? 'critical' : 'medium',
      },
    ];
  },
};
