import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StationProcess } from '../../test/reliability/helpers/station-process';
import type { BenchEnv } from '../lib/env';
import { runIngestLoad, type LoadResult } from '../lib/load';
import { median, ratio } from '../lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from '../lib/types';
import { followStation } from '../../test/server/helpers/follow-station';

const BARE = fileURLToPath(new URL('../bare-server.ts', import.meta.url));

/** A bare Express 5 route returning 204, in its own node process (tsx, like the bench). */
async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await followStation(child).ready;
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Case 1: authenticated single-reading POSTs vs a bare route, alternating rounds. */
export async function ingestSingle(env: BenchEnv): Promise<CaseResult> {
  const station = await new StationProcess(undefined, BENCH_STATION_ENV).start();
  const bare = await startBare();
  const ours: LoadResult[] = [];
  const ref: LoadResult[] = [];
  try {
    const key = await station.key('device');
    // Unique (device, ts) per request across rounds: each round starts its own second range.
    const tsBase = Math.floor(Date.now() / 1000) - 20 * 86_400;
    for (let r = 0; r < env.rounds; r++) {
      ours.push(await runIngestLoad(station.url, { seconds: env.durationS, connections: env.connections, key, tsBase: tsBase + r * 100_000 }));
      ref.push(await runIngestLoad(bare.url, { seconds: env.durationS, connections: env.connections, tsBase }));
    }
  } finally {
    await bare.stop();
    await station.remove();
  }
  const m = (rs: LoadResult[], k: keyof LoadResult) => median(rs.map((r) => Number(r[k] ?? NaN)));
  const station_rps = m(ours, 'requests_per_s');
  const bare_rps = m(ref, 'requests_per_s');
  return {
    id: 'ingest-single',
    title: 'Single-reading ingest: POST /api/telemetry (device key, keep-alive)',
    params: { tool: ours[0]?.tool, connections: env.connections, seconds_per_round: env.durationS, rounds: env.rounds },
    subjects: {
      station: {
        requests_per_s: station_rps,
        latency_p50_ms: m(ours, 'latency_p50_ms'),
        latency_p99_ms: m(ours, 'latency_p99_ms'),
        non_2xx: ours.reduce((a, r) => a + r.non_2xx, 0),
        socket_errors: ours.reduce((a, r) => a + r.errors, 0),
      },
      'bare Express 5 route (204)': {
        requests_per_s: bare_rps,
        latency_p50_ms: m(ref, 'latency_p50_ms'),
        latency_p99_ms: m(ref, 'latency_p99_ms'),
        non_2xx: ref.reduce((a, r) => a + r.non_2xx, 0),
        socket_errors: ref.reduce((a, r) => a + r.errors, 0),
      },
    },
    ratios: { 'station / bare route requests_per_s': ratio(station_rps, bare_rps) },
    rounds: ours.map((o, i) => ({ station: o, bare: ref[i] })),
    notes: [
      'Each request is answered only after its reading is committed (WAL, synchronous=NORMAL; requests arriving together share one commit), after API-key lookup and validation; the bare route does none of that.',
    ],
  };
}
