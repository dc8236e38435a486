import { useDevices } from '../api/queries';

/** A device chooser fed by /api/devices; `allowAll` adds "All devices". */
export function DevicePicker(props: { id: string; value: string; onChange: (v: string) => void; allowAll?: boolean; describedBy?: string }) {
  const devices = useDevices();
  const list = devices.data ?? [];
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-describedby={props.describedBy}>
      {props.allowAll ? <option value="">All devices</option> : <option value="">Choose a device…</option>}
      {list.map((d) => (
        <option key={d.device_id} value={d.device_id}>
          {d.device_id}
        </option>
      ))}
      {props.value && !list.some((d) => d.device_id === props.value) ? <option value={props.value}>{props.value}</option> : null}
    </select>
  );
}
