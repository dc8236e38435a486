import type { Router } from 'express';
import type { AuditEntry } from '../../audit/repository';
import type { Guards } from '../../auth/guards';
import type { Config } from '../../config';
import type { Db } from '../../db/open';
import type { JobStore } from '../../jobs/store';
import type { Logger } from '../../logger';
import type { TelemetryService } from '../../telemetry/service';
import { Poller } from './poller';
import { ModbusRepository } from './repository';
import { createFieldRouter } from './routes';
import { ScanRunner } from './scan';
import { ModbusService } from './service';

export interface FieldModbusDeps {
  db: Db;
  config: Config;
  telemetry: TelemetryService;
  guards: Guards;
  audit: { record(e: AuditEntry): void };
  jobs: { store: JobStore };
  logger: Logger;
}

export interface FieldModbus {
  /** mounted at /api/field */
  router: Router;
  /** starts polling the stored devices (call once the station listens) */
  start(): void;
  /** stops polls and scans and closes every port; call before the database closes */
  stop(): Promise<void>;
}

/** The Modbus side of field devices: stored devices, the poller, bus scans and their routes. */
export function createFieldModbus(deps: FieldModbusDeps): FieldModbus {
  const logger = deps.logger.child({ component: 'modbus' });
  const repo = new ModbusRepository(deps.db);
  const poller = new Poller({ telemetry: deps.telemetry, logger });
  const service = new ModbusService(repo, poller, deps.audit);
  const scans = new ScanRunner({ store: deps.jobs.store, config: deps.config, logger, poller });
  const router = createFieldRouter({ service, poller, scans, store: deps.jobs.store, guards: deps.guards, bodyLimit: deps.config.bodyLimit });
  return {
    router,
    start: () => poller.start(repo.list()),
    async stop() {
      await scans.stop();
      await poller.stop();
    },
  };
}
