import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Alarm } from '../../../shared/ml';
import { useAlarms } from '../api/alarms';
import { alarmRoutes } from '../../../shared/api/ml';
import { call, errorText } from '../api/client';
import { fmtIso, fmtTime } from '../lib/format';
import { DataTable, type Column } from './DataTable';
import { DevicePicker } from './DevicePicker';
import { Empty, ErrorNote, Field, Note } from './ui';

const SINCE = [
  ['', 'Any time'],
  ['86400', 'Last 24 h'],
  ['604800', 'Last 7 days'],
  ['2592000', 'Last 30 days'],
] as const;

/** Acknowledging asks for an optional note (what was done, who was called); the station keeps it with the alarm. */
function AckCell({ alarm, onDone }: { alarm: Alarm; onDone: (error?: string) => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  if (alarm.acknowledged_at) return null;
  if (!open) {
    return (
      <button type="button" className="btn btn-small" aria-label={`Acknowledge the alarm of ${alarm.device_id}`} onClick={() => setOpen(true)}>
        Acknowledge
      </button>
    );
  }
  const ack = async () => {
    try {
      await call(alarmRoutes.acknowledge, { params: { id: String(alarm.id) }, body: note.trim() ? { note: note.trim() } : {} });
      onDone();
    } catch (e) {
      onDone(errorText(e));
    }
  };
  return (
    <form
      className="ack-form"
      aria-label={`Acknowledge the alarm of ${alarm.device_id}`}
      onSubmit={(e) => {
        e.preventDefault();
        void ack();
      }}
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setOpen(false))}
    >
      <input aria-label="Note (optional)" placeholder="Note (optional)" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
      <button type="submit" className="btn btn-small btn-primary">
        Acknowledge
      </button>
      <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

/**
 * Alarms with the filters an engineer on shift uses (device, time, open or cleared, acknowledged or
 * not); acknowledged ones are drawn muted with who acknowledged and their note, so the red rows
 * are the ones still needing someone.
 */
export function AlarmList() {
  const [state, setState] = useState<'open' | 'cleared' | ''>('open');
  const [device, setDevice] = useState('');
  const [since, setSince] = useState('');
  const [acked, setAcked] = useState<'' | 'true' | 'false'>('');
  // The "since" bound is fixed when picked, so the query key does not change every render.
  const [sinceTs, setSinceTs] = useState<number | undefined>(undefined);
  const alarms = useAlarms({
    state: state || undefined,
    device_id: device || undefined,
    acknowledged: acked || undefined,
    ts_from: sinceTs === undefined ? undefined : String(sinceTs),
  });
  const qc = useQueryClient();
  const [error, setError] = useState('');
  const columns: Column<Alarm>[] = [
    { header: 'Device', cell: (a) => a.device_id },
    { header: 'State', cell: (a) => <span className={`badge badge-${a.state === 'open' && !a.acknowledged_at ? 'alarm' : 'off'}`}>{a.state}</span> },
    { header: 'Opened', cell: (a) => fmtTime(a.opened_ts) },
    { header: 'Cleared', cell: (a) => fmtTime(a.cleared_ts) },
    { header: 'Peak score', num: true, cell: (a) => a.peak_score.toFixed(2) },
    { header: 'Reason', cell: (a) => a.reason ?? '—' },
    {
      header: 'Acknowledged',
      cell: (a) =>
        a.acknowledged_at ? (
          <span className="acked">
            <span className="badge badge-acked">✓ acknowledged</span> {a.acknowledged_by ?? ''} {fmtIso(a.acknowledged_at)}
            {a.note ? <span className="ack-note"> · “{a.note}”</span> : null}
          </span>
        ) : (
          '—'
        ),
    },
    {
      header: 'Actions',
      blankHeader: true,
      className: 'actions',
      cell: (a) => (
        <AckCell
          alarm={a}
          onDone={(e) => {
            setError(e ?? '');
            void qc.invalidateQueries({ queryKey: ['alarms'] });
          }}
        />
      ),
    },
  ];
  return (
    <>
      <div className="toolbar" role="group" aria-label="Alarm filters">
        <Field label="Show">
          {(id) => (
            <select id={id} value={state} onChange={(e) => setState(e.target.value as typeof state)}>
              <option value="open">Open alarms</option>
              <option value="cleared">Cleared alarms</option>
              <option value="">All alarms</option>
            </select>
          )}
        </Field>
        <Field label="Alarm device">{(id) => <DevicePicker id={id} value={device} onChange={setDevice} allowAll />}</Field>
        <Field label="Opened">
          {(id) => (
            <select
              id={id}
              value={since}
              onChange={(e) => {
                setSince(e.target.value);
                setSinceTs(e.target.value ? Math.floor(Date.now() / 1000) - Number(e.target.value) : undefined);
              }}
            >
              {SINCE.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Acknowledged">
          {(id) => (
            <select id={id} value={acked} onChange={(e) => setAcked(e.target.value as typeof acked)}>
              <option value="">Either</option>
              <option value="false">Not acknowledged</option>
              <option value="true">Acknowledged</option>
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={alarms.error} title="Alarms" />
      {error ? <Note kind="error">{error}</Note> : null}
      {alarms.data && alarms.data.length === 0 ? (
        <Empty>No alarms match. Alarms open when a device's readings stay anomalous for the configured delay.</Empty>
      ) : alarms.data ? (
        <DataTable
          label="Alarms"
          rows={alarms.data}
          rowKey={(a) => a.id}
          rowClass={(a) => (a.acknowledged_at ? 'row-acked' : a.state === 'open' ? 'row-alarm' : undefined)}
          columns={columns}
        />
      ) : null}
    </>
  );
}
