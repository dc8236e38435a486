import { useQueries } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useWidth } from '../lib/use-width';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Units } from '../../../shared/settings';
import type { Series } from '../../../shared/telemetry';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { call } from '../api/client';
import { fmtTime } from '../lib/format';
import { convertPressure, convertTemp, unitLabels } from '../lib/units';

export const MAX_COMPARED = 8;
export type Channel = 'temperature' | 'pressure';

/** Eight colours told apart in light, dark and high contrast, and by most colour-blind eyes (Okabe–Ito, plus grey). */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#7f7f7f', '#000000'];

/**
 * Up to eight wells on one chart: one channel, one shared time axis, one line each (bucket
 * averages, a bucket per pixel), like a Grafana panel with several queries.
 */
export function CompareChart(p: { devices: string[]; channel: Channel; from: number; to: number; units: Units; live: boolean }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const buckets = Math.max(10, Math.min(2000, width - 100));
  const results = useQueries({
    queries: p.devices.map((d) => ({
      queryKey: ['series', d, p.from, p.to, buckets],
      queryFn: () => call(telemetryRoutes.series, { query: { device_id: d, ts_from: p.from, ts_to: p.to, buckets } }),
      enabled: width > 0,
      refetchInterval: p.live ? 5_000 : (false as const),
      placeholderData: (prev: Series | undefined) => prev,
    })),
  });
  const convert = (v: number | null) => (p.channel === 'temperature' ? convertTemp(v, p.units.temperature) : convertPressure(v, p.units.pressure));
  const tables = results.map((r) => {
    const pts = r.data?.points ?? [];
    return [pts.map((x) => x.ts), pts.map((x) => convert(x[p.channel].avg))] as uPlot.AlignedData;
  });
  const data = tables.length ? uPlot.join(tables) : ([[]] as unknown as uPlot.AlignedData);
  const points = results.reduce((n, r) => n + (r.data?.points.length ?? 0), 0);
  const unit = unitLabels(p.units)[p.channel];
  const key = `${p.devices.join(',')}|${p.channel}|${unit}|${width}`;
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el || width <= 0 || !p.devices.length) return;
    const css = getComputedStyle(document.documentElement);
    const axis = css.getPropertyValue('--text-muted').trim() || '#666';
    const grid = css.getPropertyValue('--grid').trim() || '#e5e5e5';
    const u = new uPlot(
      {
        width,
        height: 320,
        scales: { x: { time: true } },
        series: [
          { label: 'Time', value: (_u, v) => (v == null ? '—' : fmtTime(v)) },
          ...p.devices.map((d, i) => ({
            label: d,
            stroke: PALETTE[i % PALETTE.length],
            width: 2.5,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : v.toFixed(2)),
          })),
        ],
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          {
            label: `${p.channel === 'temperature' ? 'Temperature' : 'Pressure'} (${unit})`,
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            size: 64,
          },
        ],
      },
      dataRef.current,
      el,
    );
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
    // rebuilt only when the traces, unit or size change; new data goes through setData below
  }, [key]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data);
    u.setScale('x', { min: p.from, max: p.to });
  });

  return (
    <div
      ref={box}
      className="chart"
      data-testid="compare-chart"
      data-traces={p.devices.length}
      data-points={points}
      role="img"
      aria-label={`${p.channel} of ${p.devices.join(', ')} from ${fmtTime(p.from)} to ${fmtTime(p.to)}`}
    />
  );
}
