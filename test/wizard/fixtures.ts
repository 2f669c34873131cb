/** What the wizard detects on a stock DS 9.3 tree (the public default secret, no ipfilter rules), for unit tests. */
import type { Detected } from '../../src/commands/wizard/detect.js';

export const STOCK_DETECTED: Detected = {
  configDir: '/etc/onlyoffice/documentserver',
  dsVersion: '9.3.0',
  deployment: { kind: 'host', label: 'installed on this host' },
  secret: { state: 'weak', ruleId: 'DSH300', reason: 'it is the public default' },
  header: 'Authorization',
  allow: [],
  allowsEveryone: true,
  useforrequest: false,
  blockers: [],
};

/** A strong secret (random letters and digits), as an installer or --generate-secret makes one. */
export const STRONG_SECRET = 'q8Vd2LmX7rT4pZ9cK1wN6bY3sH5gJ0fA2eU7iO9x';
