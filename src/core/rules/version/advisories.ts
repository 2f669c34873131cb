/**
 * Known DS security advisories, by the release that fixed them: the data behind DSH700.
 *
 * Source for every row: ds-facts §7 ("Known security advisories (by DS version)"). Fixed-in versions are from the
 * official changelog (`ONLYOFFICE/DocumentServer@c05795f4:CHANGELOG.md`); affected ranges come from NVD texts and
 * are secondary. Rows of §7 that are NOT here, and why:
 * - "finding out the JWT secret of a third party server via XLSB conversion" (< 7.5.0): reported by DSH702, which
 *   also tells to rotate the secret after upgrading.
 * - `/info/config` GET/POST (9.0.0 – 9.0.4, fixed 9.1.0): reported by DSH701, which also weighs ipfilter.
 * - DocumentBuilder#147 (arbitrary file read via docbuilder, reported on 9.1.0.168): the fixed-in version is
 *   UNCONFIRMED, and DSH700 never guesses.
 *
 * Severity (DSH700 grades per advisory): critical for remote code execution, authentication bypass and default
 * keys; high for everything else. Where ds-facts does not say RCE, the row is high even when the bug class often
 * leads there (noted on the row).
 */
import type { Severity } from '../../types.js';

/**
 * An extra condition an advisory needs besides the version, evaluated on the configuration or host facts:
 * - `docker`: only the official Docker image ships the affected component (HostFacts.docker === true).
 * - `wopi-default-keys`: WOPI is enabled and `wopi.privateKey` is still the value shipped in default.json
 *   (since 8.1 the installers generate keys into local.json, ds-facts §2.7).
 */
export type AdvisoryCondition = 'docker' | 'wopi-default-keys';

export interface Advisory {
  /** CVE ids, or a short name for changelog-only fixes. */
  readonly id: string;
  /** What it is, one line, for the finding message. */
  readonly summary: string;
  readonly severity: Severity;
  /** First release with the fix (the version to upgrade to at least). */
  readonly fixedIn: string;
  /** First affected release, when the advisory names one; below it DSH700 stays silent. */
  readonly introducedIn?: string;
  readonly condition?: AdvisoryCondition;
  /** What upgrading alone does not change (appended to the message). */
  readonly afterUpgrade?: string;
}

