import express, { type Request, type Router } from 'express';
import { fieldModbusRoutes } from '../../../shared/api/field-modbus';
import { modbusDeviceInputSchema, SCAN_JOB, scanResultSchema, tagsFromCsv, tagsToCsv, type FieldStatus } from '../../../shared/field-modbus';
import type { Guards } from '../../auth/guards';
import { AppError, notFound } from '../../http/errors';
import { createRouteTable, runMiddleware } from '../../http/route-table';
import { parse, requireContentType } from '../../http/validate';
import type { JobStore } from '../../jobs/store';
import { ownerOf, visibleTask } from '../../jobs/task-view';
import type { Poller } from './poller';
import type { ScanRunner } from './scan';
import { listSerialPorts } from './serial-ports';
import type { Actor, ModbusService } from './service';

export interface FieldRoutesDeps {
  service: ModbusService;
  poller: Poller;
  scans: ScanRunner;
  store: JobStore;
  guards: Guards;
  bodyLimit: string;
}

const actorOf = (req: Request): Actor => ({ subject: req.principal!.subject, ip: req.ip });

/** /api/field: serial ports, poll status, and the Modbus devices (thin: parse, call, answer). */
export function createFieldRouter(deps: FieldRoutesDeps): Router {
  const { service, guards } = deps;
  const routes = fieldModbusRoutes;
  const json = express.json({ limit: deps.bodyLimit, strict: true });
  const csv = express.text({ type: ['text/csv', 'text/plain'], limit: deps.bodyLimit });
  const table = createRouteTable({ base: '/api/field', guards, bodyLimit: deps.bodyLimit, strictJson: true });

  table
    .on(routes.serialPorts, () => listSerialPorts())
    .on(routes.status, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return { modbus: deps.poller.status() } satisfies FieldStatus;
    })
    .on(routes.list, () => service.list())
    .on(routes.create, async ({ body }, req, res) => {
      const device = await service.create(body, actorOf(req));
      res.setHeader('Location', `/api/field/modbus/devices/${device.id}`);
      return device;
    })
    .on(routes.get, ({ params }) => service.get(params.id))
    .on(routes.update, ({ params, body }, req) => service.update(params.id, body, actorOf(req)))
    .on(routes.delete, ({ params }, req) => service.delete(params.id, actorOf(req)))
    .on(routes.readNow, async ({ params }, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return service.readNow(params.id);
    })
    // The register map alone, as JSON or CSV, to share between engineers and keep per device model.
    .on(routes.map, ({ params, query }, _req, res) => {
      const device = service.get(params.id);
      if (query.format === 'json') return device.tags;
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="modbus-map-${device.device_id}.csv"`);
      res.send(tagsToCsv(device.tags));
    })
    .on(routes.putMap, async ({ params }, req, res) => {
      requireContentType(req, 'application/json', 'text/csv', 'text/plain');
      await runMiddleware(json, req, res);
      await runMiddleware(csv, req, res);
      const tags = typeof req.body === 'string' ? tagsFromCsv(req.body) : req.body;
      const { created_at: _c, updated_at: _u, id: _id, ...current } = service.get(params.id);
      // the whole device is validated again, so a map that breaks it (duplicate fields) is a 422 naming tags.N
      const config = parse(modbusDeviceInputSchema, { ...current, tags }, 'body');
      return service.update(params.id, config, actorOf(req));
    })
    .on(routes.scan, ({ body }, req, res) => {
      const row = deps.scans.start(body, ownerOf(req));
      res.setHeader('Location', `/api/tasks/${row.id}`);
      return {
        task_id: row.id,
        status: row.status,
        status_url: `/api/tasks/${row.id}`,
        events_url: `/api/tasks/${row.id}/events`,
        result_url: `/api/field/modbus/scans/${row.id}`,
      };
    })
    .on(routes.scanResult, ({ params }, req) => {
      const row = visibleTask(deps.store, req, params.task_id);
      if (row.name !== SCAN_JOB) throw notFound(`scan ${row.id}`);
      if (row.status !== 'completed' || !row.result) {
        throw new AppError(409, `scan is ${row.status}${row.error ? `: ${row.error}` : ''}; there is no result yet`);
      }
      return { task_id: row.id, ...scanResultSchema.parse(JSON.parse(row.result)) };
    });

  return table.router;
}
