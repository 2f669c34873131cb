/** A stand-in Nextcloud with the ONLYOFFICE app for a DS set up by apply-env.ts: its occ (test/support/standin-occ.mjs), its state and call log. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DsEnv } from './apply-env.js';

export const STANDIN_OCC = fileURLToPath(new URL('../support/standin-occ.mjs', import.meta.url));

export interface Nc {
  /** the --nextcloud-occ value */
  occ: string;
  env: Record<string, string>;
  state(): { app: Record<string, string>; system: Record<string, string> };
  calls(): { argv: string[]; stdin: string; env: Record<string, string> }[];
}

export function makeNc(ds: DsEnv, app: Record<string, string> = {}): Nc {
  const dir = path.join(ds.root, 'nextcloud');
  fs.mkdirSync(dir, { recursive: true });
  const state = path.join(dir, 'occ-state.json');
  const log = path.join(dir, 'occ-calls.jsonl');
  fs.writeFileSync(state, JSON.stringify({ app: { DocumentServerUrl: `http://127.0.0.1:${ds.port}/`, ...app }, system: {}, absoluteUrl: 'http://nc.test/' }));
  return {
    occ: `${process.execPath} ${STANDIN_OCC}`,
    env: { STANDIN_OCC_STATE: state, STANDIN_OCC_LOG: log },
    state: () => JSON.parse(fs.readFileSync(state, 'utf8')),
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
  };
}
