import type { PressureUnit, TemperatureUnit } from '../../shared/settings';
import type { Db } from '../db/open';

/** What a user chose; null: the station default. */
export interface ChosenUnits {
  temperature: TemperatureUnit | null;
  pressure: PressureUnit | null;
}

interface Row {
  temperature_unit: TemperatureUnit | null;
  pressure_unit: PressureUnit | null;
}

/** user_preferences: one row per station user who has chosen anything. */
export class PreferencesRepository {
  private readonly read;
  private readonly upsert;

  constructor(readonly db: Db) {
    this.read = db.prepare<[number], Row>('SELECT temperature_unit, pressure_unit FROM user_preferences WHERE user_id = ?');
    this.upsert = db.prepare(
      `INSERT INTO user_preferences (user_id, temperature_unit, pressure_unit, updated_at) VALUES (@user_id, @temperature_unit, @pressure_unit, @updated_at)
       ON CONFLICT(user_id) DO UPDATE SET temperature_unit = excluded.temperature_unit, pressure_unit = excluded.pressure_unit, updated_at = excluded.updated_at`,
    );
  }

  chosen(userId: number): ChosenUnits {
    const row = this.read.get(userId);
    return { temperature: row?.temperature_unit ?? null, pressure: row?.pressure_unit ?? null };
  }

  save(userId: number, units: ChosenUnits, at: number): void {
    this.upsert.run({ user_id: userId, temperature_unit: units.temperature, pressure_unit: units.pressure, updated_at: at });
  }
}
