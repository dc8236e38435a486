import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { createApp } from './app';
import { AuditLog } from './audit/repository';
import { createAuditRouter } from './audit/routes';
import { KeysRepository } from './auth/keys-repository';
import { createAccountsRouter } from './auth/routes';
import { createSecurity } from './auth/security';
import { AuthService } from './auth/service';
import { loadJwtSecret, TokenIssuer } from './auth/tokens';
import { UsersRepository } from './auth/users-repository';
import type { Config } from './config';
import { migrate } from './db/migrate';
import { closeDatabase, openDatabase, type Db } from './db/open';
import { DeviceRepository } from './devices/repository';
import { createHealthRouter } from './health';
import { createLogger, type Logger } from './logger';
import { buildDocument, OpenAPIRegistry } from './openapi/registry';
import { rendererDir } from './paths';
import { registerTelemetryDocs } from './telemetry/openapi';
import { TelemetryRepository } from './telemetry/repository';
import { createTelemetryRouter } from './telemetry/routes';
import { TelemetryService } from './telemetry/service';
import { TelemetryStats } from './telemetry/stats';
import { VERSION } from './version';
import { registerSettingsDocs } from './settings/openapi';
import { createSettingsRouter } from './settings/routes';
import { SettingsService } from './settings/service';
import { SettingsFile } from './settings/store';
import { ensureFirstAdmin } from './auth/first-admin';

export interface Station {
  url: string;
  port: number;
  db: Db;
  config: Config;
  logger: Logger;
  telemetry: TelemetryService;
  auth: AuthService;
  close(): Promise<void>;
}

export interface StationOptions {
  logger?: Logger;
  /** called with a generated first admin password, which is shown exactly once */
  onGeneratedAdminPassword?: (username: string, password: string) => void;
}

/** Opens the store, wires every feature, and listens. `close()` undoes it all, in reverse. */
export async function startStation(config: Config, options: StationOptions = {}): Promise<Station> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logPretty);
  const db = openDatabase(config.databasePath);
  try {
    migrate(db);
  } catch (err) {
    closeDatabase(db);
    throw err;
  }

  const audit = new AuditLog(db);
  const users = new UsersRepository(db);
  const keys = new KeysRepository(db);
  const tokens = new TokenIssuer(loadJwtSecret(config.jwtSecretFile, config.jwtSecret), config.tokenTtlSeconds);
  const auth = new AuthService(users, keys, tokens, audit);
  await ensureFirstAdmin(users, auth, config, options.onGeneratedAdminPassword);
  // Rate-limit counters stay in memory until the Redis client is passed as `sendCommand` here.
  const security = createSecurity({ config, tokens, users, keys, audit, auth });
  const { guards } = security;

  const telemetryRepo = new TelemetryRepository(db);
  const telemetry = new TelemetryService(telemetryRepo);
  const stats = new TelemetryStats(db);
  const devices = new DeviceRepository(db);

  const registry = new OpenAPIRegistry();
  registerTelemetryDocs(registry);
  registerSettingsDocs(registry);
  let document: object | undefined;

  const devicesRouter = Router().get('/', guards.read, (_req, res) => void res.json(devices.list()));
  const app = createApp({
    logger,
    authenticate: security.authenticate,
    publicRouters: [createHealthRouter(db, VERSION), ...security.publicRouters],
    rootRouters: [],
    apiRouters: {
      '/telemetry': createTelemetryRouter({ config, service: telemetry, stats, guards }),
      '/devices': devicesRouter,
      '/audit': createAuditRouter(audit, guards),
      '/settings': createSettingsRouter({ service: new SettingsService(new SettingsFile(config.dataDir)), guards, audit, host: config.host }),
      '': createAccountsRouter(auth, guards),
    },
    openApiDocument: () => (document ??= buildDocument(registry)),
    rendererDir: config.serveUi ? rendererDir : undefined,
    corsOrigins: config.corsOrigins,
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  logger.info({ url, db: config.databasePath }, 'station listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      closeDatabase(db);
      logger.info('station stopped');
    })());

  return { url, port, db, config, logger, telemetry, auth, close };
}
