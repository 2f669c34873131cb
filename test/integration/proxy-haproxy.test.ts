/** ds-harden proxy --type haproxy: the emitted snippet in a real haproxy (Debian package) — see proxy-scenario.ts. */
import { proxyScenario } from './proxy-scenario.js';
import { startHaproxy } from '../support/proxies.js';

proxyScenario('haproxy', startHaproxy);
