import type { Transaction } from 'better-sqlite3';
import type { Db } from '../db/open';
import { StatementCache } from '../db/statement-cache';
import type { NewReading } from '../../shared/telemetry';

/** A telemetry row as stored (ts and received_at in ms, extra as JSON text). */
export interface ReadingRow {
  id: number;
  device_id: string;
  ts: number;
  temperature: number | null;
  pressure: number | null;
  status: string | null;
  extra: string | null;
  received_at: number;
}

export interface Filter {
  deviceRef?: number;
  tsFrom?: number;
  tsTo?: number;
}

export interface WriteOutcome {
  inserted: number;
  replaced: number;
  /** indexes (into the input) of readings identical to what was already stored */
  duplicates: number[];
  /** ids of the rows this write created, in input order (duplicates excluded) */
  lastId: number;
}

const SELECT_COLUMNS = `t.id, d.device_id, t.ts, t.temperature, t.pressure, t.status, t.extra, t.received_at`;

/**
 * The highest telemetry id ever handed out. Ids come from the writer, not SQLite (the table is
 * WITHOUT ROWID, see migration 012): the next id is one above the larger of the highest id stored
 * and telemetry_sequence.seq, which a delete raises first so that a deleted highest id is never
 * handed out again. Both are single index seeks, and an insert writes no counter page.
 */
export const HIGHEST_ID_SQL = `SELECT MAX(COALESCE((SELECT MAX(id) FROM telemetry), 0), (SELECT seq FROM telemetry_sequence WHERE id = 1))`;

