import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { createCache, type Cache } from './cache';
import { cacheTelemetryStats } from './cache/telemetry-cache';
import { startJobs, type Jobs } from './jobs';
import { STATION_JOBS } from './station-jobs';
import { AuditLog } from './audit/repository';
import { createAlarmScheduler } from './ml/alarm-scheduler';
import { createMl } from './ml/routes';
import { createAuditRouter } from './audit/routes';
import { KeysRepository } from './auth/keys-repository';
import { RevokedTokens } from './auth/revoked-tokens';
import { createAccountsRouter } from './auth/routes';
import { createPreferencesRouter } from './preferences/routes';
import { createSecurity } from './auth/security';
import { AuthService } from './auth/service';
import { loadJwtSecret, TokenIssuer } from './auth/tokens';
import { UsersRepository } from './auth/users-repository';
import type { Config } from './config';
import { migrateAsync, type LayoutProgress } from './db/migrate';
import { layoutProgressLogger } from './db/layout-progress-log';
import { startCheckpointer } from './db/checkpointer';
import { closeDatabase, openDatabase, type Db } from './db/open';
import { DeviceRepository } from './devices/repository';
import { ensurePrivateDir } from './files/private';
import { createHealthRouter } from './health';
import { hostCheck, isLoopbackHost } from './http/host-check';
import { createInflux } from './influx';
import { createLogger, type Logger } from './logger';
import { buildDocument, OpenAPIRegistry, registerRoutes } from './openapi/registry';
import { rendererDir } from './paths';
import { declaredRoutes } from '../shared/api';
import { deviceRoutes, telemetryRoutes } from '../shared/api/telemetry';
import { createRouteTable } from './http/route-table';
import { createBatchesRouter } from './batches/routes';
import { TelemetryRepository } from './telemetry/repository';
import { createTelemetryRoutes } from './telemetry/routes';
import { TelemetryService } from './telemetry/service';
import { TelemetryStats } from './telemetry/stats';
import { VERSION } from './version';
import { createSettingsRouter } from './settings/routes';
import { SettingsService } from './settings/service';
import { SettingsFile } from './settings/store';
import { ensureFirstAdmin } from './auth/first-admin';
import { createFieldModbus } from './field/modbus';
import { createFieldMqtt } from './field/mqtt';

export interface Station {
  url: string;
  port: number;
  db: Db;
  config: Config;
  logger: Logger;
  telemetry: TelemetryService;
  auth: AuthService;
  /** the station's cache (Redis or in-memory); features cache through its get/set/del */
  cache: Cache;
  jobs: Jobs;
  close(): Promise<void>;
}

export interface StationOptions {
  logger?: Logger;
  /** called with a generated first admin password, which is shown exactly once */
  onGeneratedAdminPassword?: (username: string, password: string) => void;
  /** progress of a data move an update left to do before the station can listen (logged as well) */
  onMigrationProgress?: (p: LayoutProgress) => void;
  /** aborting it stops such a move between two batches: start rejects with LayoutMoveStopped, nothing is lost */
  signal?: AbortSignal;
}

