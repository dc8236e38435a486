import express, { Router, type Request } from 'express';
import { preferencesUpdateSchema, type Preferences } from '../../shared/preferences';
import type { PressureUnit, TemperatureUnit, Units } from '../../shared/settings';
import type { AuditLog } from '../audit/repository';
import type { Db } from '../db/open';
import { AppError } from '../http/errors';
import { parseBody, requireContentType } from '../http/validate';

interface Row {
  temperature_unit: TemperatureUnit | null;
  pressure_unit: PressureUnit | null;
}

export interface PreferencesDeps {
  db: Db;
  audit: AuditLog;
  /** the station's default units (Settings), for whoever has not chosen */
  stationUnits: () => Units;
}

/**
 * GET/PUT /api/me/preferences: display units per signed-in user, so an engineer (who may not read
 * the station's settings) reads psi while the admin reads kPa. Only station users have a row: an
 * API key or a single-sign-on principal without a local user gets the station's default.
 */
export function createPreferencesRouter({ db, audit, stationUnits }: PreferencesDeps): Router {
  const router = Router();
  const json = express.json({ limit: '4kb', strict: true });
  const read = db.prepare<[number], Row>('SELECT temperature_unit, pressure_unit FROM user_preferences WHERE user_id = ?');
  const upsert = db.prepare(
    `INSERT INTO user_preferences (user_id, temperature_unit, pressure_unit, updated_at) VALUES (@user_id, @temperature_unit, @pressure_unit, @updated_at)
     ON CONFLICT(user_id) DO UPDATE SET temperature_unit = excluded.temperature_unit, pressure_unit = excluded.pressure_unit, updated_at = excluded.updated_at`,
  );

  const userOf = (req: Request): number | undefined => (req.principal?.kind === 'user' ? req.principal.userId : undefined);
  const view = (userId: number | undefined): Preferences => {
    const row = userId === undefined ? undefined : read.get(userId);
    const fallback = stationUnits();
    const chosen = { temperature: row?.temperature_unit ?? null, pressure: row?.pressure_unit ?? null };
    return { units: { temperature: chosen.temperature ?? fallback.temperature, pressure: chosen.pressure ?? fallback.pressure }, chosen };
  };

  router.get('/', (req, res) => {
    if (!req.principal) throw new AppError(401, 'not signed in');
    res.setHeader('Cache-Control', 'no-store');
    res.json(view(userOf(req)));
  });

  router.put('/', json, (req, res) => {
    if (!req.principal) throw new AppError(401, 'not signed in');
    requireContentType(req, 'application/json');
    const userId = userOf(req);
    if (userId === undefined) throw new AppError(409, 'only a station user has preferences; API keys and single sign-on use the station default units');
    const body = parseBody(preferencesUpdateSchema, req);
    const before = view(userId).chosen;
    const next = {
      temperature: body.units.temperature === undefined ? before.temperature : body.units.temperature,
      pressure: body.units.pressure === undefined ? before.pressure : body.units.pressure,
    };
    db.transaction(() => {
      upsert.run({ user_id: userId, temperature_unit: next.temperature, pressure_unit: next.pressure, updated_at: Date.now() });
      audit.record({ actor: req.principal?.subject ?? null, action: 'preferences.update', target: `user:${userId}`, ip: req.ip, detail: { units: next } });
    })();
    res.json(view(userId));
  });
  return router;
}
