import type { Router } from 'express';
import type { AuditLog } from '../../audit/repository';
import type { Guards } from '../../auth/guards';
import type { KeysRepository } from '../../auth/keys-repository';
import type { Config } from '../../config';
import type { Db } from '../../db/open';
import type { Logger } from '../../logger';
import type { TelemetryService } from '../../telemetry/service';
import { MqttRepository } from './repository';
import { createMqttRouter } from './routes';
import { MqttField } from './service';

export interface FieldMqtt {
  field: MqttField;
  router: Router;
  /** connects to the broker / starts the embedded one, per the configuration (never throws: errors show in status) */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createFieldMqtt(deps: {
  db: Db;
  config: Config;
  telemetry: TelemetryService;
  keys: KeysRepository;
  guards: Guards;
  audit: AuditLog;
  logger: Logger;
}): FieldMqtt {
  const field = new MqttField({
    db: deps.db,
    repo: new MqttRepository(deps.db),
    telemetry: deps.telemetry,
    keys: deps.keys,
    envConfig: deps.config.mqtt,
    listenHost: deps.config.host,
    logger: deps.logger.child({ component: 'mqtt' }),
    audit: deps.audit,
  });
  return { field, router: createMqttRouter(field, deps.guards), start: () => field.start(), stop: () => field.stop() };
}
