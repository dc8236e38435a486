import express, { Router, type Request } from 'express';
import { modbusDeviceInputSchema, SCAN_JOB, scanRequestSchema, scanResultSchema, tagsFromCsv, tagsToCsv, type FieldStatus } from '../../../shared/field-modbus';
import type { Guards } from '../../auth/guards';
import { AppError, notFound } from '../../http/errors';
import { parse, parseBody, parseId, requireContentType } from '../../http/validate';
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
const deviceId = (req: Request) => parseId(req.params.id, 'Modbus device');

/** /api/field: serial ports, poll status, and the Modbus devices (thin: parse, call, answer). */
export function createFieldRouter(deps: FieldRoutesDeps): Router {
  const { service, guards } = deps;
  const router = Router();
  const json = express.json({ limit: deps.bodyLimit, strict: true });
  const csv = express.text({ type: ['text/csv', 'text/plain'], limit: deps.bodyLimit });

  router.get('/serial-ports', guards.read, async (_req, res) => {
    res.json(await listSerialPorts());
  });

  router.get('/status', guards.read, (_req, res) => {
    const body: FieldStatus = { modbus: deps.poller.status() };
    res.setHeader('Cache-Control', 'no-store').json(body);
  });

  router.get('/modbus/devices', guards.read, (_req, res) => {
    res.json(service.list());
  });

  router.post('/modbus/devices', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    const device = await service.create(parseBody(modbusDeviceInputSchema, req), actorOf(req));
    res.status(201).setHeader('Location', `/api/field/modbus/devices/${device.id}`).json(device);
  });

  router.get('/modbus/devices/:id', guards.read, (req, res) => {
    res.json(service.get(deviceId(req)));
  });

  router.put('/modbus/devices/:id', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    const id = deviceId(req);
    res.json(await service.update(id, parseBody(modbusDeviceInputSchema, req), actorOf(req)));
  });

  router.delete('/modbus/devices/:id', guards.admin, async (req, res) => {
    await service.delete(deviceId(req), actorOf(req));
    res.status(204).end();
  });

  router.post('/modbus/devices/:id/read', guards.user, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store').json(await service.readNow(deviceId(req)));
  });

  // The register map alone, as JSON or CSV, to share between engineers and keep per device model.
  router.get('/modbus/devices/:id/map', guards.read, (req, res) => {
    const device = service.get(deviceId(req));
    if (req.query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="modbus-map-${device.device_id}.csv"`);
      return void res.send(tagsToCsv(device.tags));
    }
    if (req.query.format !== undefined && req.query.format !== 'json')
      throw new AppError(422, 'format must be json or csv', { errors: [{ path: 'query.format', message: 'must be json or csv' }] });
    res.json(device.tags);
  });

  router.put('/modbus/devices/:id/map', guards.admin, json, csv, async (req, res) => {
    requireContentType(req, 'application/json', 'text/csv', 'text/plain');
    const id = deviceId(req);
    const tags = typeof req.body === 'string' ? tagsFromCsv(req.body) : req.body;
    const { created_at: _c, updated_at: _u, id: _id, ...current } = service.get(id);
    // the whole device is validated again, so a map that breaks it (duplicate fields) is a 422 naming tags.N
    const config = parse(modbusDeviceInputSchema, { ...current, tags }, 'body');
    res.json(await service.update(id, config, actorOf(req)));
  });

  router.post('/modbus/scan', guards.admin, json, (req, res) => {
    requireContentType(req, 'application/json');
    const row = deps.scans.start(parseBody(scanRequestSchema, req), ownerOf(req));
    res
      .status(202)
      .setHeader('Location', `/api/tasks/${row.id}`)
      .json({
        task_id: row.id,
        status: row.status,
        status_url: `/api/tasks/${row.id}`,
        events_url: `/api/tasks/${row.id}/events`,
        result_url: `/api/field/modbus/scans/${row.id}`,
      });
  });

  router.get('/modbus/scans/:id', guards.read, (req, res) => {
    const row = visibleTask(deps.store, req, req.params.id);
    if (row.name !== SCAN_JOB) throw notFound(`scan ${row.id}`);
    if (row.status !== 'completed' || !row.result) {
      throw new AppError(409, `scan is ${row.status}${row.error ? `: ${row.error}` : ''}; there is no result yet`);
    }
    res.json({ task_id: row.id, ...scanResultSchema.parse(JSON.parse(row.result)) });
  });

  return router;
}
