/** ds-harden proxy --type nginx: the emitted snippet in a real nginx (Debian package) — see proxy-scenario.ts. */
import { proxyScenario } from './proxy-scenario.js';
import { startNginx } from '../support/proxies.js';

proxyScenario('nginx', startNginx);
