import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import type { Series } from '../../../../shared/telemetry';
import { useAlarms } from '../../api/alarms';
import { telemetryRoutes } from '../../../../shared/api/telemetry';
import { call } from '../../api/client';
import { DataTable, type Column } from '../../components/DataTable';
import { DevicePicker } from '../../components/DevicePicker';
import { PrintButton } from '../../components/PrintButton';
import { SeriesChart } from '../../components/SeriesChart';
import { Empty, ErrorNote, Field, PageHeader, Panel } from '../../components/ui';
import { fmtCount, fmtIso, fmtNum, fmtTime } from '../../lib/format';
import { useUnits } from '../../lib/preferences';
import { convertPressure, convertTemp, unitLabels } from '../../lib/units';

type Point = Series['points'][number];

/** A local calendar day as Unix seconds [start, end). */
function dayBounds(day: string): { from: number; to: number } | null {
  const start = new Date(`${day}T00:00:00`);
  if (Number.isNaN(start.getTime())) return null;
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { from: start.getTime() / 1000, to: end.getTime() / 1000 };
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Min, max and count-weighted average of a day's hourly buckets. */
function summary(points: Point[], channel: 'temperature' | 'pressure') {
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  let n = 0;
  for (const p of points) {
    const c = p[channel];
    if (c.min !== null) min = min === null ? c.min : Math.min(min, c.min);
    if (c.max !== null) max = max === null ? c.max : Math.max(max, c.max);
    if (c.avg !== null) {
      sum += c.avg * p.count;
      n += p.count;
    }
  }
  return { min, max, avg: n ? sum / n : null };
}

/**
 * The daily well report: one device, one local day: its trend, min/max/average per channel and per
 * hour, the alarms of the day with their acknowledgement notes, and the engineer's own notes, to
 * print or save as PDF for the morning meeting.
 */
export function WellDay() {
  const params = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const device = params.get('device') ?? '';
  const day = params.get('day') ?? today();
  const [notes, setNotes] = useState('');
  const units = useUnits();
  const labels = unitLabels(units);
  const bounds = dayBounds(day);
  const set = (d: string, dy: string) => navigate(`/well-report?device=${encodeURIComponent(d)}&day=${dy}`, { replace: true });
  const series = useQuery({
    queryKey: ['series', device, bounds?.from, bounds?.to, 24],
    queryFn: () => call(telemetryRoutes.series, { query: { device_id: device, ts_from: bounds!.from, ts_to: bounds!.to, buckets: 24 } }),
    enabled: Boolean(device && bounds),
  });
  const alarms = useAlarms(
    { device_id: device || undefined, ts_from: bounds ? String(bounds.from) : undefined, ts_to: bounds ? String(bounds.to) : undefined, limit: '1000' },
    false,
  );
  const points = series.data?.points ?? [];
  const t = summary(points, 'temperature');
  const p = summary(points, 'pressure');
  const readings = points.reduce((s, x) => s + x.count, 0);
  const T = (v: number | null) => fmtNum(convertTemp(v, units.temperature), 2);
  const P = (v: number | null) => fmtNum(convertPressure(v, units.pressure), 1);
  const hourly: Column<Point>[] = [
    { header: 'Hour', cell: (x) => fmtTime(x.ts) },
    { header: 'Readings', num: true, cell: (x) => fmtCount(x.count) },
    { header: `T min (${labels.temperature})`, num: true, cell: (x) => T(x.temperature.min) },
    { header: `T avg (${labels.temperature})`, num: true, cell: (x) => T(x.temperature.avg) },
    { header: `T max (${labels.temperature})`, num: true, cell: (x) => T(x.temperature.max) },
    { header: `P min (${labels.pressure})`, num: true, cell: (x) => P(x.pressure.min) },
    { header: `P avg (${labels.pressure})`, num: true, cell: (x) => P(x.pressure.avg) },
    { header: `P max (${labels.pressure})`, num: true, cell: (x) => P(x.pressure.max) },
  ];
  return (
    <article className="report" aria-label="Daily well report">
      <PageHeader title={`Daily well report${device ? ` · ${device} · ${day}` : ''}`}>
        <PrintButton fileName={`well-report-${device || 'none'}-${day}`} />
      </PageHeader>
      <div className="toolbar no-print">
        <Field label="Well">{(id) => <DevicePicker id={id} value={device} onChange={(d) => set(d, day)} />}</Field>
        <Field label="Day">{(id) => <input id={id} type="date" value={day} onChange={(e) => e.target.value && set(device, e.target.value)} />}</Field>
      </div>
      {!device ? (
        <Empty>Choose a well and a day.</Empty>
      ) : bounds ? (
        <>
          <ErrorNote error={series.error} title="Readings" />
          <Panel title="Summary">
            <table className="data" aria-label="Day summary">
              <thead>
                <tr>
                  <th>Channel</th>
                  <th className="num">Min</th>
                  <th className="num">Average</th>
                  <th className="num">Max</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>Temperature ({labels.temperature})</td>
                  <td className="num">{T(t.min)}</td>
                  <td className="num">{T(t.avg)}</td>
                  <td className="num">{T(t.max)}</td>
                </tr>
                <tr>
                  <td>Pressure ({labels.pressure})</td>
                  <td className="num">{P(p.min)}</td>
                  <td className="num">{P(p.avg)}</td>
                  <td className="num">{P(p.max)}</td>
                </tr>
              </tbody>
            </table>
            <p className="muted">
              {fmtCount(readings)} readings from {fmtTime(bounds.from)} to {fmtTime(bounds.to)}
            </p>
          </Panel>
          <Panel title="Trend">
            <SeriesChart deviceId={device} from={bounds.from} to={bounds.to} units={units} height={260} />
          </Panel>
          <Panel title="Alarms of the day">
            {alarms.data?.length ? (
              <DataTable
                label="Alarms of the day"
                rows={alarms.data}
                rowKey={(a) => a.id}
                columns={[
                  { header: 'Opened', cell: (a) => fmtTime(a.opened_ts) },
                  { header: 'Cleared', cell: (a) => fmtTime(a.cleared_ts) },
                  { header: 'Reason', cell: (a) => a.reason ?? '—' },
                  { header: 'Acknowledged', cell: (a) => (a.acknowledged_at ? `${a.acknowledged_by ?? ''} ${fmtIso(a.acknowledged_at)}` : 'no') },
                  { header: 'Note', cell: (a) => a.note ?? '' },
                ]}
              />
            ) : (
              <p className="muted">{alarms.isError ? 'Alarms are not available.' : 'No alarms this day.'}</p>
            )}
          </Panel>
          <Panel title="Hourly">
            {points.length ? <DataTable label="Hourly" rows={points} rowKey={(x) => x.ts} columns={hourly} /> : <p className="muted">No readings this day.</p>}
          </Panel>
          <Panel title="Notes">
            <textarea className="no-print report-notes" aria-label="Notes for the report" rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} />
            <p className="print-only report-notes-print">{notes || '—'}</p>
          </Panel>
          <p className="muted report-foot">Printed {new Date().toLocaleString()} · SMART Oilfield station</p>
        </>
      ) : (
        <Empty>That is not a day.</Empty>
      )}
    </article>
  );
}
