import type { Writable } from 'node:stream';
import type { Batch, BatchCreate, BatchFilter, BatchEvent, BatchListQuery, BatchPage, EventInput, Track } from '../../shared/batches';
import type { AuditEntry } from '../audit/repository';
import { AppError, notFound } from '../http/errors';
import type { Logger } from '../logger';
import type { TrackCache } from './cache';
import { streamBatchesCsv, streamEventsCsv } from './csv';
import { toBatch, toEvent } from './mapping';
import type { BatchRepository, BatchRow, NewEvent } from './repository';
import { checkStatus, checkTransition } from './rules';
import { buildTrack } from './track';
import { correctVolume, type RawMeasurement } from './volume';

/** Who is acting: what the audit log and the event's `actor` show, and whether overrides are allowed. */
export interface Actor {
  subject: string;
  isAdmin: boolean;
  ip?: string;
}

export interface BatchServiceOptions {
  lossTolerancePct: number;
  audit: { record(e: AuditEntry): void };
  cache?: TrackCache;
  logger?: Logger;
  now?: () => number;
}

const TRACK_TTL_SECONDS = 60;
const trackKey = (batchId: string) => `oil:track:${batchId}`;

const EMPTY_EVENT = {
  from_stage: null,
  from_status: null,
  location: null,
  carrier: null,
  ticket: null,
  gross_volume_bbl: null,
  temperature_f: null,
  api_gravity: null,
  bsw_pct: null,
  ctl: null,
  gsv_bbl: null,
  nsv_bbl: null,
  override: 0,
  reason: null,
  note: null,
} as const;

function measured(input: Partial<RawMeasurement>) {
  if (input.gross_volume_bbl === undefined) return {};
  const m = correctVolume(input as RawMeasurement);
  return {
    gross_volume_bbl: m.gross_volume_bbl,
    temperature_f: m.temperature_f,
    api_gravity: m.api_gravity,
    bsw_pct: m.bsw_pct,
    ctl: m.ctl,
    gsv_bbl: m.gsv_bbl,
    nsv_bbl: m.nsv_bbl,
  };
}

/** The oil batch use cases; every change runs in one IMMEDIATE transaction together with its audit entry. */
export class BatchService {
  private readonly now: () => number;

