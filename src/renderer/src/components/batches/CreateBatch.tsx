import { useState, type FormEvent } from 'react';
import { batchCreateSchema, type Batch } from '../../../../shared/batches';
import { batchRoutes } from '../../../../shared/api/batches';
import { call, errorText } from '../../api/client';
import { validate } from '../../lib/form';
import { Field, Note } from '../ui';
import { clean, emptyMeasure, MeasureFields, measurePayload } from './measure';

/** A new batch at the produced stage, with its first measurement if there is one. */
export function CreateBatch({ onCreated }: { onCreated: (b: Batch) => void }) {
  const [v, setV] = useState({ batch_id: '', well_id: '', location: '', note: '' });
  const [m, setM] = useState(emptyMeasure());
  const [tried, setTried] = useState(false);
  const [error, setError] = useState('');
  const payload = clean({ ...v, ...measurePayload(m) });
  const { input, errors } = validate(batchCreateSchema, payload);
  const dirty = Object.values(v).some(Boolean) || Object.values(m).some(Boolean);
  const shown = tried || dirty ? errors : {};
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!input) return;
    try {
      onCreated(await call(batchRoutes.create, { body: input }));
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
