import { useQuery, useQueryClient } from '@tanstack/react-query';
import { batchRoutes } from '../../../../shared/api/batches';
import { call } from '../../api/client';
import { useEscape } from '../../lib/keys';
import { Link } from 'wouter';
import { ErrorNote } from '../ui';
import { StageEvent } from './StageEvent';
import { TrackView } from './TrackView';

/** The detail pane of one batch: its track, a link to its printable run ticket, and the next stage move. Esc closes it. */
export function BatchDetail({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const qc = useQueryClient();
  const track = useQuery({ queryKey: ['track', batchId], queryFn: () => call(batchRoutes.track, { params: { batch_id: batchId } }) });
  useEscape(onClose);
  const t = track.data;
  return (
    <aside className="detail wide" aria-label={`Batch ${batchId}`}>
      <div className="panel-head">
        <h2>Batch {batchId}</h2>
        <div className="row">
          <Link href={`/run-ticket?batch=${encodeURIComponent(batchId)}`} className="btn btn-small">
            Run ticket
          </Link>
          <button type="button" className="btn btn-small" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {track.error ? <ErrorNote error={track.error} title="Batch" /> : null}
      {t ? (
        <>
          <TrackView track={t} />
          <div>
            <h3>Post a stage event</h3>
            <StageEvent
              key={t.batch.version}
              batch={t.batch}
              onPosted={() => {
                void qc.invalidateQueries({ queryKey: ['track', batchId] });
                void qc.invalidateQueries({ queryKey: ['batches'] });
              }}
            />
          </div>
        </>
      ) : !track.error ? (
        <p className="muted">Loading…</p>
      ) : null}
    </aside>
  );
}
