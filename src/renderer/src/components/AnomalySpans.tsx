import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ScorePoint } from '../../../shared/ml';
import { mlRoutes } from '../../../shared/api/ml';
import { call, errorText } from '../api/client';
import { useIsAdmin } from '../api/queries';
import { fmtTime } from '../lib/format';
import { ConfirmButton } from './ConfirmButton';
import { DataTable } from './DataTable';
import { Empty, ErrorNote, Field, Note } from './ui';

/** A run of consecutive anomalous readings, with the words that explain it. */
export interface AnomalySpan {
  from: number;
  to: number;
  readings: number;
  peak: number;
  /** the most frequent reasons inside the span, most frequent first */
  reasons: string[];
}

/** Consecutive anomalous points become one span; its reasons are the ones its readings give most. */
export function anomalySpans(points: readonly ScorePoint[]): AnomalySpan[] {
  const spans: AnomalySpan[] = [];
  let open: (AnomalySpan & { counts: Map<string, number> }) | null = null;
  const close = () => {
    if (!open) return;
    const { counts, ...span } = open;
    // Numbers differ reading by reading: count reasons by their words without the figures.
    const byShape = new Map<string, { text: string; n: number }>();
    for (const [text, n] of counts) {
      const shape = text.replace(/-?\d[\d.e+-]*/g, '#');
      const prev = byShape.get(shape);
      if (!prev || n > prev.n) byShape.set(shape, { text, n: (prev?.n ?? 0) + n });
      else prev.n += n;
    }
    span.reasons = [...byShape.values()]
      .sort((a, b) => b.n - a.n)
      .slice(0, 3)
      .map((r) => r.text);
    spans.push(span);
    open = null;
  };
  for (const p of points) {
    if (p.anomaly) {
      if (!open) open = { from: p.ts, to: p.ts, readings: 0, peak: 0, reasons: [], counts: new Map() };
      open.to = p.ts;
      open.readings++;
      open.peak = Math.max(open.peak, p.score);
      for (const r of p.reasons) open.counts.set(r, (open.counts.get(r) ?? 0) + 1);
    } else close();
  }
  close();
  return spans;
}

const EVENT_LABELS: [number, string][] = [
  [0, 'normal operation'],
  [1, 'abrupt increase of BSW'],
  [2, 'spurious closure of DHSV'],
  [3, 'severe slugging'],
  [4, 'flow instability'],
  [5, 'rapid productivity loss'],
  [6, 'quick restriction in PCK'],
  [7, 'scaling in PCK'],
  [8, 'hydrate in production line'],
];
const labelName = (n: number) => EVENT_LABELS.find(([k]) => k === n)?.[1] ?? `site label ${n}`;

const useJudgedSpans = (deviceId: string) =>
  useQuery({
    queryKey: ['ml-spans', deviceId],
    queryFn: () => call(mlRoutes.spans, { query: { device_id: deviceId } }),
    enabled: !!deviceId,
    retry: false,
  });

/**
 * The anomalous spans of a scored range, each with its reasons and a button to jump the chart to it;
 * engineers label a span (a training label for `train --from-db`), admins can also mark it normal
 * (the station stops flagging it and adapts the device's limits). Below: the spans already judged.
 */
