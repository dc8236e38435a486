import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { loadMigrations, migrate } from '../../src/server/db/migrate';
import { seededRandom } from '../../src/shared/random';

/** The columns a reading keeps through the layout move. */
export const READING_COLUMNS = 'id, device_ref, ts, temperature, pressure, status, extra, received_at';

/**
 * `db`'s readings against `before`, a copy of the legacy database taken before the move: how many
 * there were and are now, how many of the old ones are missing and how many are extra (0 and 0 with
 * equal counts: the same readings, each once and unchanged).
 */
export function compareReadings(db: Db, before: string): { then: number; now: number; missing: number; extra: number } {
  db.prepare(`ATTACH DATABASE ? AS before`).run(before);
  try {
    const count = (sql: string) => db.prepare(`SELECT COUNT(*) FROM (${sql})`).pluck().get() as number;
    const [old, moved] = [`SELECT ${READING_COLUMNS} FROM before.telemetry`, `SELECT ${READING_COLUMNS} FROM main.telemetry`];
    return {
      then: count(`SELECT id FROM before.telemetry`),
      now: count(`SELECT id FROM main.telemetry`),
      missing: count(`${old} EXCEPT ${moved}`),
      extra: count(`${moved} EXCEPT ${old}`),
    };
  } finally {
    db.prepare(`DETACH DATABASE before`).run();
  }
}

/** The last schema version with the rowid telemetry table (before migration 012). */
const LEGACY_VERSION = 11;

/**
 * A database as the release before migration 012 wrote it: `rows` readings over 50 devices (some
 * with extra JSON, nulls and statuses), about 1% replaced the old way (INSERT OR REPLACE, so a new
 * AUTOINCREMENT id and a gap), 0.5% deleted with InfluxDB tombstones (the highest id among them,
 * so the id counter is above every stored id), a forwarder position, and oil batches with events.
 * Plain SQL of the 011 schema, so the layout is exactly the old one whatever the current code does.
 */
export function buildLegacyDb(file: string, rows: number, seed = 7): void {
  const db = openDatabase(file);
  try {
    migrate(db, loadMigrations().slice(0, LEGACY_VERSION));
    fill(db, rows, seededRandom(seed));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    closeDatabase(db);
  }
}

function fill(db: Db, rows: number, r: () => number): void {
  const devices = 50;
  const base = Date.UTC(2024, 0, 1);
  const addDevice = db.prepare(`INSERT INTO devices (id, device_id, first_seen_at, last_seen_at, reading_count) VALUES (?, ?, ?, ?, 0)`);
  const insert = db.prepare(`INSERT INTO telemetry (device_ref, ts, temperature, pressure, status, extra, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const replace = db.prepare(
    `INSERT OR REPLACE INTO telemetry (device_ref, ts, temperature, pressure, status, extra, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const del = db.prepare(`DELETE FROM telemetry WHERE id = ? RETURNING device_ref, ts`);
  const tombstone = db.prepare(
    `INSERT INTO influx_tombstones (device_id, ts, after_id, created_at) VALUES (?, ?, (SELECT seq FROM sqlite_sequence WHERE name = 'telemetry'), ?)`,
  );
  db.transaction(() => {
    for (let d = 1; d <= devices; d++) addDevice.run(d, `well-${String(d).padStart(3, '0')}`, base, base);
  })();
  const chunk = 100_000;
  for (let from = 0; from < rows; from += chunk) {
    db.transaction(() => {
      for (let i = from; i < Math.min(rows, from + chunk); i++) {
        const d = 1 + (i % devices);
        const ts = base + Math.floor(i / devices) * 10_000 + d;
        const extra = r() < 0.1 ? JSON.stringify({ flow: Math.round(r() * 1000) / 10, pump: r() < 0.5 ? 'on' : 'off' }) : null;
        const temperature = r() < 0.05 ? null : Math.round(r() * 10_000) / 100;
        const status = r() < 0.02 ? 'alarm' : r() < 0.5 ? 'ok' : null;
        insert.run(d, ts, temperature, r() < 0.05 ? null : 1000 + (i % 500), status, extra, ts + 50);
      }
    })();
  }
  db.transaction(() => {
    // replacements: the same (device, ts) with other values gets a new, higher id
    for (let k = 0; k < rows / 100; k++) {
      const i = Math.floor(r() * rows);
      const d = 1 + (i % devices);
      replace.run(d, base + Math.floor(i / devices) * 10_000 + d, -1, -1, 'replaced', null, Date.now());
    }
    const maxId = db.prepare(`SELECT MAX(id) FROM telemetry`).pluck().get() as number;
    const victims = new Set<number>([maxId]);
    while (victims.size < rows / 200) victims.add(1 + Math.floor(r() * maxId));
    for (const id of victims) {
      const gone = del.get(id) as { device_ref: number; ts: number } | undefined;
      if (gone) tombstone.run(`well-${String(gone.device_ref).padStart(3, '0')}`, gone.ts, Date.now());
    }
    db.exec(`UPDATE devices SET reading_count = (SELECT COUNT(*) FROM telemetry t WHERE t.device_ref = devices.id)`);
    db.prepare(
      `INSERT INTO influx_forwarder (target, position, tombstone_position, forwarded_total, updated_at) VALUES ('http://127.0.0.1:1/db', ?, 3, ?, 0)`,
    ).run(Math.floor(maxId / 2), Math.floor(maxId / 2));
    const batch = db.prepare(
      `INSERT INTO oil_batches (batch_id, well_id, current_stage, status, stage_since, created_at, updated_at, created_by) VALUES (?, ?, 'produced', 'active', ?, ?, ?, 'admin')`,
    );
    const event = db.prepare(
      `INSERT INTO oil_events (batch_id, ts, recorded_at, kind, stage, status, gross_volume_bbl, actor) VALUES (?, ?, ?, 'measurement', 'produced', 'active', ?, 'admin')`,
    );
    for (let b = 0; b < 20; b++) {
      const id = `B-2024-${String(b + 1).padStart(4, '0')}`;
      batch.run(id, `well-${String(1 + (b % devices)).padStart(3, '0')}`, base, base, base);
      for (let e = 0; e < 5; e++) event.run(id, base + e * 60_000, base + e * 60_000, 100 + e);
    }
  })();
}
