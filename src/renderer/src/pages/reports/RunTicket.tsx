import { useQuery } from '@tanstack/react-query';
import { Link, useSearch } from 'wouter';
import { batchRoutes } from '../../../../shared/api/batches';
import { call } from '../../api/client';
import { TrackView } from '../../components/batches/TrackView';
import { PrintButton } from '../../components/PrintButton';
import { ErrorNote, PageHeader } from '../../components/ui';
import { fmtNum } from '../../lib/format';

/**
 * A batch's run ticket on paper: stages, volumes with CTL and net standard volume, losses between
 * stages and the timeline, as the browser prints it (print CSS drops the menu and the buttons).
 */
export function RunTicket() {
  const id = new URLSearchParams(useSearch()).get('batch') ?? '';
  const track = useQuery({ queryKey: ['track', id], queryFn: () => call(batchRoutes.track, { params: { batch_id: id } }) });
  const t = track.data;
  const last = t?.volumes.at(-1);
  const first = t?.volumes[0];
  return (
    <article className="report" aria-label={`Run ticket ${id}`}>
      <PageHeader title={`Run ticket · ${id}`}>
        <Link href="/batches" className="btn no-print">
          Back to batches
        </Link>
        <PrintButton fileName={`run-ticket-${id}`} />
      </PageHeader>
      <ErrorNote error={track.error} title="Batch" />
      {t ? (
        <>
          <dl className="kv report-head">
            <dt>Batch</dt>
            <dd>{t.batch.batch_id}</dd>
            <dt>Well</dt>
            <dd>{t.batch.well_id}</dd>
            <dt>Net standard volume</dt>
            <dd data-testid="ticket-nsv">{last ? `${fmtNum(last.nsv_bbl, 2)} bbl at ${last.stage}` : 'not measured'}</dd>
            <dt>Total loss</dt>
            <dd>{first && last && first !== last ? `${fmtNum(last.nsv_bbl - first.nsv_bbl, 2)} bbl net since ${first.stage}` : '—'}</dd>
          </dl>
          <TrackView track={t} />
          <p className="muted report-foot">
            Printed {new Date().toLocaleString()} · SMART Oilfield station · CTL per API MPMS 11.1; NSV = gross × CTL × (1 − BS&amp;W/100)
          </p>
        </>
      ) : !track.error ? (
        <p className="muted">Loading…</p>
      ) : null}
    </article>
  );
}
