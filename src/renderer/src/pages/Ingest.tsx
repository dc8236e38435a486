import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { readingInputSchema, type Reading } from '../../../shared/telemetry';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { ApiError, call, errorText } from '../api/client';
import { useIsAdmin } from '../api/queries';
import { CsvImport } from '../components/CsvImport';
import { IngestKey, ingestOptions, ingestRefusal } from '../components/IngestKey';
import { Field, Note, PageHeader, Panel } from '../components/ui';
import { fmtTime, fromLocalInput, toLocalInput } from '../lib/format';
import { numberOrUndefined, serverFieldErrors, validate, type FieldErrors } from '../lib/form';
import { useUnits } from '../lib/preferences';
import { toStoredPressure, toStoredTemp, unitLabels } from '../lib/units';
import type { Units } from '../../../shared/settings';

interface FormValues {
  device_id: string;
  time: string;
  temperature: string;
  pressure: string;
  status: string;
}

/**
 * The form's text as the API payload, typed values converted from the user's display units to the
 * stored °C and kPa; the shared schema then judges it exactly as the station will.
 */
function toPayload(v: FormValues, units: Units) {
  const ts = fromLocalInput(v.time);
  const temperature = toStoredTemp(numberOrUndefined(v.temperature), units.temperature);
  const pressure = toStoredPressure(numberOrUndefined(v.pressure), units.pressure);
  return {
    device_id: v.device_id.trim(),
    ts: ts ?? v.time,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(pressure !== undefined ? { pressure } : {}),
    ...(v.status.trim() ? { status: v.status.trim() } : {}),
  };
}

function ReadingForm() {
  const isAdmin = useIsAdmin();
  const units = useUnits();
  const labels = unitLabels(units);
  const qc = useQueryClient();
  const [v, setV] = useState<FormValues>({ device_id: '', time: toLocalInput(Date.now() / 1000), temperature: '', pressure: '', status: 'ok' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string; reading?: Reading } | null>(null);
  const [busy, setBusy] = useState(false);
  const { input, errors } = validate(readingInputSchema, toPayload(v, units));
  const errorFor = (k: string, key = k) => (touched[k] ? (errors[key] ?? serverErrors[key]) : undefined);
  const change = (k: keyof FormValues) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setV({ ...v, [k]: e.target.value });
    setTouched({ ...touched, [k]: true });
    setServerErrors({});
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ device_id: true, time: true, temperature: true, pressure: true, status: true });
    if (!input) return;
    setBusy(true);
    setResult(null);
    try {
      const reading = await call(telemetryRoutes.create, { body: input }, ingestOptions(isAdmin));
      setResult({ kind: 'ok', text: `Stored reading ${reading.id} of ${reading.device_id} at ${fmtTime(reading.ts)}.`, reading });
      void qc.invalidateQueries();
    } catch (err) {
      if (err instanceof ApiError) setServerErrors(serverFieldErrors(err.errors));
      setResult({ kind: 'error', text: (err instanceof ApiError && ingestRefusal(err)) || errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="One reading">
      <div className="form-grid">
        <Field label="Device id" error={errorFor('device_id')} hint="e.g. well-07">
          {(id, d) => <input id={id} aria-describedby={d} aria-invalid={Boolean(errorFor('device_id'))} value={v.device_id} onChange={change('device_id')} />}
        </Field>
        <Field label="Time (local)" error={errorFor('time', 'ts')}>
          {(id, d) => <input id={id} aria-describedby={d} type="datetime-local" step="1" value={v.time} onChange={change('time')} />}
        </Field>
        <Field label={`Temperature (${labels.temperature})`} error={errorFor('temperature')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-invalid={Boolean(errorFor('temperature'))}
              inputMode="decimal"
              value={v.temperature}
              onChange={change('temperature')}
            />
          )}
        </Field>
        <Field label={`Pressure (${labels.pressure})`} error={errorFor('pressure')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              aria-invalid={Boolean(errorFor('pressure'))}
              inputMode="decimal"
              value={v.pressure}
              onChange={change('pressure')}
            />
          )}
        </Field>
        <Field label="Status" error={errorFor('status')}>
          {(id, d) => <input id={id} aria-describedby={d} value={v.status} onChange={change('status')} />}
        </Field>
      </div>
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Posting…' : 'Post reading'}
        </button>
        {result ? (
          <Note kind={result.kind === 'ok' ? 'ok' : 'error'}>
            {result.text}{' '}
            {result.reading ? <Link href={`/telemetry?device=${encodeURIComponent(result.reading.device_id)}&last=3600`}>Show in Telemetry</Link> : null}
          </Note>
        ) : null}
      </div>
    </form>
  );
}

export function Ingest() {
  return (
    <>
      <PageHeader title="Ingest" />
      <Panel title="Credential">
        <IngestKey />
      </Panel>
      <Panel title="One reading">
        <ReadingForm />
      </Panel>
      <Panel title="Import a CSV file">
        <CsvImport />
      </Panel>
    </>
  );
}
