/** Gathers HostFacts (service user, secret files, copies of configuration files) for the rules, through the read-only host. */
import type { ConfigCopyFact, HostFacts } from '../core/rules/rule.js';
import type { LoadedConfig, ReadonlyHost } from '../core/layers/load.js';
import { findAccount } from '../core/ds/accounts.js';
import { getPath, isPlainObject } from '../core/layers/merge.js';
import type { FileStat } from '../core/types.js';
import { isDockerKind } from '../core/deploy/types.js';

export async function gatherHostFacts(host: ReadonlyHost, loaded: LoadedConfig): Promise<HostFacts> {
  const passwd = await host.read('/etc/passwd');
  const group = await host.read('/etc/group');
  // the user DS runs as: what its service definition says (deploy/detect.ts); by default ds since 5.3, onlyoffice
  // before (ds-facts §1.5). A container seen from the Docker host has its own /etc/passwd, which is not visible here.
  const dep = loaded.deployment;
  const old = loaded.version.max.major < 5 || (loaded.version.max.major === 5 && loaded.version.max.minor < 3);
  const userName = dep.serviceUser.from === 'default' && old ? 'onlyoffice' : dep.serviceUser.value;
  const ownAccounts = dep.kind !== 'compose' && dep.kind !== 'docker-container';
  const serviceUser = passwd.ok && ownAccounts ? findAccount(passwd.text, group.ok ? group.text : '', userName) : undefined;

  const secretFiles = new Map<string, { stat?: FileStat; content?: string; error?: string }>();
  const secrets = getPath(loaded.effective.value, 'services.CoAuthoring.secret');
  if (isPlainObject(secrets)) {
    for (const slot of Object.values(secrets)) {
      const file = isPlainObject(slot) ? slot.file : undefined;
      if (typeof file === 'string' && file && !secretFiles.has(file)) {
        const r = await host.read(file);
        secretFiles.set(file, r.ok ? { stat: r.stat, content: r.text } : { ...(r.stat ? { stat: r.stat } : {}), error: r.message });
      }
    }
  }
  const docker = isDockerKind(dep.kind);
  // copies of configuration files: read through the host like any layer (size and file-type limits live there)
  const configCopies: ConfigCopyFact[] = [];
  for (const c of loaded.copies) {
    const r = await host.read(c.file);
    configCopies.push({
      file: c.file,
      label: c.label,
      ...(c.of ? { of: c.of } : {}),
      ...(r.stat ? { stat: r.stat } : {}),
      ...(r.ok ? { text: r.text } : { error: r.message }),
    });
  }
  return { ...(serviceUser ? { serviceUser } : {}), secretFiles, docker, configCopies, deployment: dep };
}