export function AnomalySpansPanel(p: { deviceId: string; spans: AnomalySpan[]; onJump: (from: number, to: number) => void; onJudged: () => void }) {
  const isAdmin = useIsAdmin();
  const qc = useQueryClient();
  const judged = useJudgedSpans(p.deviceId);
  const [label, setLabel] = useState(0);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const judge = async (s: { from: number; to: number }, kind: 'normal' | 'label') => {
    setMessage(null);
    try {
      await call(mlRoutes.addSpan, {
        body: { device_id: p.deviceId, ts_from: s.from, ts_to: s.to, kind, ...(kind === 'label' ? { label } : {}), ...(note ? { note } : {}) },
      });
      setMessage({
        kind: 'ok',
        text:
          kind === 'normal'
            ? `Marked ${fmtTime(s.from)} – ${fmtTime(s.to)} normal: it is no longer flagged.`
            : `Labelled ${fmtTime(s.from)} – ${fmtTime(s.to)} as ${labelName(label)}.`,
      });
      await qc.invalidateQueries({ queryKey: ['ml-spans', p.deviceId] });
      p.onJudged();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };
  const remove = async (id: number) => {
    setMessage(null);
    try {
      await call(mlRoutes.deleteSpan, { params: { id: String(id) } });
      await qc.invalidateQueries({ queryKey: ['ml-spans', p.deviceId] });
      p.onJudged();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <>
      <div className="toolbar">
        <Field label="Label for spans">
          {(id) => (
            <select id={id} value={label} onChange={(e) => setLabel(Number(e.target.value))}>
              {EVENT_LABELS.map(([k, name]) => (
                <option key={k} value={k}>
                  {k} {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Note (optional)">
          {(id) => <input id={id} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder="e.g. planned choke change" />}
        </Field>
      </div>
      {message ? <Note kind={message.kind}>{message.text}</Note> : null}
      {p.spans.length === 0 ? (
        <Empty>No anomalous spans in this range.</Empty>
      ) : (
        <DataTable
          label="Anomalous spans"
          wrap="short"
          rows={p.spans}
          rowKey={(s) => s.from}
          columns={[
            { header: 'From', cell: (s) => fmtTime(s.from) },
            { header: 'To', cell: (s) => fmtTime(s.to) },
            { header: 'Readings', num: true, cell: (s) => s.readings },
            { header: 'Peak', num: true, cell: (s) => s.peak.toFixed(2) },
            {
              header: 'Why',
              cell: (s) =>
                s.reasons.length ? (
                  <ul className="reasons">
                    {s.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                ) : (
                  '—'
                ),
            },
            {
              header: 'Actions',
              blankHeader: true,
              className: 'actions',
              cell: (s) => (
                <>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => p.onJump(s.from, s.to)}
                    aria-label={`Show the span from ${fmtTime(s.from)} on the chart`}
                  >
                    Show
                  </button>
                  <button type="button" className="btn btn-small" onClick={() => void judge(s, 'label')}>
                    Label
                  </button>
                  {isAdmin ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => void judge(s, 'normal')}
                      title="Stop flagging this span and adapt the device's limits to it"
                    >
                      Mark normal
                    </button>
                  ) : null}
                </>
              ),
            },
          ]}
        />
      )}
      <h3>Judged spans of {p.deviceId}</h3>
      <ErrorNote error={judged.error} title="Judged spans" />
      {judged.data && judged.data.length === 0 ? (
        <Empty>None yet. Label a span for training, or (administrators) mark one normal.</Empty>
      ) : judged.data ? (
        <DataTable
          label="Judged spans"
          wrap="short"
          rows={judged.data}
          rowKey={(j) => j.id}
          columns={[
            { header: 'From', cell: (j) => fmtTime(j.ts_from) },
            { header: 'To', cell: (j) => fmtTime(j.ts_to) },
            { header: 'Judged as', cell: (j) => (j.kind === 'normal' ? 'normal (not flagged)' : `label ${j.label}: ${labelName(j.label)}`) },
            { header: 'Readings', num: true, cell: (j) => j.readings },
            { header: 'By', cell: (j) => j.created_by ?? '—' },
            { header: 'Note', cell: (j) => j.note ?? '—' },
            {
              header: 'Actions',
              blankHeader: true,
              className: 'actions',
              cell: (j) => (
                <>
                  <button type="button" className="btn btn-small" onClick={() => p.onJump(j.ts_from, j.ts_to)}>
                    Show
                  </button>
                  {isAdmin || j.kind === 'label' ? (
                    <ConfirmButton
                      className="btn btn-small btn-danger-outline"
                      question="Remove this judgement?"
                      yes="Yes, remove"
                      onConfirm={() => void remove(j.id)}
                    >
                      Remove
                    </ConfirmButton>
                  ) : null}
                </>
              ),
            },
          ]}
        />
      ) : null}
    </>
  );
}
