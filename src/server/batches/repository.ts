import type { BatchFilter, BatchStatus, Stage } from '../../shared/batches';
import type { Db } from '../db/open';

/** An oil_batches row as stored (times in ms UTC). */
export interface BatchRow {
  id: number;
  batch_id: string;
  well_id: string;
  current_stage: Stage;
  status: BatchStatus;
  stage_since: number;
  version: number;
  created_at: number;
  updated_at: number;
  created_by: string;
  note: string | null;
}

type EventKind = 'created' | 'transition' | 'measurement' | 'note' | 'status';

/** An oil_events row as stored. */
export interface EventRow {
  id: number;
  batch_id: string;
  ts: number;
  recorded_at: number;
  kind: EventKind;
  stage: Stage;
  from_stage: Stage | null;
  status: BatchStatus;
  from_status: BatchStatus | null;
  location: string | null;
  carrier: 'pipeline' | 'truck' | null;
  ticket: string | null;
  gross_volume_bbl: number | null;
  temperature_f: number | null;
  api_gravity: number | null;
  bsw_pct: number | null;
  ctl: number | null;
  gsv_bbl: number | null;
  nsv_bbl: number | null;
  override: 0 | 1;
  reason: string | null;
  note: string | null;
  actor: string;
}

export type NewEvent = Omit<EventRow, 'id'>;
export type NewBatch = Omit<BatchRow, 'id' | 'version'>;

const EVENT_COLUMNS = [
  'batch_id',
  'ts',
  'recorded_at',
  'kind',
  'stage',
  'from_stage',
  'status',
  'from_status',
  'location',
  'carrier',
  'ticket',
  'gross_volume_bbl',
  'temperature_f',
  'api_gravity',
  'bsw_pct',
  'ctl',
  'gsv_bbl',
  'nsv_bbl',
  'override',
  'reason',
  'note',
  'actor',
] as const;

/** WHERE clause for the list/export filters; values are always bound, never spliced. */
function filterSql(f: Partial<BatchFilter>): { where: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  const add = (sql: string, name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    parts.push(sql);
    params[name] = value;
  };
  add('current_stage = @stage', 'stage', f.current_stage);
  add('status = @status', 'status', f.status);
  add('well_id = @well', 'well', f.well);
  add('created_at >= @from', 'from', f.created_from);
  add('created_at <= @to', 'to', f.created_to);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Owns the oil batch SQL. Hot statements are prepared once. */
export class BatchRepository {
  private readonly insertBatchStmt;
  private readonly findStmt;
  private readonly updateStmt;
  private readonly insertEventStmt;
  private readonly eventsStmt;
  private readonly eventStmt;
  private readonly lastMeasurementStmt;
  private readonly maxNumberStmt;

  constructor(private readonly db: Db) {
    this.insertBatchStmt = db.prepare(
      `INSERT INTO oil_batches (batch_id, well_id, current_stage, status, stage_since, version, created_at, updated_at, created_by, note)
       VALUES (@batch_id, @well_id, @current_stage, @status, @stage_since, 1, @created_at, @updated_at, @created_by, @note)`,
    );
    this.findStmt = db.prepare(`SELECT * FROM oil_batches WHERE batch_id = ?`);
    // The version check is what makes concurrent transitions safe: only one writer sees its version.
    this.updateStmt = db.prepare(
      `UPDATE oil_batches SET current_stage = @current_stage, status = @status, stage_since = @stage_since,
         updated_at = @updated_at, version = version + 1
       WHERE batch_id = @batch_id AND version = @expected_version`,
    );
    this.insertEventStmt = db.prepare(`INSERT INTO oil_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    this.eventsStmt = db.prepare(`SELECT * FROM oil_events WHERE batch_id = ? ORDER BY ts, id`);
    this.eventStmt = db.prepare(`SELECT * FROM oil_events WHERE id = ?`);
    this.lastMeasurementStmt = db.prepare(`SELECT * FROM oil_events WHERE batch_id = ? AND gross_volume_bbl IS NOT NULL ORDER BY ts DESC, id DESC LIMIT 1`);
    // The station's own ids are B-<year>-<number>; operator ids of the same shape count too, so no clash.
    this.maxNumberStmt = db
      .prepare(`SELECT MAX(CAST(substr(batch_id, 8) AS INTEGER)) FROM oil_batches WHERE batch_id GLOB ? AND substr(batch_id, 8) NOT GLOB '*[^0-9]*'`)
      .pluck();
  }

  /** Runs `fn` in one IMMEDIATE transaction: the write lock is taken before anything is read. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  nextNumber(year: number): number {
    const max = this.maxNumberStmt.get(`B-${year}-[0-9]*`) as number | null;
    return (max ?? 0) + 1;
  }

  insertBatch(b: NewBatch): void {
    this.insertBatchStmt.run(b);
  }

  find(batchId: string): BatchRow | undefined {
    return this.findStmt.get(batchId) as BatchRow | undefined;
  }

  /** False when another writer changed the batch since `expected_version` was read. */
  update(u: { batch_id: string; current_stage: Stage; status: BatchStatus; stage_since: number; updated_at: number; expected_version: number }): boolean {
    return this.updateStmt.run(u).changes === 1;
  }

  insertEvent(e: NewEvent): number {
    return Number(this.insertEventStmt.run(e).lastInsertRowid);
  }

  events(batchId: string): EventRow[] {
    return this.eventsStmt.all(batchId) as EventRow[];
  }

  event(id: number): EventRow | undefined {
    return this.eventStmt.get(id) as EventRow | undefined;
  }

  lastMeasurement(batchId: string): EventRow | undefined {
    return this.lastMeasurementStmt.get(batchId) as EventRow | undefined;
  }

  list(f: Partial<BatchFilter>, limit: number, offset: number): { rows: BatchRow[]; total: number } {
    const { where, params } = filterSql(f);
    const total = this.db.prepare(`SELECT COUNT(*) FROM oil_batches ${where}`).pluck().get(params) as number;
    const rows = this.db
      .prepare(`SELECT * FROM oil_batches ${where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit, offset }) as BatchRow[];
    return { rows, total };
  }

  /**
   * Matching batches oldest first, `limit` at a time after the (created_at, id) key. Exports walk
   * these chunks instead of holding a statement iterator open, which would block every other
   * query on this connection until the download finished.
   */
  chunk(f: Partial<BatchFilter>, after: { created_at: number; id: number } | undefined, limit: number): BatchRow[] {
    const { where, params } = filterSql(f);
    const key = after ? `${where ? `${where} AND` : 'WHERE'} (created_at, id) > (@afterTs, @afterId)` : where;
    return this.db
      .prepare(`SELECT * FROM oil_batches ${key} ORDER BY created_at, id LIMIT @limit`)
      .all({ ...params, limit, ...(after ? { afterTs: after.created_at, afterId: after.id } : {}) }) as BatchRow[];
  }
}
