import type { Request, Router } from 'express';
import { stationRoutes } from '../../shared/api/station';
import type { Preferences } from '../../shared/preferences';
import type { Units } from '../../shared/settings';
import type { AuditLog } from '../audit/repository';
import type { Db } from '../db/open';
import { AppError } from '../http/errors';
import { createRouteTable } from '../http/route-table';
import { PreferencesRepository } from './repository';

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
  const repo = new PreferencesRepository(db);
  const userOf = (req: Request): number | undefined => (req.principal?.kind === 'user' ? req.principal.userId : undefined);
  const view = (userId: number | undefined): Preferences => {
    const chosen = userId === undefined ? { temperature: null, pressure: null } : repo.chosen(userId);
    const fallback = stationUnits();
    return { units: { temperature: chosen.temperature ?? fallback.temperature, pressure: chosen.pressure ?? fallback.pressure }, chosen };
  };

  return createRouteTable({ base: '/api/me/preferences', bodyLimit: '4kb', strictJson: true })
    .on(stationRoutes.preferences, (_input, req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      return view(userOf(req));
    })
    .on(stationRoutes.setPreferences, ({ body }, req) => {
      const userId = userOf(req);
      if (userId === undefined) throw new AppError(409, 'only a station user has preferences; API keys and single sign-on use the station default units');
      const before = view(userId).chosen;
      const next = {
        temperature: body.units.temperature === undefined ? before.temperature : body.units.temperature,
        pressure: body.units.pressure === undefined ? before.pressure : body.units.pressure,
      };
      db.transaction(() => {
        repo.save(userId, next, Date.now());
        audit.record({ actor: req.principal?.subject ?? null, action: 'preferences.update', target: `user:${userId}`, ip: req.ip, detail: { units: next } });
      })();
      return view(userId);
    }).router;
}
