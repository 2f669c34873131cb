/** ds-harden proxy --type apache: the emitted snippet in a real apache (Debian package) — see proxy-scenario.ts. */
import { proxyScenario } from './proxy-scenario.js';
import { startApache } from '../support/proxies.js';

proxyScenario('apache', startApache);
