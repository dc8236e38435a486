import { Link } from 'wouter';
import { fmtIso } from '../../lib/format';
import { Panel } from '../ui';
import { useFieldStatus } from './api';

/** For the Overview: polled devices that are not answering, or answer with failing tags. Nothing when all is well. */
export function FailingPolls() {
  const status = useFieldStatus(15_000);
  const failing = (status.data?.modbus ?? []).filter(
    (d) => d.state === 'backoff' || d.state === 'disconnected' || d.tag_errors.length > 0 || (d.state === 'ok' && d.last_error),
  );
  if (!failing.length) return null;
  return (
    <Panel title="Field devices whose polling fails">
      <div className="table-wrap short">
        <table className="data">
          <thead>
            <tr>
              <th>Device</th>
              <th>State</th>
              <th>Last good poll</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {failing.map((d) => (
              <tr key={d.id} className={d.state === 'ok' ? 'row-stale' : 'row-alarm'}>
                <td>
                  <Link href="/field">{d.name}</Link> <span className="muted mono">{d.device_id}</span>
                </td>
                <td>{d.state}</td>
                <td>{fmtIso(d.last_ok_at)}</td>
                <td>{d.last_error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
