import { accountRoutes } from './accounts';
import type { RouteDef } from './route';
import { batchRoutes } from './batches';
import { fieldModbusRoutes } from './field-modbus';
import { fieldMqttRoutes } from './field-mqtt';
import { influxRoutes } from './influx';
import { jobRoutes } from './jobs';
import { alarmRoutes, mlRoutes } from './ml';
import { settingsRoutes } from './settings';
import { stationRoutes } from './station';
import { deviceRoutes, telemetryRoutes } from './telemetry';

/** Every declared route, in the order the OpenAPI document lists them. */
export const declaredRoutes: readonly RouteDef[] = [
  stationRoutes,
  accountRoutes,
  telemetryRoutes,
  influxRoutes,
  jobRoutes,
  mlRoutes,
  alarmRoutes,
  batchRoutes,
  deviceRoutes,
  settingsRoutes,
  fieldModbusRoutes,
  fieldMqttRoutes,
].flatMap((group) => Object.values(group));