export const ADVISORIES: readonly Advisory[] = [
  // §7 row 1: x2t issues; 11536 = path traversal unzipping a crafted .docx → arbitrary file write → RCE (NVD text quoted by Nettitude).
  {
    id: 'CVE-2020-11534, CVE-2020-11535, CVE-2020-11536',
    summary: 'x2t converter flaws, including a path traversal when unzipping a crafted .docx (arbitrary file write, remote code execution)',
    severity: 'critical',
    fixedIn: '5.5.1',
  },
  // §7 row 2: "database-related security issues" (SQL injection per NVD; UNCONFIRMED beyond the changelog).
  {
    id: 'CVE-2020-11537',
    summary: 'database-related security issues (SQL injection per NVD)',
    severity: 'high',
    fixedIn: '5.5.1',
  },
  // §7 row 3: affected 4.2.0.71 – 5.6.0.21.
  {
    id: 'CVE-2021-25833',
    summary: 'path traversal through a Convert Service parameter (file overwrite, remote code execution)',
    severity: 'critical',
    fixedIn: '5.6.1',
    introducedIn: '4.2.0',
  },
  // §7 row 4: changelog only. Severity high: ds-facts does not say what the traversal reaches.
  {
    id: 'path traversal via savefile (no CVE)',
    summary: 'path traversal through the savefile handler',
    severity: 'high',
    fixedIn: '5.6.2',
  },
  // §7 row 5. ds-facts describes it only as a path traversal, so high.
  {
    id: 'CVE-2021-3199',
    summary: 'path traversal through image upload parameters',
    severity: 'high',
    fixedIn: '5.6.3',
  },
  // §7 row 6: affected 4.0.0-9 – 5.6.3 / 5.6.4.13.
  {
    id: 'CVE-2021-25829, CVE-2021-25830, CVE-2021-25831',
    summary: 'x2t binary-stream and file-extension handling flaws (denial of service or remote code execution)',
    severity: 'critical',
    fixedIn: '5.6.4',
    introducedIn: '4.0.0',
  },
  // §7 row 7: affected 4.0.0-9 – 6.0.0; 6.0.1 also fixes a path traversal via "download as" parameters.
  {
    id: 'CVE-2021-25832',
    summary: 'heap overflow in BMP handling (remote code execution); the same release fixes a path traversal through "download as" parameters',
    severity: 'critical',
    fixedIn: '6.0.1',
    introducedIn: '4.0.0',
  },
  // §7 row 8: "insert image from url" / "compare document from url"; request-filtering-agent introduced (§2.4: d1789abf).
  {
    id: 'SSRF via "insert image from url" (no CVE)',
    summary: 'server-side request forgery through "insert image from url" and "compare document from url"',
    severity: 'high',
    fixedIn: '6.2.2',
  },
  // §7 rows 9–15: the 2021-434xx chain (Nettitude Labs write-up) and bundled Node.js; all fixed in 7.2.0
  // (CHANGELOG 7.2.0: "JWT with random key enabled by default … Random secret key by default", §2.8).
  {
    id: 'CVE-2021-43444',
    summary: 'default download-URL signing key ("verysecretstring", secure link)',
    severity: 'critical',
    fixedIn: '7.2.0',
    afterUpgrade:
      '7.2.0 only generates a random key on fresh installs; an upgraded server keeps its old key (postinst even writes the literal default into nginx ds.conf), so also replace storage.fs.secretString and the nginx secure_link_secret.',
  },
  {
    id: 'CVE-2021-43445',
    summary: 'default JWT signing key "secret"',
    severity: 'critical',
    fixedIn: '7.2.0',
    afterUpgrade: 'Upgrading keeps the configured JWT secret: set a random one of 32+ characters as well.',
  },
  {
    id: 'CVE-2021-43447',
    summary: 'unauthenticated editor websocket (JWT off by default)',
    severity: 'critical',
    fixedIn: '7.2.0',
    afterUpgrade: '7.2.0 fixes this by enabling JWT on install; an upgraded server keeps its JWT settings, so check that token.enable.* are true.',
  },
  {
    id: 'CVE-2021-43448',
    summary: 'tampering with editor websocket messages (user names and more)',
    severity: 'high',
    fixedIn: '7.2.0',
  },
  {
    id: 'CVE-2021-43449',
    summary: 'server-side request forgery through the websocket "auth" command (document URL)',
    severity: 'high',
    fixedIn: '7.2.0',
  },
  {
    id: 'CVE-2021-43446',
    summary: 'cross-site scripting through macros (for example adding a Nextcloud admin)',
    severity: 'high',
    fixedIn: '7.2.0',
  },
  {
    id: 'CVE-2022-32212',
    summary: 'vulnerable bundled Node.js',
    severity: 'high',
    fixedIn: '7.2.0',
  },
  // §7 row 16.
  {
    id: 'CVE-2022-47412',
    summary: 'cross-site scripting in search & replace',
    severity: 'high',
    fixedIn: '7.3.3',
  },
  // §7 row 17: NVD affected range 4.0.3 – 7.3.2; the changelog names 30186.
  {
    id: 'CVE-2023-30186, CVE-2023-30187, CVE-2023-30188',
    summary: 'use-after-free and out-of-bounds write (remote code execution) and memory exhaustion through crafted JavaScript (NativeEngine / docbuilder)',
    severity: 'critical',
    fixedIn: '7.3.3',
    introducedIn: '4.0.3',
  },
  // §7 row 19: changelog only.
  {
    id: 'fs.folderPath and /example/editor (no CVE)',
    summary: 'file-system access through fs.folderPath; /example/editor leaks the server configuration',
    severity: 'high',
    fixedIn: '8.1.0',
  },
  // §7 row 20: changelog only. An access-rights bypass for users who already reach the editor, not an
  // authentication bypass, so high.
  {
    id: 'document access rights bypass (no CVE)',
    summary: 'bypass of document access rights',
    severity: 'high',
    fixedIn: '8.2.0',
  },
  // §7 row 21 and §2.7: one RSA key pair in default.json for every installation (6.4.0 – 8.2.x); installers generate
  // keys since 8.1; removed from default.json in 8.3.0 (CHANGELOG 8.3.0). Only matters with WOPI on and the shipped key.
  {
    id: 'hard-coded WOPI RSA key pair (no CVE)',
    summary: 'WOPI is enabled and signs with the RSA key pair shipped in default.json, identical on every installation',
    severity: 'critical',
    fixedIn: '8.3.0',
    introducedIn: '6.4.0',
    condition: 'wopi-default-keys',
    afterUpgrade: 'Generate a new key pair into local.json (wopi.privateKey, publicKey, modulus, exponent) whatever the version.',
  },
  // §7 row 23: changelog 9.1.0. ds-facts does not say RCE, so high.
  {
    id: 'x2t file write / EPUB file read (no CVE)',
    summary: 'arbitrary file write through x2t; arbitrary file read when converting EPUB through ConvertService',
    severity: 'high',
    fixedIn: '9.1.0',
  },
  // §7 row 25: Docker image components. ds-facts does not characterise them, so high.
  {
    id: 'Redis CVE-2025-49844; kernel CVE-2025-38352, CVE-2025-40300',
    summary: 'vulnerable Redis and kernel packages in the official Docker image',
    severity: 'high',
    fixedIn: '9.2.0',
    condition: 'docker',
  },
  // §7 row 15 (CVE-2021-43446 column): 9.3.0 lists it again with CVE-2023-50883 and CVE-2024-44085.
  {
    id: 'CVE-2023-50883, CVE-2024-44085 (with CVE-2021-43446)',
    summary: 'DOM cross-site scripting through a macro dynamic import',
    severity: 'high',
    fixedIn: '9.3.0',
  },
];
