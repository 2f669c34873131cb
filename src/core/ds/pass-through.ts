/**
 * Configuration objects DS hands to a library unchanged (so any key a library option takes is a real setting), and
 * scalar keys DS or the library it feeds converts before use (so a port written as "5432" works). The schema rules
 * (DSH114 unknown keys, DSH115 wrong types) judge a layer against default.json; these are the exemptions, each checked
 * against the DS source. Pure data plus two lookups.
 *
 * Citation format `server@<tag> (<commit>)`: ONLYOFFICE/server at the build tag; v9.3.0.140 = 93e793fd, v8.3.3.23 =
 * b926a4cd, v7.5.1.35 = c6442377, v7.0.0.133 = 08dbc856.
 */

/** An object whose members DS passes to a library (or reads as a map), so none of them is "not a setting". */
export interface PassThrough {
  /** Dotted path of the object; `*` matches any one member name (e.g. every secret slot). */
  readonly path: string;
  /** Where the members go, for messages and docs. */
  readonly into: string;
  /** Where DS does it. */
  readonly source: string;
}

export const PASS_THROUGH: readonly PassThrough[] = [
  {
    path: 'services.CoAuthoring.requestDefaults',
    into: 'the HTTP client of every outgoing request (http/https Agent and axios on 9.x, the request library before)',
    source:
      'server@v9.3.0.140 (93e793fd):Common/sources/utils.js:358-362,437-440,530-533 — cloned and spread into ' +
      '`new https.Agent({...https.globalAgent.options, ...options})` and the axios config; ' +
      'server@v8.3.3.23 (b926a4cd):Common/sources/utils.js:365 — extendDeep into the request() options',
  },
  {
    path: 'services.CoAuthoring.sql.pgPoolExtraOptions',
    into: 'the node-postgres Pool configuration',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/postgreConnector.js:43,58 (extendDeep into the pg.Pool config)',
  },
  {
    path: 'services.CoAuthoring.sql.mysqlExtraOptions',
    into: 'the mysql2 connection options',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/mysqlConnector.js:54-55 (Object.assign into the configuration)',
  },
  {
    path: 'services.CoAuthoring.sql.msSqlExtraOptions',
    into: 'the mssql (tedious) configuration',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/mssqlConnector.js:56-57 (deepMergeObjects into the configuration)',
  },
  {
    path: 'services.CoAuthoring.sql.oracleExtraOptions',
    into: 'the oracledb pool attributes',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/oracleConnector.js:58,71 (Object.assign into the configuration)',
  },
  {
    path: 'services.CoAuthoring.sql.damengExtraOptions',
    into: 'the Dameng connection string parameters',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/damengConnector.js:46,55 (every entry becomes a parameter)',
  },
  {
    path: 'services.CoAuthoring.redis.options',
    into: 'node-redis createClient',
    source:
      'the Redis connector is not in the public ONLYOFFICE/server tree; ONLYOFFICE/api.onlyoffice.com@edcb60d1:' +
      'site/docs/docs-api/get-started/configuration/server-config/redis.md ("passed directly to the node-redis createClient"); ' +
      'default.json ships it empty, and the official Docker entrypoint writes username/password/database into it ' +
      '(Docker-DocumentServer@ce582025:run-document-server.sh:378-382)',
  },
  {
    path: 'services.CoAuthoring.redis.optionsCluster',
    into: 'node-redis createCluster',
    source: 'ONLYOFFICE/api.onlyoffice.com@edcb60d1:site/docs/docs-api/get-started/configuration/server-config/redis.md (connector not public)',
  },
  {
    path: 'services.CoAuthoring.redis.iooptions',
    into: 'ioredis RedisOptions',
    source: 'ONLYOFFICE/api.onlyoffice.com@edcb60d1:site/docs/docs-api/get-started/configuration/server-config/redis.md (connector not public)',
  },
  {
    path: 'services.CoAuthoring.redis.iooptionsClusterOptions',
    into: 'ioredis Cluster options',
    source: 'ONLYOFFICE/api.onlyoffice.com@edcb60d1:site/docs/docs-api/get-started/configuration/server-config/redis.md (connector not public)',
  },
  {
    path: 'rabbitmq.socketOptions',
    into: 'amqplib connect',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/rabbitMQCore.js:39,46 (amqp.connect(url, socketOptions))',
  },
  {
    path: 'activemq.connectOptions',
    into: 'rhea connect',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/activeMQCore.js:38,53 (container.connect(connectOptions))',
  },
  {
    path: 'bottleneck.getChanges',
    into: 'bottleneck Group options',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/baseConnector.js:53,57 (new bottleneck.Group(options))',
  },
  {
    path: 'services.CoAuthoring.socketio.connection',
    into: 'the socket.io Server options',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/DocsCoServer.js:152,1830 (new Server(server, connection))',
  },
  {
    path: 'FileConverter.converter.spawnOptions',
    into: 'child_process.spawn options of x2t',
    source: 'server@v9.3.0.140 (93e793fd):FileConverter/sources/converter.js:71,1152-1155 (Object.assign({}, spawnOptions))',
  },
  {
    path: 'externalRequest.action.proxyHeaders',
    into: 'the headers of proxied outgoing requests (a header-name map)',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/utils.js:315-318 ({...options.headers, ...proxyHeaders})',
  },
  {
    path: 'storage.commandOptions.s3.*',
    into: 'the AWS SDK command input of that S3 command',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/storage/storage-s3.js:67-68 (Object.assign(input, commandOptions.s3[commandType]))',
  },
  {
    path: 'storage.commandOptions.az.*',
    into: 'the Azure SDK options of that command',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/storage/storage-az.js:78-79',
  },
  {
    path: 'email.connectionConfiguration',
    into: 'the nodemailer transport settings',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/mailService.js:38,47 (Object.assign over the defaults)',
  },
  {
    path: 'aiSettings.providers',
    into: 'a map of AI provider names',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/ai/aiProxyHandler.js:203-204 (for … in providers)',
  },
  {
    path: 'aiSettings.actions',
    into: 'a map of AI action names',
    source: 'server@v9.3.0.140 (93e793fd):DocService/sources/ai/aiProxyHandler.js:356-358 (for … in actions)',
  },
  {
    path: 'services.CoAuthoring.secret.*.tenants',
    into: 'a map of JWT issuer (iss) → secret (DS ≤ 7.1)',
    source: 'server@v7.0.0.133 (08dbc856):Common/sources/utils.js:824-843 (secretElem.tenants[iss])',
  },
];

