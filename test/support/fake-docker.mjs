#!/usr/bin/env node
/**
 * Test stand-in for the `docker` CLI with the Compose v2 plugin, for the compose apply path (this machine and CI have no
 * Docker engine). It reads the compose files with the same `yaml` library ds-harden bundles, so `config -q` refuses a file
 * that does not parse or names an env_file that does not exist — the checks docker compose makes before anything runs.
 *
 * Environment:
 *   FAKE_DOCKER_LOG      argv log, one JSON line per call: {argv, cwd, secretInEnv}
 *   FAKE_DOCKER_UP_FAIL  "1": `compose up` fails (exit 1, "container … is unhealthy") while a file named in it holds the
 *                        marker FAKE_DOCKER_FAIL_WHILE (so the re-creation after a rollback succeeds)
 *   FAKE_DOCKER_SECRET   a value that must never appear in the child's environment (recorded as secretInEnv)
 *   FAKE_DOCKER_INSPECT  a file whose text `docker inspect --type container NAME` prints (any other name: "No such container")
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const argv = process.argv.slice(2);
const log = process.env.FAKE_DOCKER_LOG;
const secret = process.env.FAKE_DOCKER_SECRET;
if (log) fs.appendFileSync(log, JSON.stringify({ argv, cwd: process.cwd(), secretInEnv: Boolean(secret) && Object.values(process.env).some((v) => v?.includes(secret) && v !== secret) }) + '\n');
if (argv[0] === 'inspect') {
  const name = argv[argv.length - 1];
  const file = process.env.FAKE_DOCKER_INSPECT;
  if (file && name === 'nextcloud-aio-onlyoffice') {
    process.stdout.write(fs.readFileSync(file, 'utf8'));
    process.exit(0);
  }
  process.stderr.write(`Error: No such container: ${name}\n`);
  process.exit(1);
}
if (argv[0] !== 'compose') {
  process.stderr.write(`fake docker: only compose is supported (${argv.join(' ')})\n`);
  process.exit(1);
}
if (argv[1] === 'version') {
  process.stdout.write('Docker Compose version v2.29.7 (fake)\n');
  process.exit(0);
}
const files = [];
let i = 1;
for (; i < argv.length && argv[i] === '-f'; i += 2) files.push(path.resolve(argv[i + 1]));
const cmd = argv.slice(i);
for (const f of files) {
  const doc = parseDocument(fs.readFileSync(f, 'utf8'));
  if (doc.errors.length) {
    process.stderr.write(`yaml: ${doc.errors[0].message}\n`);
    process.exit(15);
  }
  for (const [name, svc] of Object.entries(doc.toJS().services ?? {})) {
    const envFiles = svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
    for (const e of envFiles) {
      const p = path.resolve(path.dirname(files[0]), typeof e === 'string' ? e : e.path);
      if (!fs.existsSync(p)) {
        process.stderr.write(`service "${name}": env file ${p} not found\n`);
        process.exit(14);
      }
    }
  }
}
if (cmd[0] === 'config') process.exit(0);
if (cmd[0] === 'up') {
  const marker = process.env.FAKE_DOCKER_FAIL_WHILE;
  const failing = process.env.FAKE_DOCKER_UP_FAIL === '1' && (!marker || files.some((f) => fs.readFileSync(f, 'utf8').includes(marker)));
  if (failing) {
    process.stderr.write(`container onlyoffice-documentserver is unhealthy\n`);
    process.exit(1);
  }
  process.stdout.write(`Container ${cmd[cmd.length - 1]}  Started\n`);
  process.exit(0);
}
process.stderr.write(`fake docker: unsupported compose command ${cmd.join(' ')}\n`);
process.exit(1);
