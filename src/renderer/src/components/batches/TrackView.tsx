import type { Track } from '../../../../shared/batches';
import { STAGES, stageIndex } from '../../../../shared/batches';
import { fmtIso, fmtNum } from '../../lib/format';
import { DataTable } from '../DataTable';
import { statusLabel } from './measure';

type Volume = Track['volumes'][number];

const VOLUME_COLUMNS = [
  { header: 'Stage', cell: (v: Volume) => v.stage },
  { header: 'Gross (bbl)', num: true, cell: (v: Volume) => fmtNum(v.gross_volume_bbl, 2) },
  { header: '°F', num: true, cell: (v: Volume) => fmtNum(v.temperature_f, 1) },
  { header: 'API', num: true, cell: (v: Volume) => fmtNum(v.api_gravity, 1) },
  { header: 'BS&W %', num: true, cell: (v: Volume) => fmtNum(v.bsw_pct, 2) },
  { header: 'CTL', num: true, cell: (v: Volume) => fmtNum(v.ctl, 5) },
  { header: 'NSV (bbl)', num: true, cell: (v: Volume) => fmtNum(v.nsv_bbl, 2) },
];

/**
 * A batch's custody record: the stage strip, the volumes measured at each stage (gross, CTL, net
 * standard volume), the losses between stages, and the timeline. The same view is the printed run
 * ticket (print CSS hides the rest of the page).
 */
export function TrackView({ track: t }: { track: Track }) {
  const b = t.batch;
  return (
    <div className="stack">
      <ol className="stages" aria-label="Stages">
        {STAGES.map((s) => {
          const i = stageIndex(s);
          const cur = stageIndex(b.current_stage);
          return (
            <li key={s} className={i < cur ? 'done' : i === cur ? 'current' : 'todo'} aria-current={i === cur ? 'step' : undefined}>
              {s}
            </li>
          );
        })}
      </ol>
      <p>
        <strong>{b.batch_id}</strong> from {b.well_id} · <span data-testid="batch-stage">{b.current_stage}</span> · {statusLabel(b.status)} · since{' '}
        {fmtIso(b.stage_since)}
      </p>
      {t.volumes.length ? (
        <DataTable label="Volumes" rows={t.volumes} rowKey={(v) => v.stage} columns={VOLUME_COLUMNS} />
      ) : (
        <p className="muted">No volumes measured yet.</p>
      )}
      <h3>Losses</h3>
      {t.changes.length ? (
        t.changes.map((c) => (
          <p key={`${c.from_stage}-${c.to_stage}`} className={c.loss_flagged ? 'loss flagged' : 'loss'}>
            {c.from_stage} → {c.to_stage}: net {fmtNum(c.net_change_bbl, 2)} bbl ({fmtNum(c.net_change_pct, 2)} %)
            {c.loss_flagged ? ` — above the ${t.loss_tolerance_pct} % tolerance` : ''}
          </p>
        ))
      ) : (
        <p className="muted">No losses yet: they need measurements at two stages.</p>
      )}
      <h3>Timeline</h3>
      <ul className="timeline">
        {t.timeline.map((e) => (
          <li key={e.id}>
            <span className="muted">{fmtIso(e.time)}</span> <strong>{e.kind}</strong>{' '}
            {e.from_stage && e.from_stage !== e.stage ? `${e.from_stage} → ${e.stage}` : e.stage}
            {e.location ? ` · ${e.location}` : ''}
            {e.ticket ? ` · ticket ${e.ticket}` : ''}
            {e.measurement ? ` · NSV ${fmtNum(e.measurement.nsv_bbl, 2)} bbl` : ''}
            {e.note ? ` · ${e.note}` : ''} <span className="muted">by {e.actor}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
