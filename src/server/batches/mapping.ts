import type { Batch, BatchEvent, Measurement } from '../../shared/batches';
import { msToIso, msToSeconds } from '../../shared/time';
import type { BatchRow, EventRow } from './repository';

/** Row -> API shapes: ms become Unix seconds beside ISO strings; measurement columns become one object. */
function toMeasurement(e: EventRow): Measurement | null {
  if (e.gross_volume_bbl === null || e.temperature_f === null || e.api_gravity === null || e.bsw_pct === null) return null;
  return {
    gross_volume_bbl: e.gross_volume_bbl,
    temperature_f: e.temperature_f,
    api_gravity: e.api_gravity,
    bsw_pct: e.bsw_pct,
    ctl: e.ctl ?? 1,
    gsv_bbl: e.gsv_bbl ?? e.gross_volume_bbl,
    nsv_bbl: e.nsv_bbl ?? e.gross_volume_bbl,
  };
}

export function toEvent(e: EventRow): BatchEvent {
  return {
    id: e.id,
    batch_id: e.batch_id,
    kind: e.kind,
    ts: msToSeconds(e.ts),
    time: msToIso(e.ts),
    recorded_at: msToIso(e.recorded_at),
    stage: e.stage,
    from_stage: e.from_stage,
    status: e.status,
    from_status: e.from_status,
    location: e.location,
    carrier: e.carrier,
    ticket: e.ticket,
    measurement: toMeasurement(e),
    override: e.override === 1,
    reason: e.reason,
    note: e.note,
    actor: e.actor,
  };
}

export function toStageMeasurement(e: EventRow): Batch['last_measurement'] {
  const m = toMeasurement(e);
  return m && { ...m, stage: e.stage, ts: msToSeconds(e.ts), time: msToIso(e.ts) };
}

export function toBatch(b: BatchRow, last: EventRow | undefined): Batch {
  return {
    batch_id: b.batch_id,
    well_id: b.well_id,
    current_stage: b.current_stage,
    status: b.status,
    version: b.version,
    stage_since_ts: msToSeconds(b.stage_since),
    stage_since: msToIso(b.stage_since),
    created_ts: msToSeconds(b.created_at),
    created_at: msToIso(b.created_at),
    updated_at: msToIso(b.updated_at),
    created_by: b.created_by,
    note: b.note,
    last_measurement: last ? toStageMeasurement(last) : null,
  };
}