/**
 * Objects that take the members of another object: DS deep-merges `storage` under `persistentStorage`, so every
 * storage key is a persistentStorage key (server@v9.3.0.140 (93e793fd):Common/sources/operationContext.js:113-115,187-188).
 */
export const ALIASES: Readonly<Record<string, string>> = { persistentStorage: 'storage' };

function matches(pattern: readonly string[], segs: readonly string[]): boolean {
  return pattern.length === segs.length && pattern.every((p, i) => p === '*' || p === segs[i]);
}

/** The pass-through object `key` lies strictly below, if any ("…requestDefaults.family" → requestDefaults). */
export function passThroughAncestor(key: string): PassThrough | undefined {
  const segs = key.split('.');
  for (const pt of PASS_THROUGH) {
    const p = pt.path.split('.');
    if (segs.length > p.length && matches(p, segs.slice(0, p.length))) return pt;
  }
  return undefined;
}

/** A key default.json types one way that DS (or the library it feeds) also accepts written another way. */
export interface Coercion {
  readonly path: string;
  /**
   * port: a whole number 0–65535, as a number or as a string of digits (Node's net/dgram take both);
   * true-string: the string "true" where a boolean belongs, because DS tests the value for truthiness.
   */
  readonly accepts: 'port' | 'true-string';
  readonly source: string;
}

export const COERCED: readonly Coercion[] = [
  {
    path: 'services.CoAuthoring.sql.dbPort',
    accepts: 'port',
    source:
      'server@v9.3.0.140 (93e793fd):DocService/sources/databaseConnectors/postgreConnector.js:48, mysqlConnector.js:44, ' +
      'mssqlConnector.js:49 (parseInt(dbPort)); damengConnector.js:54 and oracleConnector.js:54 put it into a connection ' +
      'string; server@v7.5.1.35 (c6442377):DocService/sources/postgreSqlBaseConnector.js:47 hands it to node-postgres, which ' +
      'parseInts it (lib/connection-parameters.js). The deb postinst, the rpm configure script and the Docker entrypoint ' +
      "write it as a string (document-server-package@01c980c1:deb/template/postinst.m4:192, rpm/bin/documentserver-configure.sh.m4:244; " +
      'Docker-DocumentServer@ce582025:run-document-server.sh:323)',
  },
  {
    path: 'services.CoAuthoring.server.port',
    accepts: 'port',
    source:
      "server@v9.3.0.140 (93e793fd):DocService/sources/server.js:170 (server.listen(port)): Node's listen takes a string of digits " +
      'as a port (observed: "8000" works; "abc" becomes a socket path, ds-observed §3f)',
  },
  {
    path: 'services.CoAuthoring.redis.port',
    accepts: 'port',
    source:
      'the Redis connector is not public; the official installers write the port as a string ' +
      '(Docker-DocumentServer@ce582025:run-document-server.sh:376, document-server-package@01c980c1:rpm/bin/documentserver-configure.sh.m4:294, ' +
      'ONLYOFFICE/ansible-role-documentserver@8db22686:tasks/Debian.yml "Set up redis port number"), and node-redis/ioredis hand it to net.connect',
  },
  {
    path: 'activemq.connectOptions.port',
    accepts: 'port',
    source:
      'server@v9.3.0.140 (93e793fd):Common/sources/activeMQCore.js:38,53 (rhea → net.connect); written as a string by ' +
      'Docker-DocumentServer@ce582025:run-document-server.sh:345 and document-server-package@01c980c1:rpm/bin/documentserver-configure.sh.m4:262',
  },
  {
    path: 'statsd.port',
    accepts: 'port',
    source: 'server@v9.3.0.140 (93e793fd):Common/sources/statsdclient.js:40,45 (new StatsD({port})); default.json itself ships "8125"',
  },
  {
    path: 'statsd.useMetrics',
    accepts: 'true-string',
    source:
      'server@v9.3.0.140 (93e793fd):Common/sources/statsdclient.js:38,44 (if (useMetrics)); the Docker entrypoint writes ' +
      "'true' (Docker-DocumentServer@ce582025:run-document-server.sh:313)",
  },
];

function isPort(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 65535;
  return typeof v === 'string' && /^\d{1,5}$/.test(v) && Number(v) <= 65535;
}

/** The coercion that makes `value` at `key` work as DS means it, if any. */
export function coercionFor(key: string, value: unknown): Coercion | undefined {
  const c = COERCED.find((x) => x.path === key);
  if (!c) return undefined;
  if (c.accepts === 'port') return isPort(value) ? c : undefined;
  return value === 'true' ? c : undefined;
}
