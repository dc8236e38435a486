import type { Request, Router } from 'express';
import { fieldMqttRoutes } from '../../../shared/api/field-mqtt';
import type { Guards } from '../../auth/guards';
import { createRouteTable } from '../../http/route-table';
import { testConnection, type MqttChanger, type MqttField } from './service';

const changerOf = (req: Request): MqttChanger => ({ subject: req.principal?.subject ?? null, ip: req.ip });

/** /api/field/mqtt: configuration and connection test (admin), status (signed in), Rebirth (admin). */
export function createMqttRouter(field: MqttField, guards: Guards): Router {
  const routes = fieldMqttRoutes;
  return createRouteTable({ base: '/api/field/mqtt', guards, bodyLimit: '256kb', strictJson: true })
    .on(routes.get, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return field.view();
    })
    .on(routes.update, async ({ body }, req, res) => {
      const view = await field.update(body, changerOf(req));
      res.setHeader('Cache-Control', 'no-store');
      return view;
    })
    .on(routes.test, ({ body }) => testConnection(body))
    .on(routes.status, (_input, _req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return field.status();
    })
    .on(routes.rebirth, ({ params }, req) => {
      field.rebirth(params.group, params.node, changerOf(req));
      return { sent: true as const };
    }).router;
}
