import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from './open';

/**
 * Where a move of the old telemetry table stands. Counts include the rows an earlier, interrupted
 * move already carried over, so a restarted station reports the same position it stopped at.
 */
export interface LayoutProgress {
  /** 'moving' between batches; 'finishing' drops the emptied old table (and compacts a small file); 'done' */
  phase: 'moving' | 'finishing' | 'done';
  /** rows moved by this run */
  moved: number;
  /** rows in the new layout now, those of an earlier, interrupted run included */
  inNewLayout: number;
  /** rows the new layout holds when the move ends (nothing else writes while it runs) */
  total: number;
  /** rows an earlier, interrupted run had moved: where this run resumed */
  resumedAt: number;
  /** inNewLayout / total (1 for an empty table) */
  fraction: number;
  /** this run's rate */
  rowsPerSecond: number;
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
 * grows (the file never needs room for two copies).
 *
 * A generator so the same steps run straight through (`moveLegacyTelemetry`) or with the event loop
 * turning between batches (`moveLegacyTelemetryAsync`). It yields only between transactions, never
 * inside one. Returns the rows moved (0 when the old table was missing or empty).
 */
function* moveSteps(db: Db, batchRows: number): Generator<LayoutProgress, number, void> {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'telemetry_legacy'`).pluck().get();
  if (!exists) return 0;
  // Two counts, once: the old table has no index left, so this reads it through (the move reads it
  // all anyway, and the pages stay cached for it); the new one is empty unless a move was interrupted.
  const left = db.prepare(`SELECT COUNT(*) FROM telemetry_legacy`).pluck().get() as number;
  // nothing to move (a new database, whose empty table 012 renamed too): nothing to report either
  if (left === 0) {
    dropLegacy(db);
    return 0;
  }
  const resumedAt = db.prepare(`SELECT COUNT(*) FROM telemetry`).pluck().get() as number;
  const total = resumedAt + left;
  const hi = db.prepare(`SELECT MAX(id) FROM telemetry_legacy`).pluck().get() as number;
  const upperOfBatch = db.prepare(`SELECT id FROM telemetry_legacy ORDER BY id LIMIT 1 OFFSET ?`).pluck();
  const copy = db.prepare(`INSERT INTO telemetry (${COLUMNS}) SELECT ${COLUMNS} FROM telemetry_legacy WHERE id <= ? ORDER BY id`);
  const remove = db.prepare(`DELETE FROM telemetry_legacy WHERE id <= ?`);
  const started = performance.now();
  let moved = 0;
  const at = (phase: LayoutProgress['phase']): LayoutProgress => {
    const inNewLayout = resumedAt + moved;
    const seconds = (performance.now() - started) / 1000;
    return {
      phase,
      moved,
      inNewLayout,
      total,
      resumedAt,
      fraction: total > 0 ? inNewLayout / total : 1,
      rowsPerSecond: moved > 0 ? Math.round(moved / Math.max(0.001, seconds)) : 0,
    };
  };
  yield at('moving');
  const batch = db.transaction((upTo: number) => {
    const n = copy.run(upTo).changes;
    remove.run(upTo);
    return n;
  });
  for (;;) {
    const upTo = (upperOfBatch.get(batchRows - 1) as number | undefined) ?? hi;
    moved += batch.immediate(upTo);
    if (upTo >= hi) break;
    yield at('moving');
  }
  yield at('finishing');
  dropLegacy(db);
  yield at('done');
  return moved;
}

function dropLegacy(db: Db): void {
  db.transaction(() => db.exec('DROP TABLE telemetry_legacy')).immediate();
  // A small database (a new one among them: 012 freed the old table's empty pages) is compacted so
  // it holds no free pages; a big one keeps them for the new table to grow into.
  if ((db.pragma('freelist_count', { simple: true }) as number) > 0 && (db.pragma('page_count', { simple: true }) as number) < SMALL_PAGES) db.exec('VACUUM');
}

/** The move in one go, reporting after each batch: for commands with nobody to answer meanwhile (`migrate`, `seed`, the worker). */
export function moveLegacyTelemetry(db: Db, onProgress?: (p: LayoutProgress) => void, batchRows = BATCH_ROWS): number {
  const steps = moveSteps(db, batchRows);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value);
  }
}

/** Thrown between batches when the move is asked to stop; what moved is committed, the next start carries on. */
export class LayoutMoveStopped extends Error {
  override name = 'LayoutMoveStopped';
}

/**
 * The same move, letting the event loop turn after each batch (one 50,000-row transaction holds it
 * for a fraction of a second), so the station process can send its progress to the window, answer
 * its parent, and stop between two batches when `signal` aborts.
 */
export async function moveLegacyTelemetryAsync(
  db: Db,
  onProgress?: (p: LayoutProgress) => void,
  options: { batchRows?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const steps = moveSteps(db, options.batchRows ?? BATCH_ROWS);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value);
    if (step.value.phase === 'done') continue;
    await nextTurn();
    if (options.signal?.aborted) {
      throw new LayoutMoveStopped(
        `the telemetry layout move stopped at ${step.value.inNewLayout} of ${step.value.total} readings; the next start carries on from there`,
      );
    }
  }
}
