import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { BatchFilter } from '../../shared/batches';
import { msToIso, msToSeconds } from '../../shared/time';
import { neutraliseFormula } from '../csv/formula';
import type { BatchRepository, EventRow } from './repository';

/**
 * CSV exports of batches and of one batch's events (RFC 4180, CRLF, header row). Free text is
 * neutralised against formula injection; batch and place ids cannot start that way (their patterns).
 */
const safeText = (v: string | null): string => (v === null ? '' : neutraliseFormula(v));
const num = (v: number | null): string => (v === null ? '' : String(v));

const BATCH_COLUMNS = [
  'batch_id',
  'well_id',
  'current_stage',
  'status',
  'version',
  'created_ts',
  'created_at',
  'stage_since',
  'updated_at',
  'created_by',
  'measured_stage',
  'measured_at',
  'gross_volume_bbl',
  'temperature_f',
  'api_gravity',
  'bsw_pct',
  'ctl',
  'gsv_bbl',
  'nsv_bbl',
  'note',
];

const EVENT_COLUMNS = [
  'id',
  'batch_id',
  'kind',
  'ts',
  'time',
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
  'recorded_at',
];

const CHUNK = 500;

/** Batches oldest first, with their latest measurement; read in keyset chunks, pulled as the client reads. */
function* batchRows(repo: BatchRepository, filter: Partial<BatchFilter>): Generator<string[]> {
  let after: { created_at: number; id: number } | undefined;
  for (;;) {
    const rows = repo.chunk(filter, after, CHUNK);
    for (const b of rows) {
      const m = repo.lastMeasurement(b.batch_id);
      yield [
        b.batch_id,
        b.well_id,
        b.current_stage,
        b.status,
        String(b.version),
        String(msToSeconds(b.created_at)),
        msToIso(b.created_at),
        msToIso(b.stage_since),
        msToIso(b.updated_at),
        safeText(b.created_by),
        m?.stage ?? '',
        m ? msToIso(m.ts) : '',
        num(m?.gross_volume_bbl ?? null),
        num(m?.temperature_f ?? null),
        num(m?.api_gravity ?? null),
        num(m?.bsw_pct ?? null),
        num(m?.ctl ?? null),
        num(m?.gsv_bbl ?? null),
        num(m?.nsv_bbl ?? null),
        safeText(b.note),
      ];
    }
    if (rows.length < CHUNK) return;
    const last = rows.at(-1)!;
    after = { created_at: last.created_at, id: last.id };
  }
}

function* eventRows(events: readonly EventRow[]): Generator<string[]> {
  for (const e of events) {
    yield [
      String(e.id),
      e.batch_id,
      e.kind,
      String(msToSeconds(e.ts)),
      msToIso(e.ts),
      e.stage,
      e.from_stage ?? '',
      e.status,
      e.from_status ?? '',
      e.location ?? '',
      e.carrier ?? '',
      e.ticket ?? '',
      num(e.gross_volume_bbl),
      num(e.temperature_f),
      num(e.api_gravity),
      num(e.bsw_pct),
      num(e.ctl),
      num(e.gsv_bbl),
      num(e.nsv_bbl),
      e.override ? 'true' : 'false',
      safeText(e.reason),
      safeText(e.note),
      safeText(e.actor),
      msToIso(e.recorded_at),
    ];
  }
}

/** Streams rows through the CSV encoder into `out` with backpressure; rejects (and destroys `out`) on failure. */
const streamCsv = (out: Writable, columns: string[], rows: Iterable<string[]>): Promise<void> =>
  pipeline(Readable.from(rows), stringify({ header: true, columns, record_delimiter: 'windows' }), out);

export const streamBatchesCsv = (out: Writable, repo: BatchRepository, filter: Partial<BatchFilter>) => streamCsv(out, BATCH_COLUMNS, batchRows(repo, filter));
export const streamEventsCsv = (out: Writable, events: readonly EventRow[]) => streamCsv(out, EVENT_COLUMNS, eventRows(events));
