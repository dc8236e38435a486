import express, { Router } from 'express';
import { mqttConfigUpdateSchema, mqttConnectionTestSchema } from '../../../shared/field-mqtt';
import type { AuditLog } from '../../audit/repository';
import type { Guards } from '../../auth/guards';
import { parseBody, requireContentType } from '../../http/validate';
import { testConnection, type MqttField } from './service';

/** /api/field/mqtt: configuration and connection test (admin), status (signed in), Rebirth (admin). */
export function createMqttRouter(field: MqttField, guards: Guards, audit: AuditLog): Router {
  const router = Router();
  const json = express.json({ limit: '256kb', strict: true });

  router.get('/', guards.admin, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(field.view());
  });

  router.put('/', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    const update = parseBody(mqttConfigUpdateSchema, req);
    const view = await field.update(update);
    audit.record({
      actor: req.principal?.subject ?? null,
      action: 'field.mqtt.update',
      ip: req.ip,
      detail: { mode: view.mode, url: view.url, host_id: view.host_id },
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json(view);
  });

  router.post('/test', guards.admin, json, async (req, res) => {
    requireContentType(req, 'application/json');
    res.json(await testConnection(parseBody(mqttConnectionTestSchema, req)));
  });

  router.get('/status', guards.read, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(field.status());
  });

  router.post('/nodes/:group/:node/rebirth', guards.admin, (req, res) => {
    field.rebirth(String(req.params.group), String(req.params.node));
    audit.record({
      actor: req.principal?.subject ?? null,
      action: 'field.mqtt.rebirth',
      ip: req.ip,
      detail: { group: req.params.group, node: req.params.node },
    });
    res.status(202).json({ sent: true });
  });

  return router;
}
