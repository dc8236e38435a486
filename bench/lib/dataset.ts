import { closeDatabase, openDatabase } from '../../src/server/db/open';
import { loadMigrations, migrate } from '../../src/server/db/migrate';

/**
 * The benchmark's readings: 100 devices, evenly spaced over 35 days ending an hour ago, so "a
 * day", "a week" and "a month" all exist at any size. Values are a pure function of (device,
 * index), so the station, raw SQLite and InfluxDB all receive exactly the same points.
 */
export const DEVICES = 100;
const SPAN_MS = 35 * 86_400_000;
export const deviceName = (d: number) => `bench-${String(d).padStart(3, '0')}`;

export interface Layout {
  perDevice: number;
  startMs: number;
  endMs: number;
  intervalMs: number;
}

export function layout(rows: number, endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000): Layout {
  const perDevice = Math.ceil(rows / DEVICES);
  const intervalMs = Math.max(1, Math.floor(SPAN_MS / perDevice));
  return { perDevice, startMs: endMs - intervalMs * perDevice, endMs, intervalMs };
}

export interface Point {
  device: number;
  ts: number;
  temperature: number;
  pressure: number;
}

function point(l: Layout, d: number, i: number): Point {
  return {
    device: d,
    ts: l.startMs + i * l.intervalMs + d,
    temperature: Math.round((60 + 20 * Math.sin(i / 500 + d)) * 100) / 100,
    pressure: 1000 + ((i * 7 + d * 13) % 500),
  };
}

/** In time order, devices interleaved, as a field of RTUs would post them. */
export function* points(l: Layout, rows: number): Generator<Point> {
  let n = 0;
  for (let i = 0; i < l.perDevice; i++) {
    for (let d = 0; d < DEVICES; d++) {
      if (n++ >= rows) return;
      yield point(l, d, i);
    }
  }
}

export const toJsonReading = (p: Point) => ({
  device_id: deviceName(p.device),
  ts: p.ts / 1000,
  temperature: p.temperature,
  pressure: p.pressure,
  status: 'ok',
});
export const toLine = (p: Point) => `telemetry,device_id=${deviceName(p.device)} temperature=${p.temperature},pressure=${p.pressure},status="ok" ${p.ts}`;

/**
 * Writes `rows` readings straight into a station database (the station's own migrations, so the
 * same schema). Indexes are dropped during the load and rebuilt after, and synchronous is off:
 * this only prepares data, it is not what is measured.
 */
export function fillStationDb(file: string, l: Layout, rows: number, onProgress?: (n: number) => void, migrations = loadMigrations()): void {
  const db = openDatabase(file);
  try {
    migrate(db, migrations);
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetry' AND sql IS NOT NULL`).all() as {
      name: string;
      sql: string;
    }[];
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    const now = Date.now();
    const addDevice = db.prepare(`INSERT INTO devices (id, device_id, first_seen_at, last_seen_at, reading_count) VALUES (?, ?, ?, ?, 0)`);
    db.transaction(() => {
      for (let d = 0; d < DEVICES; d++) addDevice.run(d + 1, deviceName(d), now, now);
    })();
    // ids given explicitly: the same statement fills the clustered layout (012) and the rowid one before it
    const insert = db.prepare(
      `INSERT INTO telemetry (id, device_ref, ts, temperature, pressure, status, extra, received_at) VALUES (?, ?, ?, ?, ?, 'ok', NULL, ?)`,
    );
    const chunk = 200_000;
    const it = points(l, rows);
    let n = 0;
    for (;;) {
      let done = false;
      db.transaction(() => {
        for (let k = 0; k < chunk; k++) {
          const next = it.next();
          if (next.done) {
            done = true;
            return;
          }
          const p = next.value;
          n++;
          insert.run(n, p.device + 1, p.ts, p.temperature, p.pressure, now);
        }
      })();
      onProgress?.(n);
      if (done) break;
    }
    for (const ix of indexes) db.exec(ix.sql);
    db.exec(`UPDATE devices SET reading_count = (SELECT COUNT(*) FROM telemetry t WHERE t.device_ref = devices.id)`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    closeDatabase(db);
  }
}
