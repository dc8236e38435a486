import { z } from 'zod';
import { pressureUnitSchema, temperatureUnitSchema } from './settings';

/**
 * A signed-in user's own display preferences (GET/PUT /api/me/preferences). Values are stored in
 * °C and kPa whatever is chosen; the UI converts for display and converts typed values back.
 * `null` (or leaving a field out of the answer's `chosen`) means the station's default.
 */
export const preferencesUpdateSchema = z.strictObject({
  units: z
    .strictObject({
      temperature: temperatureUnitSchema.nullable().optional(),
      pressure: pressureUnitSchema.nullable().optional(),
    })
    .describe('null goes back to the station default'),
});
export type PreferencesUpdate = z.infer<typeof preferencesUpdateSchema>;

export const preferencesSchema = z.object({
  units: z.object({ temperature: temperatureUnitSchema, pressure: pressureUnitSchema }).describe('in effect for this user'),
  chosen: z
    .object({ temperature: temperatureUnitSchema.nullable(), pressure: pressureUnitSchema.nullable() })
    .describe('what the user picked; null: the station default'),
});
export type Preferences = z.infer<typeof preferencesSchema>;