  constructor(
    private readonly repo: BatchRepository,
    private readonly options: BatchServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  create(input: BatchCreate, actor: Actor): Batch {
    const now = this.now();
    const createdAt = input.ts ?? now;
    const row = this.repo.transaction(() => {
      const batchId =
        input.batch_id ?? `B-${new Date(createdAt).getUTCFullYear()}-${String(this.repo.nextNumber(new Date(createdAt).getUTCFullYear())).padStart(4, '0')}`;
      if (this.repo.find(batchId)) throw new AppError(409, `batch ${batchId} already exists`);
      this.repo.insertBatch({
        batch_id: batchId,
        well_id: input.well_id,
        current_stage: 'produced',
        status: 'active',
        stage_since: createdAt,
        created_at: createdAt,
        updated_at: now,
        created_by: actor.subject,
        note: input.note ?? null,
      });
      const eventId = this.repo.insertEvent({
        ...EMPTY_EVENT,
        batch_id: batchId,
        ts: createdAt,
        recorded_at: now,
        kind: 'created',
        stage: 'produced',
        status: 'active',
        location: input.location ?? null,
        note: input.note ?? null,
        actor: actor.subject,
        ...measured(input),
      });
      this.options.audit.record({
        actor: actor.subject,
        action: 'oil.batch.create',
        target: batchId,
        ip: actor.ip,
        detail: { well_id: input.well_id, event_id: eventId },
      });
      return this.repo.find(batchId)!;
    });
    return this.view(row);
  }

  get(batchId: string): Batch {
    return this.view(this.find(batchId));
  }

  list(q: BatchListQuery): BatchPage {
    const { rows, total } = this.repo.list(q, q.limit, (q.page - 1) * q.limit);
    return { items: rows.map((r) => this.view(r)), total, page: q.page, limit: q.limit };
  }

  events(batchId: string): BatchEvent[] {
    this.find(batchId);
    return this.repo.events(batchId).map(toEvent);
  }

  exportBatches(out: Writable, filter: BatchFilter): Promise<void> {
    return streamBatchesCsv(out, this.repo, filter);
  }

  /** Checks the batch exists first, so a missing one is a clean 404 rather than a cut download. */
  eventsExport(batchId: string): (out: Writable) => Promise<void> {
    this.find(batchId);
    const rows = this.repo.events(batchId);
    return (out) => streamEventsCsv(out, rows);
  }

  /**
   * Appends one event. The batch is read, checked and written inside one IMMEDIATE transaction and
   * the write is conditional on the version read, so of two concurrent transitions exactly one wins
   * and the other gets 409 (also across processes sharing the database file).
   */
  async postEvent(batchId: string, input: EventInput, actor: Actor): Promise<{ event: BatchEvent; batch: Batch }> {
    const now = this.now();
    const result = this.repo.transaction(() => {
      const b = this.find(batchId);
      const expectedVersion = 'expected_version' in input ? input.expected_version : undefined;
      if (expectedVersion !== undefined && expectedVersion !== b.version) {
        throw new AppError(409, `the batch is at version ${b.version}, not ${expectedVersion}: it changed since you read it; reload and retry`, {
          current_stage: b.current_stage,
          batch_status: b.status,
          version: b.version,
        });
      }
      const ts = input.ts ?? now;
      if (ts < b.stage_since) {
        throw new AppError(422, `ts: the event is dated before the batch entered ${b.current_stage} (${new Date(b.stage_since).toISOString()})`, {
          errors: [{ path: 'ts', message: `must not be before ${new Date(b.stage_since).toISOString()}` }],
        });
      }
      const base = { ...EMPTY_EVENT, batch_id: b.batch_id, ts, recorded_at: now, stage: b.current_stage, status: b.status, actor: actor.subject };
      const { event, stageSince } = this.buildEvent(b, input, base, actor);
      if (
        !this.repo.update({
          batch_id: b.batch_id,
          current_stage: event.stage,
          status: event.status,
          stage_since: stageSince,
          updated_at: now,
          expected_version: b.version,
        })
      ) {
        throw new AppError(409, 'the batch changed while this event was being stored; reload and retry');
      }
      const id = this.repo.insertEvent(event);
      this.options.audit.record({
        actor: actor.subject,
        action: `oil.batch.${event.kind}`,
        target: b.batch_id,
        ip: actor.ip,
        detail: {
          event_id: id,
          from_stage: event.from_stage,
          stage: event.stage,
          from_status: event.from_status,
          status: event.status,
          override: event.override === 1,
          reason: event.reason,
        },
      });
      return { id, batch: this.repo.find(batchId)! };
    });
    await this.invalidate(batchId);
    const event = this.repo.event(result.id)!;
    return { event: toEvent(event), batch: this.view(result.batch) };
  }

  /**
   * The track view, cached for TRACK_TTL_SECONDS. A new event deletes the entry; as a second line of
   * defence a cached view is used only while its batch version matches the stored one (one indexed
   * row read), so a view computed by a request racing an event is never served stale.
   */
  async track(batchId: string): Promise<{ track: Track; hit: boolean }> {
    const row = this.find(batchId);
    const cache = this.options.cache;
    const key = trackKey(batchId);
    if (cache) {
      const cached = (await this.safely('get', () => cache.get(key))) as Track | undefined;
      if (cached && cached.batch?.version === row.version) return { track: cached, hit: true };
    }
    const track = buildTrack(row, this.repo.events(batchId), this.options.lossTolerancePct, this.now());
    if (cache) await this.safely('set', () => cache.set(key, track, TRACK_TTL_SECONDS));
    return { track, hit: false };
  }

  private buildEvent(b: BatchRow, input: EventInput, base: Omit<NewEvent, 'kind'>, actor: Actor): { event: NewEvent; stageSince: number } {
    switch (input.type) {
      case 'transition': {
        const check = checkTransition({
          current: b.current_stage,
          status: b.status,
          version: b.version,
          to: input.to_stage,
          expectedStage: input.expected_stage,
          isAdmin: actor.isAdmin,
          reason: input.reason,
          measured: input.gross_volume_bbl !== undefined,
        });
        const event: NewEvent = {
          ...base,
          kind: 'transition',
          stage: input.to_stage,
          from_stage: b.current_stage,
          status: check.status,
          from_status: check.status === b.status ? null : b.status,
          location: input.location ?? null,
          carrier: input.carrier ?? null,
          ticket: input.ticket ?? null,
          override: check.override ? 1 : 0,
          reason: input.reason ?? null,
          note: input.note ?? null,
          ...measured(input),
        };
        return { event, stageSince: base.ts };
      }
      case 'measurement':
        return {
          event: { ...base, kind: 'measurement', location: input.location ?? null, note: input.note ?? null, ...measured(input) },
          stageSince: b.stage_since,
        };
      case 'note':
        return { event: { ...base, kind: 'note', note: input.note }, stageSince: b.stage_since };
      case 'status': {
        const check = checkStatus({
          current: b.current_stage,
          status: b.status,
          version: b.version,
          to: input.status,
          isAdmin: actor.isAdmin,
          reason: input.reason,
        });
        const event: NewEvent = {
          ...base,
          kind: 'status',
          status: check.status,
          from_status: b.status,
          override: check.override ? 1 : 0,
          reason: input.reason ?? null,
        };
        return { event, stageSince: b.stage_since };
      }
    }
  }

  private find(batchId: string): BatchRow {
    const row = this.repo.find(batchId);
    if (!row) throw notFound(`batch ${batchId}`);
    return row;
  }

  private view(row: BatchRow): Batch {
    return toBatch(row, this.repo.lastMeasurement(row.batch_id));
  }

  private async invalidate(batchId: string): Promise<void> {
    const cache = this.options.cache;
    if (cache) await this.safely('del', () => cache.del(trackKey(batchId)));
  }

  /** A cache outage must not fail a custody record: log it and carry on (the version check keeps reads correct). */
  private async safely<T>(op: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.options.logger?.warn({ err, op }, 'oil track cache unavailable');
      return undefined;
    }
  }
}
