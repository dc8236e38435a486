import { useEffect, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useIsAdmin, useUnits } from '../api/queries';
import { DevicePicker } from '../components/DevicePicker';
import { RangePicker } from '../components/RangePicker';
import { ReadingsTable } from '../components/ReadingsTable';
import { SeriesChart } from '../components/SeriesChart';
import { Empty, Field, PageHeader, Panel } from '../components/ui';
import { rangeFromSearch, rangeToSearch, resolveRange, type TimeRange } from '../lib/range';

/** The state lives in the URL (device, range), like Grafana, so a view can be shared. */
function useUrlState(): [{ device: string; range: TimeRange }, (device: string, range: TimeRange) => void] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const state = { device: params.get('device') ?? '', range: rangeFromSearch(params) };
  const set = (device: string, range: TimeRange) => {
    const next = new URLSearchParams();
    if (device) next.set('device', device);
    rangeToSearch(range, next);
    navigate(`/telemetry?${next.toString()}`, { replace: true });
  };
  return [state, set];
}

export function Telemetry() {
  const [{ device, range }, setState] = useUrlState();
  const units = useUnits();
  const isAdmin = useIsAdmin();
  const [previous, setPrevious] = useState<TimeRange | null>(null);
  // Live ranges move with the clock: recompute their bounds every few seconds.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (range.kind !== 'last') return;
    const t = setInterval(() => setTick((n) => n + 1), 5_000);
    return () => clearInterval(t);
  }, [range.kind]);
  const { from, to } = resolveRange(range, Date.now() + tick * 0);
  const live = range.kind === 'last';

  return (
    <>
      <PageHeader title="Telemetry" />
      <div className="toolbar">
        <Field label="Device">{(id) => <DevicePicker id={id} value={device} onChange={(d) => setState(d, range)} />}</Field>
        <RangePicker
          value={range}
          onChange={(r) => {
            setPrevious(null);
            setState(device, r);
          }}
        />
      </div>
      <Panel title="Trend">
        {device ? (
          <SeriesChart
            deviceId={device}
            from={from}
            to={to}
            units={units}
            live={live}
            onZoom={(f, t) => {
              setPrevious((p) => p ?? range);
              setState(device, { kind: 'abs', from: f, to: t });
            }}
            onReset={() => {
              if (previous) setState(device, previous);
              setPrevious(null);
            }}
          />
        ) : (
          <Empty>Choose a device to see its temperature and pressure. The table below lists readings of every device.</Empty>
        )}
      </Panel>
      <Panel title="Readings">
        <ReadingsTable deviceId={device} from={from} to={to} live={live} units={units} isAdmin={isAdmin} />
      </Panel>
    </>
  );
}
