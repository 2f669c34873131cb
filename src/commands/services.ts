/** Connect the service manager and health probe that apply, rollback and rotate-secret use (adapters chosen by flags). */
import { UsageError } from '../cli/errors.js';
import type { ServicePort } from '../adapters/services/port.js';
import type { HealthPort } from '../apply/transaction.js';
import type { ServiceOptions } from '../apply/pipeline.js';

export type { ServiceOptions } from '../apply/pipeline.js';

/**
 * The service manager DS runs under, or undefined with --service-manager none. `env` is the whole environment of
 * the children (supervisorctl, systemctl): the caller leaves out the variable that holds a secret.
 * `say` tells the user about --service-manager none.
 */
export async function connectServices(o: ServiceOptions, env: Record<string, string>, say: (s: string) => void): Promise<ServicePort | undefined> {
  if (o.serviceManager === 'none') {
    say('note: --service-manager none: the file is written, nothing is restarted or verified.');
    return undefined;
  }
  if (o.serviceManager === 'auto' || o.serviceManager === 'supervisor') {
    const { Supervisor, SupervisorUnavailableError, detectPrograms } = await import('../adapters/services/supervisor.js');
    const sup = new Supervisor({ ...(o.supervisorConf ? { confPath: o.supervisorConf } : {}), env });
    try {
      const states = await sup.status();
      if (detectPrograms(states).docservice || o.serviceManager === 'supervisor') {
        const { supervisorPort } = await import('../adapters/services/port.js');
        return supervisorPort(sup);
      }
    } catch (e) {
      if (!(e instanceof SupervisorUnavailableError)) throw e;
      if (o.serviceManager === 'supervisor' || o.supervisorConf) throw new UsageError(`${o.supervisorConf ? `--supervisor-conf ${o.supervisorConf}` : '--service-manager supervisor'}: ${e.message}`);
    }
  }
  if (o.serviceManager === 'auto' || o.serviceManager === 'systemd') {
    const { Systemd } = await import('../adapters/services/systemd.js');
    const sd = new Systemd({ env });
    if (await sd.available()) {
      const { systemdPort } = await import('../adapters/services/port.js');
      return systemdPort(sd);
    }
    if (o.serviceManager === 'systemd') throw new UsageError('--service-manager systemd: no ds-docservice unit found');
  }
  throw new UsageError(
    'found no DS services under supervisor (ds:docservice) or systemd (ds-docservice): pass --supervisor-conf FILE, ' +
      '--service-manager supervisor|systemd, or --service-manager none to only write the file (no restart, no verification)',
  );
}

export function makeHealth(o: ServiceOptions): HealthPort | undefined {
  if (!o.healthUrl) return undefined;
  const url = o.healthUrl;
  return {
    async check(signal) {
      const { probeHealth, describeHealth } = await import('../adapters/health.js');
      const r = await probeHealth(url, { timeoutMs: 3000, deadlineMs: o.healthTimeoutMs, intervalMs: 250, ...(signal ? { signal } : {}) });
      return { ok: r.ok, detail: describeHealth(r) };
    },
  };
}
