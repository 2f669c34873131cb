/**
 * `check --format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Pure: (report, opts) => string.
 *
 * Choices, so that a config tree kept in git and checked with `--root <dir>` maps onto the repository:
 * - Paths. Finding locations are DS host paths (/etc/onlyoffice/documentserver/local.json). With --root
 *   (report.root !== "/") each `artifactLocation.uri` is that path relative to the root
 *   ("etc/onlyoffice/documentserver/local.json") with `uriBaseId: "ROOTPATH"`, and
 *   `run.originalUriBaseIds.ROOTPATH.uri` is `file://<root>/`. Without --root, URIs are absolute `file:///…`
 *   URIs and no base id is used. Path segments are percent-encoded.
 * - NODE_CONFIG. A finding in the $NODE_CONFIG of a service definition is located where the variable is set (the
 *   unit, drop-in, EnvironmentFile or supervisor program file, at the line and column of its name), like any file.
 *   Only a pseudo-file label without a known place ("NODE_CONFIG in /etc/…/x.service") is placed on the file it
 *   names at line 1, with the label as the artifact's description.
 * - Findings without a location (rare: whole-installation facts such as the DS version) are placed on the
 *   configuration directory itself (a URI ending in "/", no region), because GitHub code scanning needs a
 *   location on every result. When the finding names a key, it is also given as a logical location.
 * - Fingerprints. `partialFingerprints["dsHarden/v1"]` is a SHA-256 of ruleId, file and key (line numbers left
 *   out so that an alert survives edits above it); repeats of the same triple get an ordinal (#2, #3, …) in
 *   report order.
 * - Columns. The core counts columns in UTF-16 code units (JavaScript string offsets); `columnKind` says so.
 * - DS will not start (a layer it cannot parse or read): those results come first, their message starts "DS will not
 *   start:" and `properties.blocksStartup` is true; every other result's message starts "Once <file> loads:" and has
 *   `properties.afterStartupFix`; `run.properties.startupBlocked` says whether any blocker exists.
 * - `security-severity` (read by GitHub to rank alerts) goes on each rule, from the rule's default severity:
 *   critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0. A result's own severity sets its `level` and is
 *   also kept in `result.properties.severity`.
 */
import { createHash } from 'node:crypto';
import { byText, failed, sortFindings, unanswered, startupBlockers, type ProbeReport, type Report, type RuleMeta } from '../core/report.js';
import type { Finding, Severity } from '../core/types.js';
import type { MachineFormatOptions } from './rule-meta.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The uriBaseId of --root. */
export const ROOT_BASE_ID = 'ROOTPATH';
/** Key of our partial fingerprint; bump the suffix if its recipe ever changes. */
export const FINGERPRINT_KEY = 'dsHarden/v1';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    default:
      return 'note';
  }
}

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** GitHub's `security-severity`: a numeric string in 0.0–10.0. */
export function securitySeverity(s: Severity): string {
  return SECURITY_SEVERITY[s];
}

/** PascalCase of a title: "JWT disabled for browser requests" → "JWTDisabledForBrowserRequests". */
export function pascalName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function encodePath(p: string): string {
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** file:// URI of an absolute POSIX path, with a trailing slash when `dir`. */
export function fileUri(absPath: string, dir = false): string {
  let p = absPath.startsWith('/') ? absPath : `/${absPath}`;
  if (dir && !p.endsWith('/')) p += '/';
  return `file://${encodePath(p)}`;
}

interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
  description?: { text: string };
}

/** Where a host path lives in the log: relative to ROOTPATH under --root, else an absolute file URI. */
function artifact(hostPath: string, rooted: boolean, dir = false): SarifArtifactLocation {
  let p = hostPath;
  if (dir && !p.endsWith('/')) p += '/';
  if (!rooted) return { uri: fileUri(p, dir) };
  const rel = p.replace(/^\/+/, '');
  return { uri: encodePath(rel === '' ? './' : rel), uriBaseId: ROOT_BASE_ID };
}

/** "NODE_CONFIG in /etc/systemd/…/override.conf" → the path it names; undefined when there is none. */
function pathInLabel(label: string): string | undefined {
  const m = /(?:^|\s)(\/\S*)$/.exec(label);
  return m?.[1];
}

function physicalLocation(f: Finding, report: Report, rooted: boolean): Record<string, unknown> {
  // live findings are about a URL of the running server
  if (!f.location && f.url) return { artifactLocation: { uri: f.url } };
  const loc = f.location;
  if (!loc) return { artifactLocation: artifact(report.configDir, rooted, true) };
  if (!loc.file.startsWith('/')) {
    const named = pathInLabel(loc.file);
    if (!named) return { artifactLocation: { ...artifact(report.configDir, rooted, true), description: { text: loc.file } } };
    return { artifactLocation: { ...artifact(named, rooted), description: { text: loc.file } }, region: { startLine: 1 } };
  }
  const region: Record<string, number> = { startLine: loc.line, startColumn: loc.column };
  if (loc.endLine !== undefined) region.endLine = loc.endLine;
  if (loc.endColumn !== undefined) region.endColumn = loc.endColumn;
  return { artifactLocation: artifact(loc.file, rooted), region };
}

