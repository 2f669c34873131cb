/**
 * Stock-install trees (fixtures/installs/<name>) made whole under a temporary root: the fixture's files, plus the
 * release's upstream default.json and production-linux.json from ../shared/ds-configs (never copied into the repo),
 * plus what each install generates at start (NixOS's prestart patch, the Docker image's supervisor programs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO, SHARED_CONFIGS } from './context.js';
import { makeRoot } from './cli.js';

export function copyTree(from: string, to: string): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyTree(src, dst);
    } else if (e.name !== 'README.md' && e.name !== '.keep') fs.copyFileSync(src, dst);
  }
}

/** The release's shipped files into a host directory of `root`. */
export function addShipped(root: string, release: string, hostDir: string): void {
  const dir = path.join(root, hostDir);
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['default.json', 'production-linux.json']) fs.copyFileSync(path.join(SHARED_CONFIGS, release, 'server', name), path.join(dir, name));
}

/** A copy of fixtures/installs/<name> below a fresh temporary root. */
export function fixtureRoot(name: string): string {
  const root = makeRoot(undefined);
  fs.rmSync(path.join(root, 'etc'), { recursive: true, force: true });
  copyTree(path.join(REPO, 'fixtures/installs', name), root);
  return root;
}

/**
 * NixOS: what the module's prestart leaves in /run/onlyoffice/config at every start — the package's files, default.json
 * patched with jq (port, sql, rabbitmq; with jwtSecretFile the three switches and the three secrets).
 */
export function nixosPrestart(root: string, release: string, withSecretFile: boolean): void {
  addShipped(root, release, 'run/onlyoffice/config');
  const file = path.join(root, 'run/onlyoffice/config/default.json');
  const d = JSON.parse(fs.readFileSync(file, 'utf8'));
  const co = d.services.CoAuthoring;
  co.server.port = 8000;
  Object.assign(co.sql, { dbHost: '/run/postgresql', dbName: 'onlyoffice', dbUser: 'onlyoffice' });
  if (withSecretFile) {
    const secret = fs.readFileSync(path.join(root, 'run/keys/onlyoffice-jwt'), 'utf8').replace(/\n+$/, '');
    co.token.enable.browser = true;
    co.token.enable.request.inbox = true;
    co.token.enable.request.outbox = true;
    for (const s of ['inbox', 'outbox', 'session']) co.secret[s].string = secret;
  }
  d.rabbitmq.url = 'amqp://guest:guest@localhost:5672';
  // jq prints with 2-space indentation
  fs.writeFileSync(file, JSON.stringify(d, null, 2) + '\n');
}

/** The image's supervisor programs for DocService and FileConverter and their group ds, as Dockerfile:129 leaves them (COMPANY_NAME → onlyoffice). */
export function dockerPrograms(root: string, release: string): void {
  const dir = path.join(root, 'etc/supervisor/conf.d');
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['ds.conf', 'ds-docservice.conf', 'ds-converter.conf']) {
    const text = fs.readFileSync(path.join(SHARED_CONFIGS, release, 'docker', name), 'utf8').replace(/COMPANY_NAME/g, 'onlyoffice');
    fs.writeFileSync(path.join(dir, name), text);
  }
}

/** /proc/1/environ of the container (NUL-separated, as the kernel shows it). */
export function procEnviron(root: string, vars: Readonly<Record<string, string>>): void {
  fs.mkdirSync(path.join(root, 'proc/1'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc/1/environ'), Object.entries({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin', DS_DOCKER_INSTALLATION: 'true', ...vars }).map(([k, v]) => `${k}=${v}\0`).join(''));
}

/** Every mode's tree, ready for check. */
export function installTree(name: string): string {
  const root = fixtureRoot(name);
  switch (name) {
    case 'nixos-9.2':
      nixosPrestart(root, 'v9.2.0', true);
      break;
    case 'yunohost-9.3':
      addShipped(root, 'v9.3.0', 'var/www/onlyoffice/config');
      fs.chmodSync(path.join(root, 'var/www/onlyoffice/config/local.json'), 0o400);
      break;
    case 'snap-9.4':
      addShipped(root, 'v9.3.0', 'var/snap/onlyoffice-ds/current/etc/onlyoffice/documentserver');
      break;
    case 'docker-9.2':
      addShipped(root, 'v9.2.0', 'etc/onlyoffice/documentserver');
      dockerPrograms(root, 'v9.2.0');
      break;
    case 'ansible-webarch-9.3':
    case 'ansible-debian-9.3':
    case 'rpm-9.3':
      addShipped(root, 'v9.3.0', 'etc/onlyoffice/documentserver');
      break;
    case 'service-custom-9.3':
      addShipped(root, 'v9.3.0', 'opt/ds/config');
      break;
    default:
      break;
  }
  return root;
}
