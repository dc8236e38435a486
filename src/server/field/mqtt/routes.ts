import type { Router } from 'express';
import { fieldMqttRoutes } from '../../../shared/api/field-mqtt';
import type { AuditLog } from '../../audit/repository';
import type { Guards } from '../../auth/guards';
import { createRouteTable } from '../../http/route-table';
import { testConnection, type MqttField } from './service';

/** /api/field/mqtt: configuration and connection test (admin), status (signed in), Rebirth (admin). */
export function createMqttRouter(field: MqttField, guards: Guards, audit: AuditLog): Router {
  const routes = fieldMqttRoutes;
  return createRouteTable({ base: '/api/field/mqtt', guards, bodyLimit: '256kb', strictJson: true })
    .on(routes.get, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return field.view();
    })
    .on(routes.update, async ({ body }, req, res) => {
      const view = await field.update(body);
      audit.record({
        actor: req.principal?.subject ?? null,
        action: 'field.mqtt.update',
        ip: req.ip,
        detail: { mode: view.mode, url: view.url, host_id: view.host_id },
      });
      res.setHeader('Cache-Control', 'no-store');
      return view;
    })
    .on(routes.test, ({ body }) => testConnection(body))
    .on(routes.status, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return field.status();
    })
    .on(routes.rebirth, ({ params }, req) => {
      field.rebirth(params.group, params.node);
      audit.record({ actor: req.principal?.subject ?? null, action: 'field.mqtt.rebirth', ip: req.ip, detail: { group: params.group, node: params.node } });
      return { sent: true as const };
    }).router;
}