/** A rule as SARIF describes it; `area` is absent only for a descriptor made up from a finding. */
type Descriptor = Omit<RuleMeta, 'area'> & { readonly area?: RuleMeta['area'] };

function descriptor(r: Descriptor): Record<string, unknown> {
  return {
    id: r.id,
    name: pascalName(r.title) || r.id,
    shortDescription: { text: r.title },
    fullDescription: { text: r.why },
    help: { text: r.remediation, markdown: `${r.why}\n\n**Remediation:** ${r.remediation}` },
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: { tags: r.area ? [r.area, 'security'] : ['security'], 'security-severity': securitySeverity(r.severity) },
  };
}

/** A finding whose rule is missing from report.rules still gets a descriptor, built from the finding. */
function descriptorFromFinding(f: Finding): Descriptor {
  return { id: f.ruleId as RuleMeta['id'], severity: f.severity, title: f.title, why: f.title, remediation: f.remediation };
}

/** SHA-256 hex of a string (stable partial fingerprints for code scanning). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function fingerprint(parts: readonly string[]): string {
  return sha256Hex(parts.join('\u0000'));
}

/**
 * A probe without a configuration audit as a report SARIF can place: every live finding has a URL, and the
 * "configuration directory" fallback is the probed URL.
 */
function asReport(p: ProbeReport): Report {
  return {
    tool: p.tool,
    configDir: p.target,
    root: '/',
    dsVersion: { min: { major: 0, minor: 0, patch: 0 }, max: { major: 0, minor: 0, patch: 0 }, exact: false, source: 'probe', label: p.live.version?.text ?? 'unknown', parser: 'config3' },
    layers: [],
    findings: p.findings,
    failOn: p.failOn,
    rules: p.rules,
    probe: p.live,
  };
}

/** The SARIF log as an object (formatSarif serialises exactly this). */
export function buildSarifLog(input: Report | ProbeReport): Record<string, unknown> {
  const report = 'live' in input ? asReport(input) : input;
  const rooted = report.root !== '/' && report.root !== '';
  const findings = sortFindings(report.findings);

  const metas = new Map<string, Descriptor>();
  for (const r of report.rules) if (!metas.has(r.id)) metas.set(r.id, r);
  for (const f of findings) if (!metas.has(f.ruleId)) metas.set(f.ruleId, descriptorFromFinding(f));
  const ordered = [...metas.values()].sort((a, b) => byText(a.id, b.id));
  const index = new Map<string, number>(ordered.map((r, i) => [r.id, i]));

  // DS will not start: the blockers say so; every other result describes the configuration once they are fixed
  const blockedFiles = [...new Set(startupBlockers(findings).map((f) => f.location?.file ?? report.configDir))];
  const once = blockedFiles.length > 0 ? `Once ${blockedFiles.join(' and ')} ${blockedFiles.length === 1 ? 'loads' : 'load'}: ` : '';
  const seen = new Map<string, number>();
  const results = findings.map((f) => {
    const base = [f.ruleId, f.location?.file ?? f.url ?? report.configDir, f.key ?? ''];
    const id = base.join('\u0000');
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    const location: Record<string, unknown> = { physicalLocation: physicalLocation(f, report, rooted) };
    if (f.key !== undefined) location.logicalLocations = [{ fullyQualifiedName: f.key, kind: 'member' }];
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: sarifLevel(f.severity),
      message: { text: `${f.blocksStartup ? 'DS will not start: ' : once}${f.message} — ${f.remediation}` },
      locations: [location],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(n === 1 ? base : [...base, `#${n}`]) },
      properties: {
        severity: f.severity,
        ...(f.key !== undefined ? { key: f.key } : {}),
        ...(f.blocksStartup ? { blocksStartup: true } : once ? { afterStartupFix: true } : {}),
      },
    };
  });

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'ds-harden',
        version: report.tool.version,
        ...(/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
        rules: ordered.map(descriptor),
      },
    },
    ...(rooted
      ? {
          originalUriBaseIds: {
            [ROOT_BASE_ID]: { uri: fileUri(report.root, true), description: { text: 'The --root directory: DS host paths are read below it.' } },
          },
        }
      : {}),
    columnKind: 'utf16CodeUnits',
    results,
    properties: {
      ...('live' in input ? { target: input.target } : { configDir: report.configDir }),
      ...(report.probe ? { target: report.probe.target } : {}),
      dsVersion: report.dsVersion.label,
      ...(report.deployment ? { deployment: { kind: report.deployment.kind, label: report.deployment.label, configDir: report.deployment.configDir.path, serviceUser: report.deployment.serviceUser.name } } : {}),
      failOn: report.failOn,
      failed: failed(report),
      ...(unanswered(report).length ? { unanswered: unanswered(report).length } : {}),
      startupBlocked: blockedFiles.length > 0,
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] };
}

export function formatSarif(report: Report | ProbeReport, _opts: MachineFormatOptions): string {
  return JSON.stringify(buildSarifLog(report), null, 2) + '\n';
}
