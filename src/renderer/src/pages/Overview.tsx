import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { call } from '../api/client';
import { useAlarms } from '../api/alarms';
import { useUnits } from '../lib/preferences';
import { ErrorNote, Empty, PageHeader, Panel } from '../components/ui';
import { Sparkline } from '../components/Sparkline';
import { UpdatedAgo } from '../components/UpdatedAgo';
import { FailingPolls } from '../components/field/FailingPolls';
import { OfflineNodes } from '../components/field/mqtt/OfflineNodes';
import { fmtAge, fmtCount, fmtNum, fmtTime } from '../lib/format';
import { convertPressure, convertTemp, unitLabels } from '../lib/units';

/** A device that has not reported for this long is stale: its RTU, radio or gateway needs a look. */
const STALE_AFTER_S = 15 * 60;

export function Overview() {
  const units = useUnits();
  const labels = unitLabels(units);
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => call(telemetryRoutes.stats, {}), refetchInterval: 15_000 });
  const alarms = useAlarms({ state: 'open' });
  const openByDevice = new Map<string, number>();
  for (const a of alarms.data ?? []) openByDevice.set(a.device_id, (openByDevice.get(a.device_id) ?? 0) + 1);
  const devices = [...(stats.data?.devices ?? [])].sort((a, b) => (a.last_ts ?? 0) - (b.last_ts ?? 0));
  const now = Date.now();
  // The sparklines' window moves once a minute, not every render (it is part of their query key).
  const since = Math.floor(now / 60_000) * 60 - 86_400;
  const stale = devices.filter((d) => d.last_ts == null || now / 1000 - d.last_ts > STALE_AFTER_S).length;

  return (
    <>
      <PageHeader title="Overview">
        <span className="muted">
          {fmtCount(stats.data?.count ?? 0)} readings · {devices.length} devices · {stale} stale ·{' '}
          {alarms.isError ? 'alarms unavailable' : `${alarms.data?.length ?? 0} open alarms`} ·{' '}
        </span>
        <UpdatedAgo at={stats.dataUpdatedAt} live={false} />
      </PageHeader>
      <ErrorNote error={stats.error} title="Devices" />
      <FailingPolls />
      <OfflineNodes />
      <Panel title="Devices">
        {stats.isSuccess && devices.length === 0 ? (
          <Empty>
            No devices yet. Post a reading on the <Link href="/ingest">Ingest</Link> page, or turn on LAN access in <Link href="/settings">Settings</Link> and
            point a device at the URL shown there.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>Device</th>
                  <th>State</th>
                  <th>Last reading</th>
                  <th>Age</th>
                  <th className="num">Temperature ({labels.temperature})</th>
                  <th className="num">Pressure ({labels.pressure})</th>
                  <th>Temperature, 24 h</th>
                  <th>Pressure, 24 h</th>
                  <th>Status</th>
                  <th className="num">Readings</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => {
                  const isStale = d.last_ts == null || now / 1000 - d.last_ts > STALE_AFTER_S;
                  const open = openByDevice.get(d.device_id) ?? 0;
                  const state = open ? 'alarm' : isStale ? 'stale' : 'ok';
                  return (
                    <tr key={d.device_id} className={`row-${state}`}>
                      <td>
                        <Link href={`/telemetry?device=${encodeURIComponent(d.device_id)}`}>{d.device_id}</Link>
                      </td>
                      <td>
                        <span className={`badge badge-${state}`}>{open ? `${open} alarm${open > 1 ? 's' : ''}` : isStale ? 'stale' : 'reporting'}</span>
                      </td>
                      <td>{fmtTime(d.last_ts)}</td>
                      <td>{fmtAge(d.last_ts, now)}</td>
                      <td className="num">{fmtNum(convertTemp(d.last?.temperature, units.temperature), 2)}</td>
                      <td className="num">{fmtNum(convertPressure(d.last?.pressure, units.pressure), 1)}</td>
                      <td>
                        <Sparkline deviceId={d.device_id} channel="temperature" since={since} />
                      </td>
                      <td>
                        <Sparkline deviceId={d.device_id} channel="pressure" since={since} />
                      </td>
                      <td>{d.last?.status ?? '—'}</td>
                      <td className="num">{fmtCount(d.count)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel title="Open alarms" actions={<Link href="/anomalies">All alarms</Link>}>
        {alarms.isError ? (
          <Empty>Alarms are not available on this station ({(alarms.error as Error).message}).</Empty>
        ) : (alarms.data ?? []).length === 0 ? (
          <Empty>No open alarms.</Empty>
        ) : (
          <ul className="alarm-list">
            {(alarms.data ?? []).map((a) => (
              <li key={a.id} className="badge-row">
                <span className="badge badge-alarm">alarm</span> <strong>{a.device_id}</strong> since {fmtTime(a.opened_ts)} · peak score{' '}
                {a.peak_score.toFixed(2)} ({a.model}){a.reason ? ` · ${a.reason}` : ''}
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </>
  );
}
