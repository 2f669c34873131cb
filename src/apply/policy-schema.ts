/**
 * The policy file format (schemas/policy.schema.json, kept identical by test/cli/inputs.test.ts) — the shape every front
 * end's request takes (apply/request.ts validates it). A module of its own with no imports, so the command line's help
 * (cli/program.ts) can list its keys without loading the validator.
 */

/** RFC 9110 §5.6.2 `token`: the characters an HTTP field name may hold. */
const HEADER_TOKEN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$";

/** The policy file format (and the shape every front end's answers take). */
export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/ds-harden/ds-harden/schemas/policy.schema.json',
  title: 'ds-harden apply policy',
  description: 'The desired ipfilter and JWT settings; the same keys as the apply flags. Secrets are never values here: name a file or an environment variable.',
  type: 'object',
  additionalProperties: false,
  properties: {
    allow: {
      description: 'Integrator addresses DS should accept: IPv4/IPv6 addresses, IP globs (10.1.*), CIDRs that map to an exact glob (/8, /16, /24, /32), host names.',
      type: 'array',
      maxItems: 256,
      items: { type: 'string', minLength: 1, maxLength: 253 },
    },
    storageUrl: { description: "Nextcloud's StorageUrl as DS reaches it (http:// or https://).", type: 'string', minLength: 1, maxLength: 2048 },
    secretFile: { description: 'File holding the JWT secret (one line).', type: 'string', minLength: 1, maxLength: 4096 },
    secretEnv: { description: 'Environment variable holding the JWT secret.', type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' },
    generateSecret: { description: 'Keep a strong existing secret, else generate 40 random characters.', type: 'boolean' },
    rotate: { description: 'With generateSecret: always generate a new secret.', type: 'boolean' },
    header: { description: 'JWT header for inbox and outbox (Nextcloud jwt_header), an HTTP field name.', type: 'string', pattern: HEADER_TOKEN },
    useforrequest: { description: 'Apply ipfilter to incoming requests too (only behind a proxy that overwrites X-Forwarded-For).', type: 'boolean' },
    errorcode: { description: 'HTTP status for refused requests.', type: 'integer', minimum: 400, maximum: 599 },
    integrator: { description: 'Which integrator shares the secret; its end is changed together with DS (Nextcloud/ownCloud with occ), or the steps are printed.', enum: ['nextcloud', 'owncloud', 'seafile', 'other'] },
    behindProxy: { description: 'A reverse proxy in front of DS overwrites X-Forwarded-For (e.g. set up with ds-harden proxy), so useforrequest can be trusted.', type: 'boolean' },
    occ: { description: 'occ command prefix for Nextcloud/ownCloud, e.g. "sudo -u www-data php /var/www/nextcloud/occ" (no shell operators).', type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

/** The keys of a policy file, in the schema's order (what `apply --policy` and its help list). */
export const POLICY_KEYS: readonly string[] = Object.keys(POLICY_SCHEMA.properties);
