import { useEffect, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useIsAdmin } from '../api/queries';
import { useUnits } from '../lib/preferences';
import { DevicePicker } from '../components/DevicePicker';
import { RangePicker } from '../components/RangePicker';
import { ReadingsTable, type TimeOrder } from '../components/ReadingsTable';
import { SeriesChart } from '../components/SeriesChart';
import { CompareChart, MAX_COMPARED, type Channel } from '../components/CompareChart';
import { ComparePicker } from '../components/ComparePicker';
import { Empty, Field, PageHeader, Panel } from '../components/ui';
import { isLive, rangeFromSearch, rangeToSearch, resolveRange, type TimeRange } from '../lib/range';

interface ViewState {
  device: string;
  range: TimeRange;
  order: TimeOrder;
  compare: string[];
  channel: Channel;
}

/** The state lives in the URL (device, range, table order), like Grafana, so a view can be shared. */
function useUrlState(): [ViewState, (change: Partial<ViewState>) => void] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const state: ViewState = {
    device: params.get('device') ?? '',
    range: rangeFromSearch(params),
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
    compare: (params.get('compare') ?? '').split(',').filter(Boolean).slice(0, MAX_COMPARED),
    channel: params.get('channel') === 'pressure' ? 'pressure' : 'temperature',
  };
  const set = (change: Partial<ViewState>) => {
    const { device, range, order, compare, channel } = { ...state, ...change };
    const next = new URLSearchParams();
    if (device) next.set('device', device);
    rangeToSearch(range, next);
    if (order === 'asc') next.set('order', order);
    if (compare.length) next.set('compare', compare.join(','));
    if (compare.length && channel === 'pressure') next.set('channel', channel);
    navigate(`/telemetry?${next.toString()}`, { replace: true });
  };
  return [state, set];
}

export function Telemetry() {
  const [{ device, range, order, compare, channel }, setState] = useUrlState();
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
  const live = isLive(range);

  return (
    <>
      <PageHeader title="Telemetry" />
      <div className="toolbar">
        <Field label="Device">{(id) => <DevicePicker id={id} value={device} onChange={(d) => setState({ device: d })} />}</Field>
        <RangePicker
          value={range}
          onChange={(r) => {
            setPrevious(null);
            setState({ range: r });
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
            zoomed={previous !== null}
            onZoom={(f, t) => {
              setPrevious((p) => p ?? range);
              setState({ range: { kind: 'abs', from: f, to: t } });
            }}
            onReset={() => {
              if (previous) setState({ range: previous });
              setPrevious(null);
            }}
          />
        ) : (
          <Empty>Choose a device to see its temperature and pressure. The table below lists readings of every device.</Empty>
        )}
      </Panel>
      <Panel title="Compare wells">
        <ComparePicker devices={compare} channel={channel} onChange={(c, ch) => setState({ compare: c, channel: ch })} />
        {compare.length ? (
          <CompareChart devices={compare} channel={channel} from={from} to={to} units={units} live={live} />
        ) : (
          <Empty>Tick up to eight wells to see one channel of each on a shared time axis.</Empty>
        )}
      </Panel>
      <Panel title="Readings">
        <ReadingsTable
          deviceId={device}
          from={from}
          to={to}
          live={live}
          units={units}
          isAdmin={isAdmin}
          order={order}
          onOrderChange={(o) => setState({ order: o })}
        />
      </Panel>
    </>
  );
}
