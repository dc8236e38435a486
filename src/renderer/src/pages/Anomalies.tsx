import { useState, type FormEvent } from 'react';
import { predictRequestSchema, type PredictResponse, type ScorePoint } from '../../../shared/ml';
import { mlRoutes } from '../../../shared/api/ml';
import { call, errorText } from '../api/client';
import { useUnits } from '../lib/preferences';
import { AlarmList } from '../components/AlarmList';
import { toStoredPressure, toStoredTemp, unitLabels } from '../lib/units';
import { DevicePicker } from '../components/DevicePicker';
import { RangePicker } from '../components/RangePicker';
import { RuleLimitsPanel } from '../components/RuleLimits';
import { AnomalySpansPanel, anomalySpans } from '../components/AnomalySpans';
import { SeriesChart } from '../components/SeriesChart';
import { Empty, Field, Note, PageHeader, Panel } from '../components/ui';
import { numberOrUndefined, validate } from '../lib/form';
import { resolveRange, type TimeRange } from '../lib/range';

function PredictForm() {
  const units = useUnits();
  const labels = unitLabels(units);
  const [v, setV] = useState({ temperature: '', pressure: '', device_id: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [result, setResult] = useState<PredictResponse | null>(null);
  const [error, setError] = useState('');
  const payload = {
    temperature: toStoredTemp(numberOrUndefined(v.temperature), units.temperature),
    pressure: toStoredPressure(numberOrUndefined(v.pressure), units.pressure),
    ...(v.device_id ? { device_id: v.device_id } : {}),
  };
  const { input, errors } = validate(predictRequestSchema, payload);
  const err = (k: string) => (touched[k] ? errors[k] : undefined);
  const change = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setV({ ...v, [k]: e.target.value });
    setTouched({ ...touched, [k]: true });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ temperature: true, pressure: true, device_id: true });
    if (!input) return;
    setError('');
    try {
      setResult(await call(mlRoutes.predict, { body: input }));
    } catch (e2) {
      setResult(null);
      setError(errorText(e2));
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Check one reading">
      <div className="form-grid">
        <Field label={`Temperature (${labels.temperature})`} error={err('temperature')}>
          {(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={v.temperature} onChange={change('temperature')} />}
        </Field>
        <Field label={`Pressure (${labels.pressure})`} error={err('pressure')}>
          {(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={v.pressure} onChange={change('pressure')} />}
        </Field>
        <Field label="Device (optional, adds its history)">
          {(id) => <DevicePicker id={id} value={v.device_id} onChange={(d) => setV({ ...v, device_id: d })} allowAll />}
        </Field>
      </div>
      <div className="row">
        <button className="btn btn-primary" type="submit">
          Check reading
        </button>
        {result ? (
          <Note kind={result.anomaly ? 'error' : 'ok'}>
            <span data-testid="predict-result">
              {result.anomaly ? 'Anomalous' : 'Normal'} · score {result.score.toFixed(2)} (threshold {result.meta.threshold.toFixed(2)}) ·{' '}
              {result.model === 'rf' ? 'forest model' : 'rules'} · {result.meta.reason}
            </span>
            {result.meta.reasons.length ? (
              <ul className="reasons" aria-label="Why">
                {result.meta.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            ) : null}
          </Note>
        ) : null}
        {error ? <Note kind="error">{error}</Note> : null}
      </div>
    </form>
  );
}

function ScorePanel() {
  const units = useUnits();
  const [device, setDevice] = useState('');
  const [range, setRange] = useState<TimeRange>({ kind: 'last', seconds: 86400 });
  const [frozen, setFrozen] = useState(() => resolveRange(range));
  const [scores, setScores] = useState<ScorePoint[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const score = async () => {
    const r = resolveRange(range);
    setFrozen(r);
    setBusy(true);
    setError('');
    try {
      setScores(await call(mlRoutes.score, { body: { device_id: device, ts_from: r.from, ts_to: r.to } }));
    } catch (e) {
      setScores(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const spans = scores ? anomalySpans(scores) : [];
  // Jumping to a span shows it with some context either side (at least ten minutes).
  const jump = (from: number, to: number) => {
    const pad = Math.max(600, (to - from) / 2);
    setFrozen({ from: from - pad, to: to + pad });
  };
  const anomalous = scores?.filter((s) => s.anomaly).length ?? 0;
  return (
    <>
      <div className="toolbar">
        <Field label="Device to score">{(id) => <DevicePicker id={id} value={device} onChange={setDevice} />}</Field>
        <RangePicker value={range} onChange={setRange} />
        <button type="button" className="btn btn-primary" disabled={!device || busy} onClick={() => void score()}>
          {busy ? 'Scoring…' : 'Score range'}
        </button>
      </div>
      {error ? <Note kind="error">{error}</Note> : null}
      {scores ? (
        <Note kind={anomalous ? 'warn' : 'ok'}>
          <span data-testid="score-summary">
            {scores.length} readings scored, {anomalous} anomalous in {spans.length} span{spans.length === 1 ? '' : 's'} (shaded red).
          </span>
        </Note>
      ) : null}
      {device ? (
        <SeriesChart
          deviceId={device}
          from={frozen.from}
          to={frozen.to}
          units={units}
          spans={spans}
          onZoom={(f, t) => setFrozen({ from: f, to: t })}
          onReset={() => setFrozen(resolveRange(range))}
        />
      ) : (
        <Empty>Choose a device, a range, then Score range.</Empty>
      )}
      {device && scores ? <AnomalySpansPanel deviceId={device} spans={spans} onJump={jump} onJudged={() => void score()} /> : null}
    </>
  );
}

export function Anomalies() {
  return (
    <>
      <PageHeader title="Anomalies" />
      <Panel title="Check one reading">
        <PredictForm />
      </Panel>
      <Panel title="Score a device over a range">
        <ScorePanel />
      </Panel>
      <Panel title="Alarms">
        <AlarmList />
      </Panel>
      <Panel title="Rule limits">
        <RuleLimitsPanel />
      </Panel>
    </>
  );
}
