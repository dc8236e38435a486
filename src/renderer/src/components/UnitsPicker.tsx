import type { PressureUnit, TemperatureUnit } from '../../../shared/settings';
import { errorText } from '../api/client';
import { usePreferences, useSavePreferences } from '../lib/preferences';
import { PRESSURE_UNITS, TEMPERATURE_UNITS } from '../lib/units';

/**
 * The signed-in user's display units, in the top bar so an engineer (who has no Settings page)
 * can switch to psi or °F on any page; saved on the station, so they follow the user to another
 * computer. Tables, charts and forms follow at once.
 */
export function UnitsPicker() {
  const prefs = usePreferences();
  const save = useSavePreferences();
  const units = prefs.data?.units;
  if (!units) return null;
  return (
    <span className="units-picker" role="group" aria-label="Display units">
      <select
        aria-label="Display temperature unit"
        value={units.temperature}
        disabled={save.isPending}
        onChange={(e) => save.mutate({ units: { temperature: e.target.value as TemperatureUnit } })}
      >
        {TEMPERATURE_UNITS.map(([u, label]) => (
          <option key={u} value={u}>
            {label}
          </option>
        ))}
      </select>
      <select
        aria-label="Display pressure unit"
        value={units.pressure}
        disabled={save.isPending}
        onChange={(e) => save.mutate({ units: { pressure: e.target.value as PressureUnit } })}
      >
        {PRESSURE_UNITS.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
      {save.isError ? (
        <span className="field-error" role="alert">
          {errorText(save.error)}
        </span>
      ) : null}
    </span>
  );
}
