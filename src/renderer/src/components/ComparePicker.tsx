import { useDevices } from '../api/queries';
import { MAX_COMPARED, type Channel } from './CompareChart';

/** Which wells (up to eight) and which channel to compare; the choice lives in the page's URL. */
export function ComparePicker(p: { devices: string[]; channel: Channel; onChange: (devices: string[], channel: Channel) => void }) {
  const all = useDevices().data ?? [];
  const full = p.devices.length >= MAX_COMPARED;
  return (
    <div className="compare-picker">
      <label className="inline-field">
        <span>Channel</span>
        <select aria-label="Channel to compare" value={p.channel} onChange={(e) => p.onChange(p.devices, e.target.value as Channel)}>
          <option value="temperature">Temperature</option>
          <option value="pressure">Pressure</option>
        </select>
      </label>
      <fieldset className="checks">
        <legend>
          Wells to compare ({p.devices.length} of at most {MAX_COMPARED})
        </legend>
        {all.map((d) => {
          const on = p.devices.includes(d.device_id);
          return (
            <label key={d.device_id} className="check">
              <input
                type="checkbox"
                checked={on}
                disabled={!on && full}
                onChange={() => p.onChange(on ? p.devices.filter((x) => x !== d.device_id) : [...p.devices, d.device_id], p.channel)}
              />
              {d.device_id}
            </label>
          );
        })}
      </fieldset>
    </div>
  );
}
