import { accountRoutes } from './accounts';
import type { RouteDef } from './route';
import { batchRoutes } from './batches';
import { influxRoutes } from './influx';
import { jobRoutes } from './jobs';
import { alarmRoutes, mlRoutes } from './ml';
import { settingsRoutes } from './settings';
import { deviceRoutes, telemetryRoutes } from './telemetry';

/** Every declared route, in the order the OpenAPI document lists them. */
export const declaredRoutes: readonly RouteDef[] = [
  accountRoutes,
  telemetryRoutes,
  influxRoutes,
  jobRoutes,
  mlRoutes,
  alarmRoutes,
  batchRoutes,
  deviceRoutes,
  settingsRoutes,
].flatMap((group) => Object.values(group));
