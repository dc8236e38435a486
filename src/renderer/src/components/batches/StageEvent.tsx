import { useState, type FormEvent } from 'react';
import { STAGE_NEEDS, STAGES, stageIndex, transitionEventSchema, type Batch, type Stage } from '../../../../shared/batches';
import { batchRoutes } from '../../../../shared/api/batches';
import { ApiError, call, errorText } from '../../api/client';
import { serverFieldErrors, validate, type FieldErrors } from '../../lib/form';
import { Field, Note } from '../ui';
import { clean, emptyMeasure, MeasureFields, measurePayload, statusLabel } from './measure';

const PLACE_HINT: Partial<Record<Stage, string>> = { separated: 'the separator', stored: 'the tank', delivered: 'terminal or refinery' };

/**
 * Moves a batch to its next stage. The form asks for what that stage needs (STAGE_NEEDS, which the
 * station enforces too), and the move is confirmed before it is sent: custody moves are not undone
 * by a click.
 */
export function StageEvent({ batch, onPosted }: { batch: Batch; onPosted: () => void }) {
  const next = STAGES[stageIndex(batch.current_stage) + 1] as Stage | undefined;
  const [v, setV] = useState({ location: '', carrier: '', ticket: '', note: '' });
  const [m, setM] = useState(emptyMeasure());
  const [tried, setTried] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [error, setError] = useState('');
  if (!next || batch.status !== 'active')
    return (
      <p className="muted">
        This batch is {statusLabel(batch.status)} at {batch.current_stage}: no further stage.
      </p>
    );
  const needs = STAGE_NEEDS[next];
  const payload = clean({ type: 'transition', to_stage: next, ...v, ...measurePayload(m), expected_version: batch.version });
  const checked = validate(transitionEventSchema, payload);
  const errors: FieldErrors = { ...checked.errors };
  if (needs.includes('measurement') && m.gross_volume_bbl.trim() === '') errors.gross_volume_bbl ??= `Required to move to ${next}`;
  if (needs.includes('location') && !v.location.trim()) errors.location ??= `Required to move to ${next}`;
  const shown = tried ? { ...serverErrors, ...errors } : serverErrors;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(errors).length) return;
    setConfirming(true);
  };
  const send = async () => {
    setConfirming(false);
    if (!checked.input) return;
    try {
      await call(batchRoutes.postEvent, { params: { batch_id: batch.batch_id }, body: checked.input });
      setV({ location: '', carrier: '', ticket: '', note: '' });
      setM(emptyMeasure());
      setTried(false);
      setError('');
      onPosted();
    } catch (err) {
      if (err instanceof ApiError) setServerErrors(serverFieldErrors(err.errors));
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Stage event">
      <div className="form-grid">
        <Field
          label="Location"
          error={shown.location}
          hint={[PLACE_HINT[next], needs.includes('location') ? 'required' : undefined].filter(Boolean).join(', ')}
        >
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-required={needs.includes('location') || undefined}
              value={v.location}
              onChange={(e) => setV({ ...v, location: e.target.value })}
            />
          )}
        </Field>
        {next === 'transported' ? (
          <>
            <Field label="Carrier" error={shown.carrier} hint="required">
              {(id, d) => (
                <select id={id} aria-describedby={d} aria-required value={v.carrier} onChange={(e) => setV({ ...v, carrier: e.target.value })}>
                  <option value="">Choose…</option>
                  <option value="pipeline">pipeline</option>
                  <option value="truck">truck</option>
                </select>
              )}
            </Field>
            <Field label="Ticket" error={shown.ticket} hint="required: run ticket or bill of lading">
              {(id, d) => <input id={id} aria-describedby={d} aria-required value={v.ticket} onChange={(e) => setV({ ...v, ticket: e.target.value })} />}
            </Field>
          </>
        ) : null}
        <MeasureFields value={m} onChange={setM} errors={shown} required={needs.includes('measurement')} />
        <Field label="Note (optional)">{(id) => <input id={id} value={v.note} onChange={(e) => setV({ ...v, note: e.target.value })} />}</Field>
      </div>
      <div className="row">
        {confirming ? (
          <span
            role="group"
            aria-label={`Move ${batch.batch_id} to ${next}?`}
            className="confirm"
            onKeyDown={(e) => e.key === 'Escape' && (e.preventDefault(), setConfirming(false))}
          >
            <span>
              Move <strong>{batch.batch_id}</strong> from {batch.current_stage} to <strong>{next}</strong>? Only an admin can move it back.
            </span>
            <button type="button" className="btn btn-primary" onClick={() => void send()}>
              Yes, move
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)} autoFocus>
              Not yet
            </button>
          </span>
        ) : (
          <button type="submit" className="btn btn-primary">
            Move to {next}
          </button>
        )}
        {error ? <Note kind="error">{error}</Note> : null}
      </div>
    </form>
  );
}
