import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Units } from '../../../shared/settings';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { call } from '../api/client';
import { fmtTime } from '../lib/format';
import { convertPressure, convertTemp, unitLabels } from '../lib/units';
import { ErrorNote } from './ui';
import { useWidth } from '../lib/use-width';
import { useRuleLimits } from '../api/limits';
import type { RuleLimits } from '../../../shared/ml';

/** The rule limits in force for a device (its own row, else the `*` default), in display units. */
function limitLines(rows: RuleLimits[] | undefined, deviceId: string, units: Units): { temp: number[]; press: number[] } {
  const row = rows?.find((r) => r.device_id === deviceId) ?? rows?.find((r) => r.device_id === '*');
  const num = (v: number | null) => (v === null ? [] : [v]);
  if (!row) return { temp: [], press: [] };
  return {
    temp: [...num(convertTemp(row.temperature_min, units.temperature)), ...num(convertTemp(row.temperature_max, units.temperature))],
    press: [...num(convertPressure(row.pressure_min, units.pressure)), ...num(convertPressure(row.pressure_max, units.pressure))],
  };
}

/** The data's range, widened to take in each limit that keeps the data at least a fifth of the height. */
function withLimits(min: number | null, max: number | null, limits: number[]): uPlot.Range.MinMax {
  if (min === null || max === null) return [min, max];
  const span = Math.max(max - min, Math.abs(max) * 0.05, 1);
  let lo = min;
  let hi = max;
  for (const v of limits.filter((l) => Math.max(hi, l) - Math.min(lo, l) <= 5 * span)) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = (hi - lo) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

interface Span {
  from: number;
  to: number;
}

export interface SeriesChartProps {
  deviceId: string;
  from: number;
  to: number;
  units: Units;
  /** refetch every few seconds (a range that ends now) */
  live?: boolean;
  /** anomalous spans to shade, Unix seconds */
  spans?: Span[];
  onZoom?: (from: number, to: number) => void;
  onReset?: () => void;
  /** the view is a zoom: offer a button that undoes it (double-click is not discoverable, nor usable by keyboard) */
  zoomed?: boolean;
  height?: number;
}

const cssVar = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * Temperature and pressure from /api/telemetry/series on two y axes. It asks for one bucket per
 * horizontal pixel, so it never draws more points than the screen can show, whatever the range.
 */
export function SeriesChart(p: SeriesChartProps) {
  const [box, width] = useWidth<HTMLDivElement>();
  const plot = useRef<uPlot | null>(null);
  const rules = useRuleLimits();
  const limits = limitLines(rules.data, p.deviceId, p.units);
  const [drawnLimits, setDrawnLimits] = useState(0);
  const handlers = useRef({ onZoom: p.onZoom, onReset: p.onReset, spans: p.spans, limits, setDrawnLimits });
  handlers.current = { onZoom: p.onZoom, onReset: p.onReset, spans: p.spans, limits, setDrawnLimits };

  const buckets = Math.max(10, Math.min(5000, width - 120));
  const series = useQuery({
    queryKey: ['series', p.deviceId, p.from, p.to, buckets],
    queryFn: () => call(telemetryRoutes.series, { query: { device_id: p.deviceId, ts_from: p.from, ts_to: p.to, buckets } }),
    enabled: Boolean(p.deviceId) && width > 0,
    refetchInterval: p.live ? 5_000 : false,
    placeholderData: (prev) => prev,
  });

  const labels = unitLabels(p.units);
  const points = series.data?.points ?? [];
  const data: uPlot.AlignedData = [
    points.map((x) => x.ts),
    points.map((x) => convertTemp(x.temperature.avg, p.units.temperature)),
    points.map((x) => convertTemp(x.temperature.min, p.units.temperature)),
    points.map((x) => convertTemp(x.temperature.max, p.units.temperature)),
    points.map((x) => convertPressure(x.pressure.avg, p.units.pressure)),
    points.map((x) => convertPressure(x.pressure.min, p.units.pressure)),
    points.map((x) => convertPressure(x.pressure.max, p.units.pressure)),
  ];
  const dataRef = useRef(data);
  dataRef.current = data;

  // Build the plot when the size or units change; new data alone only calls setData.
  useEffect(() => {
    const el = box.current;
    if (!el || width <= 0) return;
    const tColor = cssVar('--trace-temp', '#8a3ffc');
    const pColor = cssVar('--trace-press', '#0f62fe');
    const axisColor = cssVar('--text-muted', '#666');
    const grid = cssVar('--grid', '#e5e5e5');
    const band = (c: string) => `${c}22`;
    const faint = { width: 0, points: { show: false } };
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 320,
      cursor: { drag: { x: true, y: false, setScale: false } },
      // A limit near the data widens its axis so its line shows; one far away (the shipped
      // "impossible reading" defaults) would flatten the trace, so it is left off.
      scales: {
        x: { time: true },
        temp: { auto: true, range: (_u, min, max) => withLimits(min, max, handlers.current.limits.temp) },
        press: { auto: true, range: (_u, min, max) => withLimits(min, max, handlers.current.limits.press) },
      },
      legend: { live: true },
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : fmtTime(v)) },
        { label: `Temperature (${labels.temperature})`, scale: 'temp', stroke: tColor, width: 2.5, value: (_u, v) => (v == null ? '—' : v.toFixed(2)) },
        { label: 'T min', scale: 'temp', stroke: band(tColor), ...faint, show: true },
        { label: 'T max', scale: 'temp', stroke: band(tColor), ...faint },
        { label: `Pressure (${labels.pressure})`, scale: 'press', stroke: pColor, width: 2.5, value: (_u, v) => (v == null ? '—' : v.toFixed(1)) },
        { label: 'P min', scale: 'press', stroke: band(pColor), ...faint },
        { label: 'P max', scale: 'press', stroke: band(pColor), ...faint },
      ],
      bands: [
        { series: [3, 2], fill: band(tColor) },
        { series: [6, 5], fill: band(pColor) },
      ],
      axes: [
        { stroke: axisColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { scale: 'temp', label: labels.temperature, stroke: tColor, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56 },
        { scale: 'press', label: labels.pressure, side: 1, stroke: pColor, grid: { show: false }, ticks: { stroke: grid }, size: 64 },
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 4) {
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              handlers.current.onZoom?.(Math.floor(from), Math.ceil(to));
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            let drawn = 0;
            ctx.save();
            ctx.lineWidth = 2;
            ctx.setLineDash([8, 5]);
            for (const [scale, values, color] of [
              ['temp', handlers.current.limits.temp, tColor],
              ['press', handlers.current.limits.press, pColor],
            ] as const) {
              ctx.strokeStyle = color;
              for (const v of values) {
                const y = u.valToPos(v, scale, true);
                if (y < bbox.top || y > bbox.top + bbox.height) continue;
                ctx.beginPath();
                ctx.moveTo(bbox.left, y);
                ctx.lineTo(bbox.left + bbox.width, y);
                ctx.stroke();
                drawn++;
              }
            }
            ctx.restore();
            handlers.current.setDrawnLimits(drawn);
          },
        ],
        drawClear: [
          (u) => {
            const spans = handlers.current.spans ?? [];
            if (!spans.length) return;
            const { ctx, bbox } = u;
            ctx.save();
            ctx.fillStyle = cssVar('--alarm-shade', 'rgba(218,30,40,0.16)');
            for (const s of spans) {
              const x0 = Math.max(bbox.left, u.valToPos(s.from, 'x', true));
              const x1 = Math.min(bbox.left + bbox.width, u.valToPos(s.to, 'x', true));
              if (x1 > x0) ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
            }
            ctx.restore();
          },
        ],
      },
    };
    const u = new uPlot(opts, dataRef.current, el);
    const reset = () => handlers.current.onReset?.();
    u.over.addEventListener('dblclick', reset);
    plot.current = u;
    return () => {
      u.over.removeEventListener('dblclick', reset);
      u.destroy();
      plot.current = null;
    };
  }, [width, p.height, p.units.temperature, p.units.pressure]);

  // New limits (loaded, or edited on this page) redraw the axes and lines.
  const limitsKey = JSON.stringify(limits);
  useEffect(() => {
    const u = plot.current;
    if (u) u.setData(u.data);
  }, [limitsKey]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data);
    u.setScale('x', { min: p.from, max: p.to });
  }, [series.data, p.from, p.to, p.spans]);

  return (
    <div className="chart-wrap">
      <ErrorNote error={series.error} title="Chart" />
      <div
        ref={box}
        className="chart chart-single"
        data-testid="series-chart"
        data-points={points.length}
        data-readings={points.reduce((n, x) => n + x.count, 0)}
        data-limit-lines={drawnLimits}
        aria-label={`Temperature and pressure of ${p.deviceId || 'no device'}, ${points.length} points from ${fmtTime(p.from)} to ${fmtTime(p.to)}. Drag to zoom, double-click to reset.`}
        role="img"
      />
      {p.deviceId && series.isSuccess && points.length === 0 ? <p className="chart-empty">No readings of {p.deviceId} in this range.</p> : null}
      <p className="chart-help">
        {p.zoomed && p.onReset ? (
          <button type="button" className="btn btn-small" onClick={p.onReset}>
            Reset zoom
          </button>
        ) : null}{' '}
        {drawnLimits ? 'Dashed lines: rule limits · ' : ''}Drag across the chart to zoom · double-click to reset
        {series.data ? ` · ${series.data.bucket_seconds} s per point` : ''}
      </p>
    </div>
  );
}
