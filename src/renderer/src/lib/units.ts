import type { PressureUnit, TemperatureUnit, Units } from '../../../shared/settings';

/**
 * The station stores what devices send; the demo data and the anomaly model use °C and kPa, so
 * that is what the UI assumes is stored. Each user picks display units (lib/preferences): values
 * are converted for display, and what people type is converted back before it is sent.
 */
const tempLabel: Record<TemperatureUnit, string> = { C: '°C', F: '°F', K: 'K' };

export function convertTemp(c: number | null | undefined, unit: TemperatureUnit): number | null {
  if (c == null) return null;
  if (unit === 'F') return c * 1.8 + 32;
  if (unit === 'K') return c + 273.15;
  return c;
}

/** A typed temperature in the user's unit, back to the stored °C (text that is not a number passes through for the schema to name). */
export function toStoredTemp<V extends number | string | undefined>(v: V, unit: TemperatureUnit): V | number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v;
  if (unit === 'F') return round((v - 32) / 1.8);
  if (unit === 'K') return round(v - 273.15);
  return v;
}

/** A change of temperature (per minute): offsets do not apply, only the scale. */
export const convertTempDelta = (c: number | null | undefined, unit: TemperatureUnit): number | null => (c == null ? null : unit === 'F' ? c * 1.8 : c);
export const toStoredTempDelta = <V extends number | string | undefined>(v: V, unit: TemperatureUnit): V | number =>
  typeof v !== 'number' || !Number.isFinite(v) || unit !== 'F' ? v : round(v / 1.8);

const kPaPer: Record<PressureUnit, number> = { kPa: 1, bar: 100, psi: 6.894757, MPa: 1000 };
export const convertPressure = (kPa: number | null | undefined, unit: PressureUnit): number | null => (kPa == null ? null : kPa / kPaPer[unit]);
export const toStoredPressure = <V extends number | string | undefined>(v: V, unit: PressureUnit): V | number =>
  typeof v !== 'number' || !Number.isFinite(v) ? v : round(v * kPaPer[unit]);

/** Float noise from a conversion (71.6 °F -> 21.999999 °C) would be stored as typed otherwise. */
const round = (v: number): number => Math.round(v * 1e6) / 1e6;

export const unitLabels = (u: Units) => ({ temperature: tempLabel[u.temperature], pressure: u.pressure });

export const TEMPERATURE_UNITS = Object.entries(tempLabel) as [TemperatureUnit, string][];
export const PRESSURE_UNITS = Object.keys(kPaPer) as PressureUnit[];
