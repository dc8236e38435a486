import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import type { Stats } from '../../../shared/telemetry';
import { call } from '../api/client';
import { useAlarms } from '../api/alarms';
import { useUnits } from '../lib/preferences';
import { ErrorNote, Empty, PageHeader, Panel } from '../components/ui';
import { DataTable } from '../components/DataTable';
import { Sparkline } from '../components/Sparkline';
import { UpdatedAgo } from '../components/UpdatedAgo';
import { FailingPolls } from '../components/field/FailingPolls';
import { OfflineNodes } from '../components/field/mqtt/OfflineNodes';
import { fmtAge, fmtCount, fmtNum, fmtTime } from '../lib/format';
import { convertPressure, convertTemp, unitLabels } from '../lib/units';

type DeviceStats = Stats['devices'][number];

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
  const isStale = (d: DeviceStats) => d.last_ts == null || now / 1000 - d.last_ts > STALE_AFTER_S;
  const stateOf = (d: DeviceStats) => (openByDevice.get(d.device_id) ? 'alarm' : isStale(d) ? 'stale' : 'ok');
  const stale = devices.filter(isStale).length;

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
          <DataTable
            label="Devices"
            rows={devices}
            rowKey={(d) => d.device_id}
            rowClass={(d) => `row-${stateOf(d)}`}
            columns={[
              { header: 'Device', cell: (d) => <Link href={`/telemetry?device=${encodeURIComponent(d.device_id)}`}>{d.device_id}</Link> },
              {
                header: 'State',
                cell: (d) => {
                  const open = openByDevice.get(d.device_id) ?? 0;
                  const state = stateOf(d);
                  return (
                    <span className={`badge badge-${state}`}>{open ? `${open} alarm${open > 1 ? 's' : ''}` : state === 'stale' ? 'stale' : 'reporting'}</span>
                  );
                },
              },
              { header: 'Last reading', cell: (d) => fmtTime(d.last_ts) },
              { header: 'Age', cell: (d) => fmtAge(d.last_ts, now) },
              { header: `Temperature (${labels.temperature})`, num: true, cell: (d) => fmtNum(convertTemp(d.last?.temperature, units.temperature), 2) },
              { header: `Pressure (${labels.pressure})`, num: true, cell: (d) => fmtNum(convertPressure(d.last?.pressure, units.pressure), 1) },
              { header: 'Temperature, 24 h', cell: (d) => <Sparkline deviceId={d.device_id} channel="temperature" since={since} /> },
              { header: 'Pressure, 24 h', cell: (d) => <Sparkline deviceId={d.device_id} channel="pressure" since={since} /> },
              { header: 'Status', cell: (d) => d.last?.status ?? '—' },
              { header: 'Readings', num: true, cell: (d) => fmtCount(d.count) },
            ]}
          />
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
              <li key={a.id} className={a.acknowledged_at ? 'badge-row acked' : 'badge-row'}>
                {a.acknowledged_at ? <span className="badge badge-acked">✓ acknowledged</span> : <span className="badge badge-alarm">alarm</span>}{' '}
                <strong>{a.device_id}</strong> since {fmtTime(a.opened_ts)} · peak score {a.peak_score.toFixed(2)} ({a.model}){a.reason ? ` · ${a.reason}` : ''}
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </>
  );
}
