import { useQuery } from '@tanstack/react-query';
import { fieldModbusRoutes as routes } from '../../../../shared/api/field-modbus';
import type { RouteRequest } from '../../../../shared/api/route';
import type { ModbusDevice, ModbusDeviceInput } from '../../../../shared/field-modbus';
import { call } from '../../api/client';

/** The Modbus devices and their live poll state; status is asked again every 2 s while the page is open. */
export const useModbusDevices = () => useQuery({ queryKey: ['field', 'modbus', 'devices'], queryFn: () => call(routes.list, {}) });
export const useFieldStatus = (refetchMs: number | false = 2_000) =>
  useQuery({ queryKey: ['field', 'status'], queryFn: () => call(routes.status, {}), refetchInterval: refetchMs });
export const useSerialPorts = (enabled: boolean) =>
  useQuery({ queryKey: ['field', 'serial-ports'], queryFn: () => call(routes.serialPorts, {}), enabled, staleTime: 10_000 });

export const saveDevice = (body: ModbusDeviceInput, id?: number) =>
  id ? call(routes.update, { params: { id: String(id) }, body }) : call(routes.create, { body });
export const deleteDevice = (id: number) => call(routes.delete, { params: { id: String(id) } });
export const readNow = (id: number) => call(routes.readNow, { params: { id: String(id) } });

export const startScan = (body: RouteRequest<typeof routes.scan>['body']) => call(routes.scan, { body });
export const scanResult = (taskId: string) => call(routes.scanResult, { params: { task_id: taskId } });

/** A stored device back into the body PUT takes (the stored form is already normalised). */
export function toInput(d: ModbusDevice): ModbusDeviceInput {
  const { id: _id, created_at: _c, updated_at: _u, ...body } = d;
  return body as ModbusDeviceInput;
}
