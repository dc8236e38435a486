import { STAGES, type Track } from '../../shared/batches';
import { msToIso, msToSeconds } from '../../shared/time';
import { toBatch, toEvent, toStageMeasurement } from './mapping';
import type { BatchRow, EventRow } from './repository';
import { roundBbl, roundPct } from './volume';

type Visit = Track['stages'][number];
type Volume = Track['volumes'][number];
type Change = Track['changes'][number];

/**
 * The custody view of one batch, computed from its stored events (oldest first):
 * - stages: each visit from the event that entered it to the one that left it; the current
 *   stage of a batch still moving runs to `asOf`, the last stage of a finished one has no end;
 * - volumes: the last measurement taken at each stage (a re-measurement supersedes), stage order;
 * - changes: between consecutive measured stages, compared by NSV (temperature-corrected, dry), so
 *   a batch that only cooled down shows no loss; a loss beyond `tolerancePct` of the earlier
 *   NSV is flagged.
 */
export function buildTrack(batch: BatchRow, events: readonly EventRow[], tolerancePct: number, asOf: number): Track {
  const timeline = events.map(toEvent);
  const finished = batch.status === 'completed' || batch.status === 'rejected';

  // Durations come from integer ms, so fractional-second stamps leave no float noise.
  const stages: Visit[] = [];
  let enteredMs = 0;
  for (const e of events) {
    if (e.kind !== 'created' && e.kind !== 'transition') continue;
    const open = stages.at(-1);
    if (open) Object.assign(open, { left_ts: msToSeconds(e.ts), left_at: msToIso(e.ts), duration_seconds: (e.ts - enteredMs) / 1000 });
    stages.push({
      stage: e.stage,
      entered_ts: msToSeconds(e.ts),
      entered_at: msToIso(e.ts),
      left_ts: null,
      left_at: null,
      duration_seconds: null,
      ongoing: false,
    });
    enteredMs = e.ts;
  }
  const last = stages.at(-1);
  if (last && !finished) {
    last.ongoing = true;
    last.duration_seconds = Math.max(0, asOf - enteredMs) / 1000;
  }

  const lastAt = new Map<string, EventRow>();
  for (const e of events) if (e.gross_volume_bbl !== null) lastAt.set(e.stage, e); // oldest first: the last one wins
  const volumes: Volume[] = STAGES.flatMap((s) => {
    const e = lastAt.get(s);
    const m = e && toStageMeasurement(e);
    return m ? [m] : [];
  });

  const changes: Change[] = [];
  for (let i = 1; i < volumes.length; i++) {
    const a = volumes[i - 1]!;
    const b = volumes[i]!;
    const net = roundBbl(b.nsv_bbl - a.nsv_bbl);
    const pct = a.nsv_bbl > 0 ? (net / a.nsv_bbl) * 100 : 0;
    changes.push({
      from_stage: a.stage,
      to_stage: b.stage,
      gross_change_bbl: roundBbl(b.gross_volume_bbl - a.gross_volume_bbl),
      net_change_bbl: net,
      net_change_pct: roundPct(pct),
      loss_flagged: net < 0 && -pct > tolerancePct,
    });
  }

  const first = volumes[0];
  const final = volumes.at(-1);
  return {
    batch: toBatch(batch, lastAt.size ? latest(events) : undefined),
    timeline,
    stages,
    volumes,
    changes,
    total_net_change_bbl: first && final && volumes.length > 1 ? roundBbl(final.nsv_bbl - first.nsv_bbl) : null,
    loss_tolerance_pct: tolerancePct,
    as_of_ts: msToSeconds(asOf),
    as_of: msToIso(asOf),
  };
}

/** The most recent measurement by (ts, id), as the batch view reports it. */
function latest(events: readonly EventRow[]): EventRow | undefined {
  let best: EventRow | undefined;
  for (const e of events) if (e.gross_volume_bbl !== null && (!best || e.ts > best.ts || (e.ts === best.ts && e.id > best.id))) best = e;
  return best;
}
