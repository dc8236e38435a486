import type { Db } from './open';

/** Where a move of the old telemetry table stands; `fraction` is by id range, which costs nothing to compute. */
export interface LayoutProgress {
  moved: number;
  fraction: number;
  rowsPerSecond: number;
  done: boolean;
}

/** Rows per transaction: big enough that commits are a small share, small enough that a kill redoes little. */
const BATCH_ROWS = 50_000;

/** Below this many pages (40 MB at 4 KB) a VACUUM after the move takes well under a second. */
const SMALL_PAGES = 10_000;

const COLUMNS = 'device_ref, ts, id, temperature, pressure, status, extra, received_at';

/**
 * Moves the rows of `telemetry_legacy` (the rowid table migration 012 renamed) into the clustered
 * `telemetry`, oldest id first. Each batch is inserted and deleted from the old table in one
 * transaction, so at every instant each reading is in exactly one of the two tables: a kill loses
 * nothing, the next start simply carries on, and the old table's pages are freed as the new one
 * grows (the file never needs room for two copies). Returns the rows moved (0 when there was no
 * old table).
 */
export function moveLegacyTelemetry(db: Db, onProgress?: (p: LayoutProgress) => void, batchRows = BATCH_ROWS): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'telemetry_legacy'`).pluck().get();
  if (!exists) return 0;
  const bounds = db.prepare(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM telemetry_legacy`).get() as { lo: number | null; hi: number | null };
  const upperOfBatch = db.prepare(`SELECT id FROM telemetry_legacy ORDER BY id LIMIT 1 OFFSET ?`).pluck();
  const copy = db.prepare(`INSERT INTO telemetry (${COLUMNS}) SELECT ${COLUMNS} FROM telemetry_legacy WHERE id <= ? ORDER BY id`);
  const remove = db.prepare(`DELETE FROM telemetry_legacy WHERE id <= ?`);
  const started = performance.now();
  let moved = 0;
  if (bounds.lo !== null && bounds.hi !== null) {
    const { lo, hi } = bounds;
    const batch = db.transaction((upTo: number) => {
      const n = copy.run(upTo).changes;
      remove.run(upTo);
      return n;
    });
    for (;;) {
      const upTo = (upperOfBatch.get(batchRows - 1) as number | undefined) ?? hi;
      moved += batch.immediate(upTo);
      const rowsPerSecond = Math.round(moved / ((performance.now() - started) / 1000));
      const last = upTo >= hi;
      onProgress?.({ moved, fraction: hi > lo ? (upTo - lo) / (hi - lo) : 1, rowsPerSecond, done: false });
      if (last) break;
    }
  }
  db.transaction(() => db.exec('DROP TABLE telemetry_legacy')).immediate();
  // A small database (a new one among them: 012 freed the old table's empty pages) is compacted so
  // it holds no free pages; a big one keeps them for the new table to grow into.
  if ((db.pragma('freelist_count', { simple: true }) as number) > 0 && (db.pragma('page_count', { simple: true }) as number) < SMALL_PAGES) db.exec('VACUUM');
  onProgress?.({ moved, fraction: 1, rowsPerSecond: Math.round(moved / Math.max(0.001, (performance.now() - started) / 1000)), done: true });
  return moved;
}
