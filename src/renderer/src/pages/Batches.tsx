import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  batchCreateSchema,
  STAGES,
  STATUSES,
  stageIndex,
  transitionEventSchema,
  type Batch,
  type BatchPage,
  type Stage,
  type Track,
} from '../../../shared/batches';
import { api, errorText } from '../api/client';
import { Empty, ErrorNote, Field, Note, PageHeader, Panel } from '../components/ui';
import { fmtIso, fmtNum } from '../lib/format';
import { numberOrUndefined, validate } from '../lib/form';

const label = (s: string) => s.replace('_', ' ');
const MEASURE = ['gross_volume_bbl', 'temperature_f', 'api_gravity', 'bsw_pct'] as const;
const MEASURE_LABEL: Record<(typeof MEASURE)[number], string> = {
  gross_volume_bbl: 'Gross volume (bbl)',
  temperature_f: 'Oil temperature (°F)',
  api_gravity: 'API gravity',
  bsw_pct: 'BS&W (%)',
};
type MeasureText = Record<(typeof MEASURE)[number], string>;
const emptyMeasure = (): MeasureText => ({ gross_volume_bbl: '', temperature_f: '', api_gravity: '', bsw_pct: '' });
const measurePayload = (m: MeasureText) => Object.fromEntries(MEASURE.map((k) => [k, numberOrUndefined(m[k])]).filter(([, v]) => v !== undefined));
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

function MeasureFields({ value, onChange, errors }: { value: MeasureText; onChange: (m: MeasureText) => void; errors: Record<string, string> }) {
  return (
    <>
      {MEASURE.map((k) => (
        <Field key={k} label={MEASURE_LABEL[k]} error={errors[k]}>
          {(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={value[k]} onChange={(e) => onChange({ ...value, [k]: e.target.value })} />}
        </Field>
      ))}
    </>
  );
}

function CreateBatch({ onCreated }: { onCreated: (b: Batch) => void }) {
  const [v, setV] = useState({ batch_id: '', well_id: '', location: '', note: '' });
  const [m, setM] = useState(emptyMeasure());
  const [tried, setTried] = useState(false);
  const [error, setError] = useState('');
  const payload = clean({ ...v, ...measurePayload(m) });
  const { errors } = validate(batchCreateSchema, payload);
  const dirty = Object.values(v).some(Boolean) || Object.values(m).some(Boolean);
  const shown = tried || dirty ? errors : {};
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(errors).length) return;
    try {
      onCreated(await api<Batch>('/api/oil/batches', { method: 'POST', body: payload }));
      setV({ batch_id: '', well_id: '', location: '', note: '' });
      setM(emptyMeasure());
      setTried(false);
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  const text = (k: keyof typeof v, lbl: string, hint?: string) => (
    <Field label={lbl} error={k === 'well_id' ? (tried || v.well_id ? shown[k] : undefined) : v[k] ? shown[k] : undefined} hint={hint}>
      {(id, d) => <input id={id} aria-describedby={d} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />}
    </Field>
  );
  return (
    <form onSubmit={submit} noValidate aria-label="New batch">
      <div className="form-grid">
        {text('well_id', 'Well id')}
        {text('batch_id', 'Batch id (optional)', 'empty: the station issues B-<year>-<NNNN>')}
        {text('location', 'Location (optional)')}
        {text('note', 'Note (optional)')}
        <MeasureFields value={m} onChange={setM} errors={Object.values(m).some(Boolean) ? shown : {}} />
      </div>
      <div className="row">
        <button type="submit" className="btn btn-primary">
          Create batch
        </button>
        {error ? <Note kind="error">{error}</Note> : null}
      </div>
    </form>
  );
}

function StageEvent({ batch, onPosted }: { batch: Batch; onPosted: () => void }) {
  const next = STAGES[stageIndex(batch.current_stage) + 1] as Stage | undefined;
  const [v, setV] = useState({ location: '', carrier: '', ticket: '', note: '' });
  const [m, setM] = useState(emptyMeasure());
  const [tried, setTried] = useState(false);
  const [error, setError] = useState('');
  if (!next || batch.status !== 'active')
    return (
      <p className="muted">
        This batch is {label(batch.status)} at {batch.current_stage}: no further stage.
      </p>
    );
  const payload = clean({ type: 'transition', to_stage: next, ...v, ...measurePayload(m), expected_version: batch.version });
  const { errors } = validate(transitionEventSchema, payload);
  const shown = tried ? errors : {};
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(errors).length) return;
    try {
      await api(`/api/oil/batches/${encodeURIComponent(batch.batch_id)}/events`, { method: 'POST', body: payload });
      setV({ location: '', carrier: '', ticket: '', note: '' });
      setM(emptyMeasure());
      setTried(false);
      setError('');
      onPosted();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Stage event">
      <div className="form-grid">
        <Field label="Location" error={shown.location} hint={next === 'stored' ? 'the tank' : next === 'delivered' ? 'terminal or refinery' : undefined}>
          {(id, d) => <input id={id} aria-describedby={d} value={v.location} onChange={(e) => setV({ ...v, location: e.target.value })} />}
        </Field>
        {next === 'transported' ? (
          <>
            <Field label="Carrier" error={shown.carrier}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={v.carrier} onChange={(e) => setV({ ...v, carrier: e.target.value })}>
                  <option value="">Choose…</option>
                  <option value="pipeline">pipeline</option>
                  <option value="truck">truck</option>
                </select>
              )}
            </Field>
            <Field label="Ticket" error={shown.ticket}>
              {(id, d) => <input id={id} aria-describedby={d} value={v.ticket} onChange={(e) => setV({ ...v, ticket: e.target.value })} />}
            </Field>
          </>
        ) : null}
        <MeasureFields value={m} onChange={setM} errors={shown} />
        <Field label="Note (optional)">{(id) => <input id={id} value={v.note} onChange={(e) => setV({ ...v, note: e.target.value })} />}</Field>
      </div>
      <div className="row">
        <button type="submit" className="btn btn-primary">
          Move to {next}
        </button>
        {error ? <Note kind="error">{error}</Note> : null}
      </div>
    </form>
  );
}

