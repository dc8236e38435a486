import type { PressureUnit, TemperatureUnit, Units } from '../../../shared/settings';

/**
 * The station stores what devices send; the demo data and the anomaly model use °C and kPa, so
 * that is what the UI assumes is stored and converts from for display.
 */
const tempLabel: Record<TemperatureUnit, string> = { C: '°C', F: '°F', K: 'K' };

export function convertTemp(c: number | null | undefined, unit: TemperatureUnit): number | null {
  if (c == null) return null;
  if (unit === 'F') return c * 1.8 + 32;
  if (unit === 'K') return c + 273.15;
  return c;
}

const kPaPer: Record<PressureUnit, number> = { kPa: 1, bar: 100, psi: 6.894757, MPa: 1000 };
export const convertPressure = (kPa: number | null | undefined, unit: PressureUnit): number | null => (kPa == null ? null : kPa / kPaPer[unit]);

export const unitLabels = (u: Units) => ({ temperature: tempLabel[u.temperature], pressure: u.pressure });
