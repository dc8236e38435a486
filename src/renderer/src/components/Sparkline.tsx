import { useQuery } from '@tanstack/react-query';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { call } from '../api/client';

const W = 120;
const H = 28;
const BUCKETS = 48;

/**
 * A small trend of one channel over the last 24 h (48 half-hour buckets of averages), drawn as an
 * SVG line: the shape at a glance next to each device on Overview, as Grafana's stat panels do.
 */
export function Sparkline({ deviceId, channel, since }: { deviceId: string; channel: 'temperature' | 'pressure'; since: number }) {
  const series = useQuery({
    queryKey: ['sparkline', deviceId, since],
    queryFn: () => call(telemetryRoutes.series, { query: { device_id: deviceId, ts_from: since, ts_to: since + 86_400, buckets: BUCKETS } }),
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
  const pts = (series.data?.points ?? []).filter((p) => p[channel].avg !== null);
  if (pts.length < 2) return <span className="muted sparkline-empty">—</span>;
  const xs = pts.map((p) => p.ts);
  const ys = pts.map((p) => p[channel].avg!);
  const [x0, x1] = [since, since + 86_400];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const x = (v: number) => ((v - x0) / (x1 - x0)) * (W - 2) + 1;
  const y = (v: number) => (y1 === y0 ? H / 2 : H - 2 - ((v - y0) / (y1 - y0)) * (H - 4));
  const line = xs.map((t, i) => `${x(t).toFixed(1)},${y(ys[i]!).toFixed(1)}`).join(' ');
  return (
    <svg
      className={`sparkline sparkline-${channel}`}
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${channel} of ${deviceId}, last 24 h`}
    >
      <polyline points={line} fill="none" strokeWidth="2" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
