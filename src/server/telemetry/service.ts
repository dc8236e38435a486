import type { BatchResult, ListQuery, NewReading, ReadingPage, Reading } from '../../shared/telemetry';
import { safeParseReading } from '../../shared/telemetry';
import type { FieldError } from '../../shared/problem';
import type { AuditEntry } from '../audit/repository';
import { AppError, fieldErrors, notFound } from '../http/errors';
import { MalformedLine } from './body';
import { decodeCursor, encodeCursor } from './cursor';
import { GroupCommit } from './group-commit';
import { toReading } from './mapping';
import type { Filter, ReadingRow, TelemetryRepository, WriteOutcome } from './repository';

/** What toReading(row) gives for the row a write of `input` just created. */
function storedReading(input: NewReading, id: number, receivedAt: number): Reading {
  const extra = input.extra && Object.keys(input.extra).length ? input.extra : null;
  return {
    id,
    device_id: input.device_id,
    ts: input.ts / 1000,
    time: new Date(input.ts).toISOString(),
    temperature: input.temperature ?? null,
    pressure: input.pressure ?? null,
    status: input.status ?? null,
    extra,
    received_at: new Date(receivedAt).toISOString(),
  };
}

/** Something that wants to know about stored readings (cache invalidation, forwarder, alarms). */
export type WriteListener = (deviceIds: ReadonlySet<string>, outcome: WriteOutcome) => void;

export interface TelemetryFilterInput {
  device_id?: string;
  ts_from?: number;
  ts_to?: number;
}

/** The telemetry use cases: what the routes, the line-protocol endpoint and `npm run seed` call. */
export class TelemetryService {
  private readonly listeners: WriteListener[] = [];
  private readonly deleteListeners: ((deviceId: string) => void)[] = [];
  private readonly deleteRecorders: ((deleted: ReadingRow) => void)[] = [];

  private readonly singles = new GroupCommit(
    (inputs: readonly NewReading[]) => this.repo.inOneTransaction(() => inputs.map((input) => this.ingestOne(input))),
    (input: NewReading) => this.ingestOne(input),
  );

  constructor(
    private readonly repo: TelemetryRepository,
    /** deletes are audited in their own transaction */
    private readonly audit?: { record(e: AuditEntry): void },
  ) {}

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  /** Called after a reading is deleted, with its device id (caches drop what it changed). */
  onDelete(listener: (deviceId: string) => void): void {
    this.deleteListeners.push(listener);
  }

  /** Called inside the delete's transaction: what it records commits or rolls back with the delete. */
  recordDeletesWith(recorder: (deleted: ReadingRow) => void): void {
    this.deleteRecorders.push(recorder);
  }

  /** Stores readings that are already validated; one transaction. */
  store(readings: readonly NewReading[], receivedAt = Date.now()): WriteOutcome {
    const outcome = this.repo.write(readings, receivedAt);
    if (outcome.inserted + outcome.replaced > 0 && this.listeners.length) {
      const devices = new Set(readings.map((r) => r.device_id));
      for (const listener of this.listeners) listener(devices, outcome);
    }
    return outcome;
  }

  /** One reading: 201 with the stored record (or the existing one for an exact duplicate). */
  ingestOne(input: NewReading): { reading: Reading; created: boolean } {
    const receivedAt = Date.now();
    const outcome = this.store([input], receivedAt);
    if (outcome.duplicates.length) {
      return { reading: toReading(this.repo.findByKey(input.device_id, input.ts)!), created: false };
    }
    // Inserted or replaced: the row holds exactly the input, the new id and receivedAt, so the
    // answer is built from them instead of read back (test/server/telemetry-ingest-answer.test.ts).
    return { reading: storedReading(input, outcome.lastId, receivedAt), created: true };
  }

  /**
   * `ingestOne` for requests: concurrent requests share one commit (group-commit.ts); the answer
   * comes after the commit, so an acknowledged reading is durable exactly as before.
   */
  ingestOneCommitted(input: NewReading): Promise<{ reading: Reading; created: boolean }> {
    return this.singles.submit(input);
  }

  /**
   * Validates each raw reading on its own; the valid ones are stored in one transaction and the
   * rest are reported with their index and reasons. Nothing is stored when none is valid.
   */
  ingestBatch(raw: readonly unknown[]): BatchResult {
    const valid: NewReading[] = [];
    const validIndex: number[] = [];
    const rejected: { index: number; errors: FieldError[] }[] = [];
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      if (item instanceof MalformedLine) {
        rejected.push({ index: i, errors: [{ path: '(line)', message: item.reason }] });
        continue;
      }
      const parsed = safeParseReading(item);
      if (parsed.success) {
        valid.push(parsed.data);
        validIndex.push(i);
      } else {
        rejected.push({ index: i, errors: fieldErrors(parsed.error) });
      }
    }
    const outcome = valid.length ? this.store(valid) : { inserted: 0, replaced: 0, duplicates: [], lastId: 0 };
    return {
      received: raw.length,
      stored: outcome.inserted + outcome.replaced,
      inserted: outcome.inserted,
      replaced: outcome.replaced,
      duplicates: outcome.duplicates.map((i) => validIndex[i]!),
      rejected,
    };
  }

  get(id: number): Reading {
    const row = this.repo.get(id);
    if (!row) throw notFound(`reading ${id}`);
    return toReading(row);
  }

  /** Deletes one reading; its tombstone (for the mirror) and its audit entry commit with it. */
  delete(id: number, actor: { name: string | null; ip?: string } = { name: null }): void {
    const row = this.repo.get(id);
    const recordAll = () => {
      this.deleteRecorders.forEach((record) => record(row!));
      this.audit?.record({
        actor: actor.name,
        action: 'telemetry.delete',
        target: String(id),
        ip: actor.ip ?? null,
        detail: { device_id: row!.device_id, ts: row!.ts / 1000 },
      });
    };
    if (!row || !this.repo.delete(id, recordAll)) throw notFound(`reading ${id}`);
    for (const listener of this.deleteListeners) listener(row.device_id);
  }

  /** Resolves the public filter to the stored one; undefined means "matches nothing". */
  resolveFilter(input: TelemetryFilterInput): Filter | undefined {
    const filter: Filter = { tsFrom: input.ts_from, tsTo: input.ts_to };
    if (input.device_id !== undefined) {
      const ref = this.repo.deviceRef(input.device_id);
      if (ref === undefined) return undefined;
      filter.deviceRef = ref;
    }
    return filter;
  }

  list(q: ListQuery): ReadingPage {
    const filter = this.resolveFilter(q);
    const rows = this.listRows(q);
    const last = rows.at(-1);
    return {
      items: rows.map(toReading),
      total: filter ? this.repo.count(filter) : 0,
      page: q.page,
      limit: q.limit,
      next_cursor: rows.length === q.limit && last ? encodeCursor(last.ts, last.id, q.order) : null,
    };
  }

  /** The stored rows of one list page (what `list` answers, and what a paged export writes). */
  listRows(q: ListQuery): ReadingRow[] {
    if (q.cursor && q.page !== 1) throw new AppError(422, 'use either page or cursor, not both');
    const filter = this.resolveFilter(q);
    if (!filter) return [];
    return q.cursor
      ? this.repo.listAfter(filter, q.limit, decodeCursor(q.cursor, q.order), q.order)
      : this.repo.list(filter, q.limit, (q.page - 1) * q.limit, q.order);
  }
}
