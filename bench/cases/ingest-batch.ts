import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../../src/server/db/open';
import { migrate } from '../../src/server/db/migrate';
import { StationProcess } from '../../test/reliability/helpers/station-process';
import { DEVICES, deviceName, toJsonReading, toLine, type Point } from '../lib/dataset';
import type { BenchEnv } from '../lib/env';
import { InfluxPeer } from '../lib/influx';
import { median, now, ratio } from '../lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from '../lib/types';

const BATCH = 5000;

/** Round r, batch b: 5,000 readings (50 per device), unique per round; the same for every subject. */
function batchPoints(prefixIndex: number, round: number, b: number, batches: number): Point[] {
  const base = Date.now() - 20 * 86_400_000 + prefixIndex * 5 * 86_400_000;
  const out: Point[] = [];
  for (let k = 0; k < BATCH; k++) {
    const i = (round * batches + b) * (BATCH / DEVICES) + Math.floor(k / DEVICES);
    const d = k % DEVICES;
    out.push({ device: d, ts: base + i * 1000, temperature: 20 + (i % 100) / 10, pressure: 1000 + (i % 37) });
  }
  return out;
}

/** The storage limit: the same rows straight into the same schema, one transaction per batch. */
function rawSqliteRound(batches: Point[][]): number {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-bench-raw-'));
  const db = openDatabase(join(dir, 'raw.db'));
  try {
    migrate(db);
    const addDevice = db.prepare(`INSERT INTO devices (id, device_id, first_seen_at, last_seen_at, reading_count) VALUES (?, ?, 0, 0, 0)`);
    for (let d = 0; d < DEVICES; d++) addDevice.run(d + 1, deviceName(d));
    const insert = db.prepare(
      `INSERT INTO telemetry (id, device_ref, ts, temperature, pressure, status, extra, received_at) VALUES (?, ?, ?, ?, ?, 'ok', NULL, ?)`,
    );
    let id = 0;
    const write = db.transaction((rows: Point[]) => {
      const t = Date.now();
      for (const p of rows) insert.run(++id, p.device + 1, p.ts, p.temperature, p.pressure, t);
    });
    const start = now();
    for (const rows of batches) write.immediate(rows);
    return now() - start;
  } finally {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timedPosts(bodies: string[], url: string, headers: Record<string, string>, ok: number[]): Promise<number> {
  const start = now();
  for (const body of bodies) {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    if (!ok.includes(res.status)) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  }
  return now() - start;
}

/**
 * Cases 2 and 3: 5,000-reading batches. JSON batches to the station vs raw better-sqlite3 vs
 * InfluxDB 1.6 /write; then the same line protocol to the station's /api/v2/write and to InfluxDB.
 * One client, sequential requests (a gateway flushing its buffer); each subject runs in its own phase.
 */
export async function ingestBatch(env: BenchEnv, peers: { influxd: boolean }, lineProtocol: boolean): Promise<CaseResult[]> {
  const perRound = { station: [] as number[], raw: [] as number[], influx: [] as number[], stationLp: [] as number[], influxLp: [] as number[] };
  const readings = env.batches * BATCH;
  const rate = (ms: number) => (readings / ms) * 1000;
  const jsonPoints = (r: number) => Array.from({ length: env.batches }, (_, b) => batchPoints(0, r, b, env.batches));
  const lpBodies = (r: number) => Array.from({ length: env.batches }, (_, b) => batchPoints(1, r, b, env.batches).map(toLine).join('\n'));
  // One subject at a time, each in its own phase: a peer left running beside another subject
  // (InfluxDB compacting what it just received) would steal CPU from it on 2 cores.
  const station = await new StationProcess(undefined, BENCH_STATION_ENV).start();
  try {
    const key = await station.key('device');
    for (let r = 0; r < env.rounds; r++) {
      const json = jsonPoints(r).map((ps) => JSON.stringify(ps.map(toJsonReading)));
      perRound.station.push(
        rate(await timedPosts(json, `${station.url}/api/telemetry/batch`, { 'content-type': 'application/json', 'x-api-key': key }, [200])),
      );
      if (lineProtocol) {
        perRound.stationLp.push(
          rate(
            await timedPosts(
              lpBodies(r),
              `${station.url}/api/v2/write?org=bench&bucket=bench&precision=ms`,
              { authorization: `Token ${key}`, 'content-type': 'text/plain; charset=utf-8' },
              [204],
            ),
          ),
        );
      }
    }
  } finally {
    await station.remove();
  }
  for (let r = 0; r < env.rounds; r++) perRound.raw.push(rate(rawSqliteRound(jsonPoints(r))));
  const influx = peers.influxd ? await InfluxPeer.start() : undefined;
  try {
    await influx?.createDb('bench');
    await influx?.createDb('benchlp');
    for (let r = 0; influx && r < env.rounds; r++) {
      const lines = jsonPoints(r).map((ps) => ps.map(toLine).join('\n'));
      perRound.influx.push(rate(await timedPosts(lines, `${influx.url}/write?db=bench&precision=ms`, {}, [204])));
      if (lineProtocol) perRound.influxLp.push(rate(await timedPosts(lpBodies(r), `${influx.url}/write?db=benchlp&precision=ms`, {}, [204])));
    }
  } finally {
    await influx?.stop();
  }
  const st = median(perRound.station);
  const raw = median(perRound.raw);
  const inf = influx ? median(perRound.influx) : null;
  const params = { readings_per_request: BATCH, requests_per_round: env.batches, rounds: env.rounds, client: 'Node fetch, one request at a time' };
  const batch: CaseResult = {
    id: 'ingest-batch',
    title: 'Batch ingest: 5,000 readings per request',
    params,
    subjects: {
      'station POST /api/telemetry/batch (JSON)': { readings_per_s: Math.round(st) },
      'raw better-sqlite3, one transaction per 5,000 rows': { readings_per_s: Math.round(raw) },
      'InfluxDB 1.6 /write (line protocol)': { readings_per_s: inf === null ? null : Math.round(inf) },
    },
    ratios: { 'station / raw SQLite readings_per_s': ratio(st, raw), ...(inf !== null ? { 'station / InfluxDB readings_per_s': ratio(st, inf) } : {}) },
    rounds: perRound.station.map((s, i) => ({ station: s, raw: perRound.raw[i], influx: perRound.influx[i] ?? null })),
    notes: [
      'The station parses JSON, validates each reading with zod, upserts devices and checks (device, ts) for duplicates in one transaction; raw SQLite only inserts.',
      ...(influx ? [] : ['influxd missing: apt-get install -y influxdb']),
    ],
  };
  if (!lineProtocol) {
    return [
      batch,
      {
        id: 'ingest-lineprotocol',
        title: 'Line-protocol ingest',
        params,
        subjects: {},
        ratios: {},
        notes: [],
        skipped: 'POST /api/v2/write is not in this build (issue 6)',
      },
    ];
  }
  const sl = median(perRound.stationLp);
  const il = influx ? median(perRound.influxLp) : null;
  const lp: CaseResult = {
    id: 'ingest-lineprotocol',
    title: 'Line-protocol ingest: the same 5,000-line bodies, same client',
    params,
    subjects: {
      'station POST /api/v2/write': { readings_per_s: Math.round(sl) },
      'InfluxDB 1.6 /write': { readings_per_s: il === null ? null : Math.round(il) },
    },
    ratios: il !== null ? { 'station / InfluxDB readings_per_s': ratio(sl, il) } : {},
    rounds: perRound.stationLp.map((s, i) => ({ station: s, influx: perRound.influxLp[i] ?? null })),
    notes: [],
  };
  return [batch, lp];
}
