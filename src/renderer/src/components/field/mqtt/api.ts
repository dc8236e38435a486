import { useQuery } from '@tanstack/react-query';
import { fieldMqttRoutes as routes } from '../../../../../shared/api/field-mqtt';
import type { MqttConfigUpdate, MqttConnectionTest } from '../../../../../shared/field-mqtt';
import { call } from '../../../api/client';

/** MQTT status (connection, rates, Sparkplug nodes): asked again every few seconds while shown. */
export const useMqttStatus = (refetchMs: number | false = 3_000) =>
  useQuery({ queryKey: ['field', 'mqtt', 'status'], queryFn: () => call(routes.status, {}), refetchInterval: refetchMs });
export const useMqttConfig = (enabled: boolean) => useQuery({ queryKey: ['field', 'mqtt', 'config'], queryFn: () => call(routes.get, {}), enabled });

export const saveMqttConfig = (body: MqttConfigUpdate) => call(routes.update, { body });
export const testMqtt = (body: MqttConnectionTest) => call(routes.test, { body });
export const requestRebirth = (group: string, node: string) => call(routes.rebirth, { params: { group, node } });
