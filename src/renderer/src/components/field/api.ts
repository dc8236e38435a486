import { useQuery } from '@tanstack/react-query';
import type { FieldStatus, ModbusDevice, ModbusDeviceInput, ReadNow, ScanResult, SerialPortInfo } from '../../../../shared/field-modbus';
import { api } from '../../api/client';

/** The Modbus devices and their live poll state; status is asked again every 2 s while the page is open. */
export const useModbusDevices = () => useQuery({ queryKey: ['field', 'modbus', 'devices'], queryFn: () => api<ModbusDevice[]>('/api/field/modbus/devices') });
export const useFieldStatus = (refetchMs: number | false = 2_000) =>
  useQuery({ queryKey: ['field', 'status'], queryFn: () => api<FieldStatus>('/api/field/status'), refetchInterval: refetchMs });
export const useSerialPorts = (enabled: boolean) =>
  useQuery({ queryKey: ['field', 'serial-ports'], queryFn: () => api<SerialPortInfo[]>('/api/field/serial-ports'), enabled, staleTime: 10_000 });

export const saveDevice = (body: ModbusDeviceInput, id?: number) =>
  api<ModbusDevice>(id ? `/api/field/modbus/devices/${id}` : '/api/field/modbus/devices', { method: id ? 'PUT' : 'POST', body });
export const deleteDevice = (id: number) => api(`/api/field/modbus/devices/${id}`, { method: 'DELETE' });
export const readNow = (id: number) => api<ReadNow>(`/api/field/modbus/devices/${id}/read`, { method: 'POST' });

export interface ScanStarted {
  task_id: string;
  events_url: string;
  result_url: string;
}
export const startScan = (body: unknown) => api<ScanStarted>('/api/field/modbus/scan', { method: 'POST', body });
export const scanResult = (url: string) => api<ScanResult & { task_id: string }>(url);

/** A stored device back into the body PUT takes (the stored form is already normalised). */
export function toInput(d: ModbusDevice): ModbusDeviceInput {
  const { id: _id, created_at: _c, updated_at: _u, ...body } = d;
  return body as ModbusDeviceInput;
}
