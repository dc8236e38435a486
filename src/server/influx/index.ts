import type { Router } from 'express';
import type { ForwarderStatus } from '../../shared/influx';
import type { Guards } from '../auth/guards';
import type { Config } from '../config';
import type { Db } from '../db/open';
import type { HealthCheck } from '../health';
import type { Logger } from '../logger';
import type { TelemetryService } from '../telemetry/service';
import { InfluxForwarder } from './forwarder';
import { InfluxQueryService } from './query';
import { createInfluxQueryRouter, createInfluxStatusRouter } from './routes';
import { createWriteRouter } from './write-routes';

export interface InfluxFeature {
  /** root router: POST /write and POST /api/v2/write */
  writeRouter: Router;
  /** mount at /api/telemetry/influx, before /api/telemetry */
  queryRouter: Router;
  /** mount at /api/influx */
  statusRouter: Router;
  healthCheck: HealthCheck;
  status(): ForwarderStatus;
  /** the forwarder, when INFLUX_URL is set */
  forwarder?: InfluxForwarder;
  start(): void;
  stop(): Promise<void>;
}

const NOT_CONFIGURED: ForwarderStatus = {
  configured: false,
  ok: true,
  target: null,
  version: null,
  position: 0,
  backlog: 0,
  pending_deletes: 0,
  lag_seconds: 0,
  forwarded_total: 0,
  last_success: null,
  last_error: null,
  last_error_at: null,
  retry_in_ms: null,
};

const bytes = (limit: string): number => {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit)!;
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
};

/** Everything InfluxDB in one place; station.ts mounts the routers and calls start/stop. */
export function createInflux(deps: { db: Db; config: Config; telemetry: TelemetryService; guards: Guards; logger: Logger }): InfluxFeature {
  const { db, config, telemetry, guards, logger } = deps;
  const influx = config.influx;
  const forwarder = influx.target ? new InfluxForwarder(db, influx.target, influx, logger.child({ component: 'influx-forwarder' })) : undefined;
  if (forwarder) {
    telemetry.onWrite(() => forwarder.nudge());
    // Without a target nothing is recorded: no table that grows and nobody to apply it.
    telemetry.recordDeletesWith((deleted) => forwarder.recordDelete(deleted.device_id, deleted.ts));
    telemetry.onDelete(() => forwarder.nudge());
  }
  const status = () => forwarder?.status() ?? NOT_CONFIGURED;
  const query = new InfluxQueryService(telemetry, influx.target, influx.queryTimeoutMs, logger);
  return {
    writeRouter: createWriteRouter({
      telemetry,
      guards,
      limits: { maxBytes: bytes(config.batchBodyLimit), maxReadings: config.batchMaxReadings, deviceTags: influx.deviceTags },
    }),
    queryRouter: createInfluxQueryRouter(query, guards),
    statusRouter: createInfluxStatusRouter(status, guards),
    healthCheck: () => {
      const s = status();
      return {
        ok: s.ok,
        configured: s.configured,
        backlog: s.backlog,
        pending_deletes: s.pending_deletes,
        lag_seconds: Math.round(s.lag_seconds),
        last_error: s.ok ? null : s.last_error,
      };
    },
    status,
    forwarder,
    start: () => forwarder?.start(),
    stop: async () => {
      await forwarder?.stop();
    },
  };
}