/** Builds `WHERE` clauses for the shared filters; values are always bound, never spliced. */
export function filterSql(f: Filter, alias = 't'): { where: string; params: Record<string, number> } {
  const parts: string[] = [];
  const params: Record<string, number> = {};
  if (f.deviceRef !== undefined) {
    parts.push(`${alias}.device_ref = @deviceRef`);
    params.deviceRef = f.deviceRef;
  }
  if (f.tsFrom !== undefined) {
    parts.push(`${alias}.ts >= @tsFrom`);
    params.tsFrom = f.tsFrom;
  }
  if (f.tsTo !== undefined) {
    parts.push(`${alias}.ts <= @tsTo`);
    params.tsTo = f.tsTo;
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Rows per multi-row INSERT in batch writes (bench/profile-ingest.ts repo: 250 beat 1, 50 and 100). */
export const INSERT_CHUNK_ROWS = 250;

/**
 * Owns the telemetry SQL. Hot statements are prepared once; multi-row writes run in one
 * transaction. A repeated (device, ts) is a duplicate when the values match and replaces the
 * stored reading (with a new id, so change feeds see it) when they differ: last write wins.
 */
export class TelemetryRepository {
  private readonly insertDevice;
  private readonly findDevice;
  private readonly touchDevice;
  private readonly insertIgnore;
  private readonly findExisting;
  private readonly replaceRow;
  private readonly getById;
  private readonly getByKey;
  private readonly deleteById;
  private readonly decrementDevice;
  private readonly deviceCache = new Map<string, number>();
  private readonly queries;
  private readonly insertChunk;
  private readonly savepoint;
  private readonly release;
  private readonly rollbackTo;
  private readonly highestId;
  private readonly keepHighestId;
  /** made once: better-sqlite3 builds four wrapper functions on every transaction() call, which showed in single-reading profiles */
  private readonly writeRowsTx: Transaction<(readings: readonly NewReading[], receivedAt: number) => WriteOutcome>;

  constructor(
    private readonly db: Db,
    /** rows per multi-row INSERT; 1 writes row by row */
    private readonly chunkRows = INSERT_CHUNK_ROWS,
  ) {
    this.queries = new StatementCache(db);
    this.insertChunk =
      chunkRows > 1
        ? db.prepare(
            `INSERT OR IGNORE INTO telemetry (device_ref, ts, id, temperature, pressure, status, extra, received_at) VALUES
             ${Array.from({ length: chunkRows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          )
        : undefined;
    this.savepoint = db.prepare(`SAVEPOINT telemetry_chunk`);
    this.release = db.prepare(`RELEASE telemetry_chunk`);
    this.rollbackTo = db.prepare(`ROLLBACK TO telemetry_chunk`);
    this.highestId = db.prepare(HIGHEST_ID_SQL).pluck();
    this.keepHighestId = db.prepare(`UPDATE telemetry_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(id) FROM telemetry), 0)) WHERE id = 1`);
    this.insertDevice = db.prepare(
      `INSERT INTO devices (device_id, first_seen_at, last_seen_at, reading_count) VALUES (?, ?, ?, 0)
       ON CONFLICT(device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at RETURNING id`,
    );
    this.findDevice = db.prepare(`SELECT id FROM devices WHERE device_id = ?`).pluck();
    this.touchDevice = db.prepare(`UPDATE devices SET last_seen_at = MAX(last_seen_at, ?), reading_count = reading_count + ? WHERE id = ?`);
    this.insertIgnore = db.prepare(
      `INSERT OR IGNORE INTO telemetry (device_ref, ts, id, temperature, pressure, status, extra, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.findExisting = db.prepare(`SELECT temperature, pressure, status, extra FROM telemetry WHERE device_ref = ? AND ts = ?`);
    this.replaceRow = db.prepare(
      `INSERT OR REPLACE INTO telemetry (device_ref, ts, id, temperature, pressure, status, extra, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getById = db.prepare(`SELECT ${SELECT_COLUMNS} FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE t.id = ?`);
    this.getByKey = db.prepare(`SELECT ${SELECT_COLUMNS} FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE t.device_ref = ? AND t.ts = ?`);
    this.deleteById = db.prepare(`DELETE FROM telemetry WHERE id = ? RETURNING device_ref`);
    this.decrementDevice = db.prepare(`UPDATE devices SET reading_count = reading_count - 1 WHERE id = ?`);
    this.writeRowsTx = db.transaction((readings: readonly NewReading[], receivedAt: number) => this.writeRows(readings, receivedAt));
  }

  /** The integer key of a device id, or undefined if the station has never seen it. */
  deviceRef(deviceId: string): number | undefined {
    const cached = this.deviceCache.get(deviceId);
    if (cached !== undefined) return cached;
    const id = this.findDevice.get(deviceId) as number | undefined;
    if (id !== undefined) this.deviceCache.set(deviceId, id);
    return id;
  }

  /** Stores validated readings in one transaction. */
  /** Runs `fn` in one transaction; the writes inside it become savepoints of that transaction. */
  inOneTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  write(readings: readonly NewReading[], receivedAt = Date.now()): WriteOutcome {
    return this.writeTx(readings, receivedAt);
  }

  private readonly writeTx = (readings: readonly NewReading[], receivedAt: number): WriteOutcome => {
    try {
      return this.writeRowsTx.immediate(readings, receivedAt);
    } catch (err) {
      // A rolled-back transaction may have created devices we cached; forget them.
      this.deviceCache.clear();
      throw err;
    }
  };

  /** The body of a write; it runs inside `writeRowsTx`, the one transaction of the whole write. */
  private writeRows(readings: readonly NewReading[], receivedAt: number): WriteOutcome {
    const outcome: WriteOutcome = { inserted: 0, replaced: 0, duplicates: [], lastId: 0 };
    // read inside the write transaction, so no other connection can hand out the same ids
    let lastId = this.highestId.get() as number;
    const added = new Map<number, number>();
    const refs = new Array<number>(readings.length);
    for (let i = 0; i < readings.length; i++) refs[i] = this.ensureDevice(readings[i]!.device_id, receivedAt);
    if (this.insertChunk && readings.length >= this.chunkRows && this.insertAllInKeyOrder(readings, refs, lastId, receivedAt, added)) {
      for (const [ref, n] of added) this.touchDevice.run(receivedAt, n, ref);
      return { inserted: readings.length, replaced: 0, duplicates: [], lastId: lastId + readings.length };
    }
    const rowByRow = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const r = readings[i]!;
        const ref = refs[i]!;
        const extra = r.extra && Object.keys(r.extra).length ? JSON.stringify(r.extra) : null;
        const temperature = r.temperature ?? null;
        const pressure = r.pressure ?? null;
        const status = r.status ?? null;
        const res = this.insertIgnore.run(ref, r.ts, lastId + 1, temperature, pressure, status, extra, receivedAt);
        if (res.changes === 1) {
          outcome.inserted++;
          outcome.lastId = ++lastId;
          added.set(ref, (added.get(ref) ?? 0) + 1);
          continue;
        }
        const old = this.findExisting.get(ref, r.ts) as Pick<ReadingRow, 'temperature' | 'pressure' | 'status' | 'extra'>;
        if (old.temperature === temperature && old.pressure === pressure && old.status === status && old.extra === extra) {
          outcome.duplicates.push(i);
        } else {
          this.replaceRow.run(ref, r.ts, lastId + 1, temperature, pressure, status, extra, receivedAt);
          outcome.replaced++;
          outcome.lastId = ++lastId;
        }
      }
    };
    let i = 0;
    const chunk = this.chunkRows;
    if (this.insertChunk) {
      const params = new Array<unknown>(chunk * 8);
      for (; i + chunk <= readings.length; i += chunk) {
        for (let k = 0; k < chunk; k++) {
          const r = readings[i + k]!;
          const p = k * 8;
          params[p] = refs[i + k];
          params[p + 1] = r.ts;
          params[p + 2] = lastId + 1 + k;
          params[p + 3] = r.temperature ?? null;
          params[p + 4] = r.pressure ?? null;
          params[p + 5] = r.status ?? null;
          params[p + 6] = r.extra && Object.keys(r.extra).length ? JSON.stringify(r.extra) : null;
          params[p + 7] = receivedAt;
        }
        // All new rows (the usual case): one statement for the chunk. A (device, ts) already
        // stored, or twice in the chunk: undo the chunk and write it row by row, which tells
        // duplicates from replacements exactly as before.
        this.savepoint.run();
        const res = this.insertChunk.run(params);
        if (res.changes === chunk) {
          this.release.run();
          outcome.inserted += chunk;
          lastId += chunk;
          outcome.lastId = lastId;
          for (let k = 0; k < chunk; k++) added.set(refs[i + k]!, (added.get(refs[i + k]!) ?? 0) + 1);
          continue;
        }
        this.rollbackTo.run();
        this.release.run();
        // Nothing in the chunk was new: most likely a re-sent batch, so the rest goes row by row
        // rather than paying for a failed multi-row INSERT per chunk.
        if (res.changes === 0) break;
        rowByRow(i, i + chunk);
      }
    }
    rowByRow(i, readings.length);
    for (const [ref, n] of added) this.touchDevice.run(receivedAt, n, ref);
    return outcome;
  }

  /**
   * The usual batch, every reading new: inserted in (device, ts) order, the table's own order, so
   * consecutive rows land on the same leaf page instead of jumping between 100 devices' tails
   * (storage-ab: about a quarter fewer CPU-seconds per row). Ids are those input order gives
   * (row i gets lastId + 1 + i), so the outcome and the rows equal the row-by-row write's. Any
   * (device, ts) met twice in the batch or already stored: everything is undone and false returned,
   * and the caller writes in input order, which tells duplicates from replacements.
   */
  private insertAllInKeyOrder(
    readings: readonly NewReading[],
    refs: readonly number[],
    lastId: number,
    receivedAt: number,
    added: Map<number, number>,
  ): boolean {
    const order = keyOrder(readings, refs);
    if (!order) return false;
    const chunk = this.chunkRows;
    const params = new Array<unknown>(chunk * 8);
    const rowOf = (i: number, out: unknown[], p: number) => {
      const r = readings[i]!;
      out[p] = refs[i];
      out[p + 1] = r.ts;
      out[p + 2] = lastId + 1 + i;
      out[p + 3] = r.temperature ?? null;
      out[p + 4] = r.pressure ?? null;
      out[p + 5] = r.status ?? null;
      out[p + 6] = r.extra && Object.keys(r.extra).length ? JSON.stringify(r.extra) : null;
      out[p + 7] = receivedAt;
    };
    this.savepoint.run();
    let j = 0;
    let ok = true;
    for (; ok && j + chunk <= order.length; j += chunk) {
      for (let k = 0; k < chunk; k++) rowOf(order[j + k]!, params, k * 8);
      ok = this.insertChunk!.run(params).changes === chunk;
    }
    const one = new Array<unknown>(8);
    for (; ok && j < order.length; j++) {
      rowOf(order[j]!, one, 0);
      ok = this.insertIgnore.run(one).changes === 1;
    }
    if (!ok) {
      this.rollbackTo.run();
      this.release.run();
      return false;
    }
    this.release.run();
    for (const ref of refs) added.set(ref, (added.get(ref) ?? 0) + 1);
    return true;
  }

  private ensureDevice(deviceId: string, now: number): number {
    const known = this.deviceRef(deviceId);
    if (known !== undefined) return known;
    const id = (this.insertDevice.get(deviceId, now, now) as { id: number }).id;
    this.deviceCache.set(deviceId, id);
    return id;
  }

  get(id: number): ReadingRow | undefined {
    return this.getById.get(id) as ReadingRow | undefined;
  }

  /** The reading a device stored at an instant (ts in ms). */
  findByKey(deviceId: string, ts: number): ReadingRow | undefined {
    const ref = this.deviceRef(deviceId);
    return ref === undefined ? undefined : (this.getByKey.get(ref, ts) as ReadingRow | undefined);
  }

  /**
   * Deletes one reading; false if there was none. `within` runs inside the same transaction, for
   * records that must commit or roll back with the delete (the InfluxDB mirror's tombstone).
   */
  delete(id: number, within?: () => void): boolean {
    return this.db.transaction(() => {
      this.keepHighestId.run();
      const row = this.deleteById.get(id) as { device_ref: number } | undefined;
      if (!row) return false;
      this.decrementDevice.run(row.device_ref);
      within?.();
      return true;
    })();
  }

  /** Offset paging (`page`, which existing clients use), newest first unless asked otherwise. */
  list(f: Filter, limit: number, offset: number, order: 'asc' | 'desc'): ReadingRow[] {
    const { where, params } = filterSql(f);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    return this.queries
      .get(
        `SELECT ${SELECT_COLUMNS} FROM telemetry t JOIN devices d ON d.id = t.device_ref ${where}
         ORDER BY t.ts ${dir}, t.id ${dir} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset }) as ReadingRow[];
  }

  /** Keyset paging: rows strictly after (ts, id) in the requested order; cost independent of depth. */
  listAfter(f: Filter, limit: number, after: { ts: number; id: number }, order: 'asc' | 'desc'): ReadingRow[] {
    const { where, params } = filterSql(f);
    const cmp = order === 'asc' ? '>' : '<';
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    // `ts >= / <=` first: a bound the (device_ref, ts) key or the (ts, id) index can seek to; the OR breaks ties.
    const keyset = `t.ts ${cmp}= @afterTs AND (t.ts ${cmp} @afterTs OR t.id ${cmp} @afterId)`;
    const clause = where ? `${where} AND ${keyset}` : `WHERE ${keyset}`;
    return this.queries
      .get(
        `SELECT ${SELECT_COLUMNS} FROM telemetry t JOIN devices d ON d.id = t.device_ref ${clause}
         ORDER BY t.ts ${dir}, t.id ${dir} LIMIT @limit`,
      )
      .all({ ...params, limit, afterTs: after.ts, afterId: after.id }) as ReadingRow[];
  }

  /**
   * Total rows matching a filter. Without a time range the per-device counters answer at once;
   * with one, SQLite counts over the (device, ts) or (ts) index.
   */
  count(f: Filter): number {
    if (f.tsFrom === undefined && f.tsTo === undefined) {
      const sql =
        f.deviceRef === undefined
          ? `SELECT COALESCE(SUM(reading_count), 0) FROM devices`
          : `SELECT COALESCE(reading_count, 0) FROM devices WHERE id = @deviceRef`;
      const params = f.deviceRef === undefined ? {} : { deviceRef: f.deviceRef };
      return (this.queries.get(sql).pluck().get(params) as number | undefined) ?? 0;
    }
    const { where, params } = filterSql(f);
    return this.queries.get(`SELECT COUNT(*) FROM telemetry t ${where}`).pluck().get(params) as number;
  }
}

/**
 * Indexes of `readings` in (device, ts) order, or undefined when a (device, ts) occurs twice. Linear
 * for the usual batch (each device's readings already in time order): grouped by device, and a
 * group is sorted only when its timestamps do not already rise.
 */
function keyOrder(readings: readonly NewReading[], refs: readonly number[]): Int32Array | undefined {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < refs.length; i++) {
    const g = groups.get(refs[i]!);
    if (g) g.push(i);
    else groups.set(refs[i]!, [i]);
  }
  const order = new Int32Array(refs.length);
  let o = 0;
  for (const ref of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(ref)!;
    let rising = true;
    for (let k = 1; k < g.length && rising; k++) rising = readings[g[k]!]!.ts > readings[g[k - 1]!]!.ts;
    if (!rising) {
      g.sort((a, b) => readings[a]!.ts - readings[b]!.ts);
      for (let k = 1; k < g.length; k++) if (readings[g[k]!]!.ts === readings[g[k - 1]!]!.ts) return undefined;
    }
    for (const i of g) order[o++] = i;
  }
  return order;
}
