import { StationProcess } from '../test/reliability/helpers/station-process';
import { demoReadings } from '../src/server/seed/demo-telemetry';
import type { BenchEnv } from './lib/env';
import { median, now, ratio, round } from './lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from './lib/types';

const WEEK_END = Date.UTC(2026, 10, 28);

/**
 * Case `mlscore`: POST /api/ml/score over a week of one device (10,081 readings at one a minute, the
 * issue's size) with the shipped model, guards and limits, next to GET /api/telemetry reading the
 * same range (the floor: the same rows out of SQLite and onto the wire). Readings scored per second
 * is the headline; the ratio says what the scoring itself costs on top of reading the rows.
 */
export async function mlScore(env: BenchEnv): Promise<CaseResult> {
  const station = await new StationProcess(undefined, { ...BENCH_STATION_ENV, ML_ALARMS: 'false' }).start();
  try {
    const key = await station.key('device');
    const token = await station.token();
    const readings = [...demoReadings({ wells: ['bench-well'], days: 7, intervalSeconds: 60, endMs: WEEK_END })].map((r) => ({
      ...r,
      ts: (r.ts as number) / 1000,
    }));
    const stored = await station.call('POST', '/api/telemetry/batch', { key, body: readings });
    if (stored.status >= 300) throw new Error(`ingest failed: ${stored.status} ${stored.text}`);
    const from = readings[0]!.ts;
    const to = readings.at(-1)!.ts;
    const rounds = Math.max(3, env.rounds + 2);
    const score: number[] = [];
    const read: number[] = [];
    let anomalies = 0;
    // The first call of each warms the model file and prepared statements: not measured.
    await station.call('POST', '/api/ml/score', { token, body: { device_id: 'bench-well', ts_from: from, ts_to: to } });
    await station.call('GET', `/api/telemetry?device_id=bench-well&ts_from=${from}&ts_to=${to}&limit=10000`, { token });
    for (let r = 0; r < rounds; r++) {
      let t = now();
      const s = await station.call<{ anomaly: boolean }[]>('POST', '/api/ml/score', { token, body: { device_id: 'bench-well', ts_from: from, ts_to: to } });
      score.push(now() - t);
      if (s.status !== 200 || s.body.length !== readings.length)
        throw new Error(`score answered ${s.status} with ${Array.isArray(s.body) ? s.body.length : 0} points`);
      anomalies = s.body.filter((p) => p.anomaly).length;
      t = now();
      const q = await station.call('GET', `/api/telemetry?device_id=bench-well&ts_from=${from}&ts_to=${to}&limit=10000`, { token });
      read.push(now() - t);
      if (q.status !== 200) throw new Error(`telemetry read answered ${q.status}`);
    }
    const sMs = median(score);
    const rMs = median(read);
    return {
      id: 'mlscore',
      title: 'Anomaly scoring: /api/ml/score over a week of one device',
      params: { readings: readings.length, rounds, model: 'resources/models/default.json' },
      subjects: {
        'POST /api/ml/score (forest + guards + limits + reasons)': { ms: round(sMs, 1), readings_per_s: round(readings.length / (sMs / 1000), 0) },
        'GET /api/telemetry, same range (10,000 rows)': { ms: round(rMs, 1), readings_per_s: round(10_000 / (rMs / 1000), 0) },
      },
      ratios: { 'score / read ms': ratio(sMs, rMs) },
      rounds: score.map((v, i) => ({ score_ms: round(v, 1), read_ms: round(read[i]!, 1) })),
      notes: [
        `${anomalies} of ${readings.length} demo readings flagged (the demo wells have synthetic events).`,
        'Scoring runs on the request thread: each reading gets 39 features over its 360-reading baseline (computed for the whole range at once: feature-series.ts), 40 flattened trees, three guards and its reasons.',
      ],
    };
  } finally {
    await station.remove();
  }
}