function TrackView({ batchId }: { batchId: string }) {
  const qc = useQueryClient();
  const track = useQuery({ queryKey: ['track', batchId], queryFn: () => api<Track>(`/api/oil/track/${encodeURIComponent(batchId)}`) });
  if (track.error) return <ErrorNote error={track.error} title="Batch" />;
  const t = track.data;
  if (!t) return <p className="muted">Loading…</p>;
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
        <strong>{b.batch_id}</strong> from {b.well_id} · <span data-testid="batch-stage">{b.current_stage}</span> · {label(b.status)} · since{' '}
        {fmtIso(b.stage_since)}
      </p>
      {t.volumes.length ? (
        <table className="data" aria-label="Volumes">
          <thead>
            <tr>
              <th>Stage</th>
              <th className="num">Gross (bbl)</th>
              <th className="num">°F</th>
              <th className="num">API</th>
              <th className="num">BS&W %</th>
              <th className="num">CTL</th>
              <th className="num">NSV (bbl)</th>
            </tr>
          </thead>
          <tbody>
            {t.volumes.map((v) => (
              <tr key={v.stage}>
                <td>{v.stage}</td>
                <td className="num">{fmtNum(v.gross_volume_bbl, 2)}</td>
                <td className="num">{fmtNum(v.temperature_f, 1)}</td>
                <td className="num">{fmtNum(v.api_gravity, 1)}</td>
                <td className="num">{fmtNum(v.bsw_pct, 2)}</td>
                <td className="num">{fmtNum(v.ctl, 5)}</td>
                <td className="num">{fmtNum(v.nsv_bbl, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No volumes measured yet.</p>
      )}
      {t.changes.map((c) => (
        <p key={`${c.from_stage}-${c.to_stage}`} className={c.loss_flagged ? 'loss flagged' : 'loss'}>
          {c.from_stage} → {c.to_stage}: net {fmtNum(c.net_change_bbl, 2)} bbl ({fmtNum(c.net_change_pct, 2)} %)
          {c.loss_flagged ? ` — above the ${t.loss_tolerance_pct} % tolerance` : ''}
        </p>
      ))}
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
      <h3>Post a stage event</h3>
      <StageEvent
        key={b.version}
        batch={b}
        onPosted={() => {
          void qc.invalidateQueries({ queryKey: ['track', batchId] });
          void qc.invalidateQueries({ queryKey: ['batches'] });
        }}
      />
    </div>
  );
}

export function Batches() {
  const qc = useQueryClient();
  const [filters, setFilters] = useState({ current_stage: '', status: '', well: '' });
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['batches', filters], queryFn: () => api<BatchPage>('/api/oil/batches', { query: filters }), retry: false });
  return (
    <>
      <PageHeader title="Oil batches" />
      <Panel title="New batch">
        <CreateBatch
          onCreated={(b) => {
            void qc.invalidateQueries({ queryKey: ['batches'] });
            setSelected(b.batch_id);
          }}
        />
      </Panel>
      <div className="split">
        <div className="split-main">
          <Panel title="Batches">
            <div className="toolbar">
              <Field label="Stage">
                {(id) => (
                  <select id={id} value={filters.current_stage} onChange={(e) => setFilters({ ...filters, current_stage: e.target.value })}>
                    <option value="">Any stage</option>
                    {STAGES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Status">
                {(id) => (
                  <select id={id} value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
                    <option value="">Any status</option>
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {label(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Well">{(id) => <input id={id} value={filters.well} onChange={(e) => setFilters({ ...filters, well: e.target.value })} />}</Field>
            </div>
            <ErrorNote error={list.error} title="Batches" />
            {list.data && list.data.items.length === 0 ? (
              <Empty>No batches match. Create one above when oil is produced.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="data" aria-label="Batches">
                  <thead>
                    <tr>
                      <th>Batch</th>
                      <th>Well</th>
                      <th>Stage</th>
                      <th>Status</th>
                      <th>Since</th>
                      <th className="num">Last NSV (bbl)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(list.data?.items ?? []).map((b) => (
                      <tr
                        key={b.batch_id}
                        className={selected === b.batch_id ? 'selected' : undefined}
                        tabIndex={0}
                        onClick={() => setSelected(b.batch_id)}
                        onKeyDown={(e) => e.key === 'Enter' && setSelected(b.batch_id)}
                      >
                        <td>{b.batch_id}</td>
                        <td>{b.well_id}</td>
                        <td>{b.current_stage}</td>
                        <td>{label(b.status)}</td>
                        <td>{fmtIso(b.stage_since)}</td>
                        <td className="num">{fmtNum(b.last_measurement?.nsv_bbl, 2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
        </div>
        {selected ? (
          <aside className="detail wide" aria-label={`Batch ${selected}`}>
            <div className="panel-head">
              <h2>Batch {selected}</h2>
              <button type="button" className="btn btn-small" onClick={() => setSelected(null)}>
                Close
              </button>
            </div>
            <TrackView batchId={selected} />
          </aside>
        ) : null}
      </div>
    </>
  );
}
