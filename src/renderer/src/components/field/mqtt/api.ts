import { useQuery } from '@tanstack/react-query';
import type { MqttConfigUpdate, MqttConfigView, MqttConnectionResult, MqttConnectionTest, MqttStatus } from '../../../../../shared/field-mqtt';
import { api } from '../../../api/client';

/** MQTT status (connection, rates, Sparkplug nodes): asked again every few seconds while shown. */
export const useMqttStatus = (refetchMs: number | false = 3_000) =>
  useQuery({ queryKey: ['field', 'mqtt', 'status'], queryFn: () => api<MqttStatus>('/api/field/mqtt/status'), refetchInterval: refetchMs });
export const useMqttConfig = (enabled: boolean) =>
  useQuery({ queryKey: ['field', 'mqtt', 'config'], queryFn: () => api<MqttConfigView>('/api/field/mqtt'), enabled });

export const saveMqttConfig = (body: MqttConfigUpdate) => api<MqttConfigView>('/api/field/mqtt', { method: 'PUT', body });
export const testMqtt = (body: MqttConnectionTest) => api<MqttConnectionResult>('/api/field/mqtt/test', { method: 'POST', body });
export const requestRebirth = (group: string, node: string) =>
  api(`/api/field/mqtt/nodes/${encodeURIComponent(group)}/${encodeURIComponent(node)}/rebirth`, { method: 'POST' });
