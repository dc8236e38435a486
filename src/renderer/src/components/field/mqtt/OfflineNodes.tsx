import { Link } from 'wouter';
import { fmtIso } from '../../../lib/format';
import { Panel } from '../../ui';
import { useMqttStatus } from './api';

/** For the Overview: Sparkplug edge nodes and devices that died (NDEATH, DDEATH or the broker's will). Nothing when all are online. */
export function OfflineNodes() {
  const status = useMqttStatus(15_000);
  const offline: { id: string; what: string; since: string | null }[] = [];
  for (const n of status.data?.nodes ?? []) {
    if (!n.online && n.last_birth) offline.push({ id: n.device_id, what: `edge node ${n.group}/${n.node}`, since: n.last_death });
    else
      for (const d of n.devices)
        if (!d.online && d.last_birth) offline.push({ id: d.device_id, what: `device ${n.group}/${n.node}/${d.device}`, since: d.last_death });
  }
  if (!offline.length) return null;
  return (
    <Panel title="Sparkplug devices offline">
      <div className="table-wrap short">
        <table className="data">
          <thead>
            <tr>
              <th>Device</th>
              <th>Sparkplug</th>
              <th>Offline since</th>
            </tr>
          </thead>
          <tbody>
            {offline.map((o) => (
              <tr key={o.what} className="row-alarm">
                <td>
                  <Link href="/field">{o.id}</Link>
                </td>
                <td>{o.what}</td>
                <td>{fmtIso(o.since)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
