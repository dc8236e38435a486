import type { StationProcess } from '../../test/reliability/helpers/station-process';
import { DEVICES, deviceName, type Layout } from '../lib/dataset';
import type { BenchEnv } from '../lib/env';
import type { InfluxPeer } from '../lib/influx';
import { now, percentile, pick, ratio, round } from '../lib/stats';
import type { CaseResult } from '../lib/types';

const DAY = 86_400_000;

interface Query {
  id: string;
  title: string;
  samples: number;
  station: (i: number) => string;
  influx: (i: number) => string;
}

/** Deterministic "random" picks, so both subjects get the very same sequence of questions. */

function queryPlan(env: BenchEnv, l: Layout): Query[] {
  const dev = (i: number) => deviceName(pick(i, DEVICES));
  const daysAvailable = Math.max(1, Math.floor((l.endMs - l.startMs) / DAY) - 1);
  const dayStart = (i: number) => l.startMs + pick(i + 7, daysAvailable) * DAY;
  // A week of stats scans a fifth of the table: few samples keep a 10M-row run near 20 minutes.
  const heavy = Math.max(5, Math.round(env.queries / 20));
  const s = (ms: number) => ms / 1000;
  return [
    {
      id: 'latest-100',
      title: 'latest 100 readings of one device',
      samples: env.queries,
      station: (i) => `/api/telemetry?device_id=${dev(i)}&limit=100`,
      influx: (i) => `SELECT * FROM telemetry WHERE device_id='${dev(i)}' ORDER BY time DESC LIMIT 100`,
    },
    {
      id: 'one-day',
      title: 'one day of one device (all rows)',
      samples: Math.max(10, Math.round(env.queries / 4)),
      station: (i) => `/api/telemetry?device_id=${dev(i)}&ts_from=${s(dayStart(i))}&ts_to=${s(dayStart(i) + DAY - 1)}&limit=10000&order=asc`,
      influx: (i) => `SELECT * FROM telemetry WHERE device_id='${dev(i)}' AND time >= ${dayStart(i)}ms AND time < ${dayStart(i) + DAY}ms`,
    },
    {
      // The station caches stats for 60 s; the window moves by a second per sample so every
      // sample is computed (the X-Cache header is checked), which is what InfluxDB does too.
      id: 'stats-week',
      title: 'stats over a week, all devices (count, min/max/avg per device)',
      samples: heavy,
      station: (i) => `/api/telemetry/stats?ts_from=${s(l.endMs - 7 * DAY - i * 1000)}&ts_to=${s(l.endMs - i * 1000)}`,
      influx: (i) =>
        `SELECT count(temperature), min(temperature), max(temperature), mean(temperature), min(pressure), max(pressure), mean(pressure) FROM telemetry WHERE time >= ${l.endMs - 7 * DAY - i * 1000}ms AND time <= ${l.endMs - i * 1000}ms GROUP BY device_id`,
    },
    {
      id: 'series-month',
      title: 'a month of one device downsampled to 1,000 buckets (min/avg/max)',
      samples: Math.max(10, Math.round(env.queries / 4)),
      station: (i) => `/api/telemetry/series?device_id=${dev(i)}&ts_from=${s(l.endMs - 30 * DAY)}&ts_to=${s(l.endMs)}&buckets=1000`,
      influx: (i) =>
        `SELECT min(temperature), mean(temperature), max(temperature), min(pressure), mean(pressure), max(pressure) FROM telemetry WHERE device_id='${dev(i)}' AND time >= ${l.endMs - 30 * DAY}ms AND time <= ${l.endMs}ms GROUP BY time(${Math.round((30 * DAY) / 1000 / 1000)}s)`,
    },
  ];
}

async function sample(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.min(3, n); i++) await fn(n + i); // warm-up, not recorded
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = now();
    await fn(i);
    out.push(now() - start);
  }
  return out;
}

/** Case 4: client-side latency (request sent to body read) of each query, sequential. */
export async function queries(env: BenchEnv, l: Layout, station: StationProcess, influx: InfluxPeer | undefined, influxRows: number): Promise<CaseResult> {
  const key = await station.key('user');
  const subjects: CaseResult['subjects'] = {};
  const ratios: CaseResult['ratios'] = {};
  let cacheHits = 0;
  for (const q of queryPlan(env, l)) {
    const ours = await sample(q.samples, async (i) => {
      const res = await fetch(station.url + q.station(i), { headers: { 'x-api-key': key } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${q.station(i)}: ${res.status}`);
      if (res.headers.get('x-cache') === 'HIT') cacheHits++;
    });
    subjects[`station: ${q.title}`] = { p50_ms: round(percentile(ours, 50), 2), p99_ms: round(percentile(ours, 99), 2), samples: ours.length };
    if (influx) {
      const theirs = await sample(q.samples, async (i) => void (await influx.query('bench', q.influx(i))));
      subjects[`InfluxDB 1.6: ${q.title}`] = { p50_ms: round(percentile(theirs, 50), 2), p99_ms: round(percentile(theirs, 99), 2), samples: theirs.length };
      ratios[`${q.id}: station / InfluxDB p50`] = ratio(percentile(ours, 50), percentile(theirs, 50));
      ratios[`${q.id}: station / InfluxDB p99`] = ratio(percentile(ours, 99), percentile(theirs, 99));
    }
  }
  return {
    id: 'queries',
    title: `Queries on ${l.perDevice * DEVICES} readings over ${DEVICES} devices`,
    params: { station_rows: l.perDevice * DEVICES, influx_points: influx ? influxRows : null, interval_s: l.intervalMs / 1000, span_days: 35 },
    subjects,
    ratios,
    notes: [
      'p99 of a handful of samples is the slowest sample; heavy queries get fewer samples (see "samples").',
      ...(cacheHits ? [`${cacheHits} station samples were cache hits`] : ['every station sample was computed (no cache hits)']),
      ...(influx && influxRows < l.perDevice * DEVICES
        ? [`InfluxDB held only ${influxRows} points (BENCH_PEER_ROWS): its queries touched fewer points per device than the station's.`]
        : []),
    ],
  };
}