/** Opens the store, wires every feature, and listens. `close()` undoes it all, in reverse. */
export async function startStation(config: Config, options: StationOptions = {}): Promise<Station> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logPretty);
  ensurePrivateDir(config.dataDir);
  const db = openDatabase(config.databasePath, { maxPageCount: config.dbMaxPageCount });
  try {
    const log = layoutProgressLogger(logger);
    await migrateAsync(db, {
      signal: options.signal,
      onProgress: (p) => {
        log(p);
        options.onMigrationProgress?.(p);
      },
    });
  } catch (err) {
    closeDatabase(db);
    throw err;
  }

  const audit = new AuditLog(db);
  const users = new UsersRepository(db);
  const keys = new KeysRepository(db);
  const tokens = new TokenIssuer(loadJwtSecret(config.jwtSecretFile, config.jwtSecret), config.tokenTtlSeconds);
  const revoked = new RevokedTokens(db);
  const auth = new AuthService(users, keys, tokens, audit, revoked, (fn) => db.transaction(fn)());
  await ensureFirstAdmin(users, auth, config, options.onGeneratedAdminPassword);
  // Rate-limit counters live in Redis when it is configured (shared by every process), else in memory.
  const security = await createSecurity({ config, tokens, users, keys, revoked, audit, auth, logger });
  const { guards } = security;

  const telemetryRepo = new TelemetryRepository(db);
  const telemetry = new TelemetryService(telemetryRepo, audit);
  const stats = new TelemetryStats(db);
  const devices = new DeviceRepository(db);
  const cache = await createCache(config, logger);
  const cachedTelemetry = cacheTelemetryStats(cache, telemetry, config.cache.ttlSeconds);
  const jobs = await startJobs(config, db, logger, guards, audit, STATION_JOBS);

  const ml = createMl({ db, logger, guards, dataDir: config.dataDir, audit, bodyLimit: config.bodyLimit, jobs });
  const alarmScheduler = createAlarmScheduler(ml.alarms, logger);
  if (config.mlAlarms) telemetry.onWrite((deviceIds) => alarmScheduler.notify(deviceIds));
  const influx = createInflux({ db, config, telemetry, guards, logger });
  const mqtt = createFieldMqtt({ db, config, telemetry, keys, guards, audit, logger });
  const modbus = createFieldModbus({ db, config, telemetry, guards, audit, jobs, logger });
  const batches = createBatchesRouter({ db, guards, audit, cache, lossTolerancePct: config.batchLossTolerancePct, bodyLimit: config.bodyLimit, logger });

  const registry = new OpenAPIRegistry();
  registerRoutes(registry, declaredRoutes);
  let document: object | undefined;

  const settings = new SettingsService(new SettingsFile(config.dataDir));
  const devicesRouter = createRouteTable({ base: '/api/devices', guards, bodyLimit: config.bodyLimit }).on(deviceRoutes.list, () => {
    const online = mqtt.field.presence();
    return online.size ? devices.list().map((d) => (online.has(d.device_id) ? { ...d, online: online.get(d.device_id) } : d)) : devices.list();
  }).router;
  const telemetryTable = createTelemetryRoutes({ config, service: telemetry, stats, guards, cachedStats: cachedTelemetry.cachedStats });
  const listener = createApp({
    logger,
    authenticate: security.authenticate,
    publicRouters: [
      createHealthRouter(db, VERSION, {
        redis: () => (config.redis ? { ...cache.health(), url: config.redis.display } : { ok: true, configured: false }),
        cache: () => cache.health(),
        jobs: () => jobs.queue.health(),
        influx: influx.healthCheck,
      }),
      ...security.publicRouters,
    ],
    rootRouters: [influx.writeRouter],
    apiRouters: {
      // before '/telemetry': its GET /:id would otherwise take "export" for a reading id
      '/telemetry/export/async': jobs.exportAsyncRouter,
      '/telemetry/influx': influx.queryRouter,
      '/influx': influx.statusRouter,
      '/telemetry': telemetryTable.router,
      '/tasks': jobs.tasksRouter,
      '/ml': ml.router,
      '/alarms': ml.alarmsRouter,
      '/oil': batches.router,
      '/devices': devicesRouter,
      '/field': modbus.router,
      '/field/mqtt': mqtt.router,
      '/audit': createAuditRouter(audit, guards),
      '/settings': createSettingsRouter({ service: settings, guards, audit, host: config.host }),
      '/me/preferences': createPreferencesRouter({ db, audit, stationUnits: () => settings.units() }),
      '': createAccountsRouter(auth, guards),
    },
    openApiDocument: () => (document ??= buildDocument(registry)),
    rendererDir: config.serveUi ? rendererDir : undefined,
    corsOrigins: config.corsOrigins,
    hostCheck: hostCheck({ lan: !isLoopbackHost(config.host), extra: config.allowedHosts }),
    fastLane: { method: 'POST', path: telemetryRoutes.create.path, chain: telemetryTable.chainOf(telemetryRoutes.create) },
  });

  const checkpointer = startCheckpointer(db, config.databasePath, logger);
  // Everything above holds resources (database, timers, Redis connections): release them when the
  // port cannot be had, so a caller that retries (the desktop app) does not leak them.
  const releaseAll = async () => {
    alarmScheduler.stop();
    // before the database closes: a poll being stored must finish, and the ports close
    await modbus.stop();
    // before the database closes: a message being stored must finish, and STATE goes offline
    await mqtt.stop();
    // before the database closes: a batch in flight must record its acknowledgement
    await influx.stop();
    await jobs.close();
    await cache.close();
    await security.close();
    await checkpointer.stop();
    closeDatabase(db);
  };
  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      const s = createServer(listener);
      s.once('error', reject);
      s.listen(config.port, config.host, () => resolve(s));
    });
  } catch (err) {
    await releaseAll();
    throw err;
  }
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  logger.info({ url, db: config.databasePath }, 'station listening');
  influx.start();
  modbus.start();
  await mqtt.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await releaseAll();
      logger.info('station stopped');
    })());

  return { url, port, db, config, logger, telemetry, auth, cache, jobs, close };
}
