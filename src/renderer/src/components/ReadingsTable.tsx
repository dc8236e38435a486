import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Reading } from '../../../shared/telemetry';
import type { Units } from '../../../shared/settings';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { call, errorText } from '../api/client';
import { fmtCount, fmtNum, fmtTime, fromLocalInput } from '../lib/format';
import { useEscape } from '../lib/keys';
import { DataTable } from './DataTable';
import { UpdatedAgo } from './UpdatedAgo';
import { convertPressure, convertTemp, unitLabels } from '../lib/units';
import { ErrorNote, Note } from './ui';

const PAGE = 50;

export type TimeOrder = 'desc' | 'asc';

/**
 * Keyset-paged readings with a detail pane; admins may delete a reading. The station sorts by
 * time only (its keyset is (ts, id)), so Time is the one sortable column.
 */
export function ReadingsTable(p: {
  deviceId: string;
  from: number;
  to: number;
  live: boolean;
  units: Units;
  isAdmin: boolean;
  order: TimeOrder;
  onOrderChange: (order: TimeOrder) => void;
}) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // "Go to a time": the table starts at that moment instead of the range's end (newest first) or start.
  const [jump, setJump] = useState<number | null>(null);
  const [jumpText, setJumpText] = useState('');
  const [selected, setSelected] = useState<Reading | null>(null);
  const qc = useQueryClient();
  const labels = unitLabels(p.units);
  // A new filter or order starts again at the first page (a cursor belongs to one order).
  useEffect(() => setCursors([null]), [p.deviceId, p.from, p.to, p.order, jump]);
  // another device starts again at the range's end; a live range's bounds move every few seconds and must not undo the jump
  useEffect(() => setJump(null), [p.deviceId]);
  const newestFirst = p.order === 'desc';
  const from = jump !== null && !newestFirst ? Math.max(p.from, jump) : p.from;
  const to = jump !== null && newestFirst ? Math.min(p.to, jump) : p.to;
  const live = p.live && jump === null;
  const cursor = cursors.at(-1) ?? null;
  const onFirstPage = cursors.length === 1;
  const page = useQuery({
    // The live range's `to` moves every refresh; key the first page on the device and span so it refreshes in place.
    queryKey: ['readings', p.deviceId, live && onFirstPage ? `live:${to - from}` : `${from}-${to}`, p.order, cursor],
    queryFn: () =>
      call(telemetryRoutes.list, {
        query: { device_id: p.deviceId || undefined, ts_from: from, ts_to: to, limit: PAGE, order: p.order, cursor: cursor ?? undefined },
      }),
    refetchInterval: live && onFirstPage ? 5_000 : false,
    placeholderData: (prev) => prev,
  });
  const items = page.data?.items ?? [];
  const pages = page.data ? Math.max(1, Math.ceil(page.data.total / PAGE)) : null;
  const goTo = () => {
    const ts = fromLocalInput(jumpText);
    if (ts !== null) setJump(ts);
  };
  return (
    <div className="split">
      <div className="split-main">
        <div className="table-toolbar">
          <span className="muted" data-testid="readings-pages">
            {page.data
              ? `${fmtCount(page.data.total)} readings ${jump === null ? 'in range' : `${newestFirst ? 'up to' : 'from'} ${fmtTime(jump)}`}`
              : 'Loading…'}{' '}
            · page {fmtCount(cursors.length)}
            {pages ? ` of ${fmtCount(pages)}` : ''}
          </span>
          <button type="button" className="btn btn-small" disabled={onFirstPage} onClick={() => setCursors(cursors.slice(0, -1))}>
            {newestFirst ? 'Newer' : 'Older'}
          </button>
          <button type="button" className="btn btn-small" disabled={!page.data?.next_cursor} onClick={() => setCursors([...cursors, page.data!.next_cursor])}>
            {newestFirst ? 'Older' : 'Newer'}
          </button>
        </div>
        <form
          className="table-toolbar"
          aria-label="Go to a time"
          onSubmit={(e) => {
            e.preventDefault();
            goTo();
          }}
        >
          <label className="inline-field">
            <span>Go to</span>
            <input type="datetime-local" step="1" aria-label="Go to time" value={jumpText} onChange={(e) => setJumpText(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small" disabled={fromLocalInput(jumpText) === null}>
            Go
          </button>
          {jump !== null ? (
            <button type="button" className="btn btn-small" onClick={() => (setJump(null), setJumpText(''))}>
              Back to {newestFirst ? 'newest' : 'oldest'}
            </button>
          ) : null}
          <UpdatedAgo at={page.dataUpdatedAt} live={live && onFirstPage} />
        </form>
        <ErrorNote error={page.error} title="Readings" />
        <DataTable
          label="Readings"
          wrap="tall"
          rows={items}
          rowKey={(r) => r.id}
          onRowClick={setSelected}
          isSelected={(r) => selected?.id === r.id}
          empty={page.isSuccess ? 'No readings in this range. Pick a longer range or another device.' : undefined}
          columns={[
            {
              header: 'Time',
              sort: newestFirst ? 'descending' : 'ascending',
              head: (
                <button
                  type="button"
                  className="sort-toggle"
                  title={newestFirst ? 'Newest first: click for oldest first' : 'Oldest first: click for newest first'}
                  onClick={() => p.onOrderChange(newestFirst ? 'asc' : 'desc')}
                >
                  Time <span aria-hidden="true">{newestFirst ? '↓' : '↑'}</span>
                </button>
              ),
              cell: (r) => fmtTime(r.ts),
            },
            { header: 'Device', cell: (r) => r.device_id },
            { header: `Temperature (${labels.temperature})`, num: true, cell: (r) => fmtNum(convertTemp(r.temperature, p.units.temperature), 2) },
            { header: `Pressure (${labels.pressure})`, num: true, cell: (r) => fmtNum(convertPressure(r.pressure, p.units.pressure), 1) },
            { header: 'Status', cell: (r) => r.status ?? '—' },
            { header: 'Id', num: true, className: 'muted', cell: (r) => r.id },
          ]}
        />
      </div>
      {selected ? (
        <ReadingDetail
          reading={selected}
          units={p.units}
          isAdmin={p.isAdmin}
          onClose={() => setSelected(null)}
          onDeleted={() => {
            setSelected(null);
            void qc.invalidateQueries({ queryKey: ['readings'] });
            void qc.invalidateQueries({ queryKey: ['series'] });
          }}
        />
      ) : null}
    </div>
  );
}

function ReadingDetail(p: { reading: Reading; units: Units; isAdmin: boolean; onClose: () => void; onDeleted: () => void }) {
  const r = p.reading;
  const labels = unitLabels(p.units);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState('');
  useEscape(p.onClose);
  const remove = async () => {
    try {
      await call(telemetryRoutes.delete, { params: { id: String(r.id) } });
      p.onDeleted();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <aside className="detail" aria-label={`Reading ${r.id}`}>
      <div className="panel-head">
        <h2>Reading {r.id}</h2>
        <button type="button" className="btn btn-small" onClick={p.onClose} aria-label="Close detail">
          Close
        </button>
      </div>
      <dl className="kv">
        <dt>Device</dt>
        <dd>{r.device_id}</dd>
        <dt>Time</dt>
        <dd>{fmtTime(r.ts)}</dd>
        <dt>ISO</dt>
        <dd className="mono">{r.time}</dd>
        <dt>Unix seconds</dt>
        <dd className="mono">{r.ts}</dd>
        <dt>Temperature</dt>
        <dd>
          {fmtNum(convertTemp(r.temperature, p.units.temperature), 2)} {labels.temperature}
        </dd>
        <dt>Pressure</dt>
        <dd>
          {fmtNum(convertPressure(r.pressure, p.units.pressure), 1)} {labels.pressure}
        </dd>
        <dt>Status</dt>
        <dd>{r.status ?? '—'}</dd>
        <dt>Received</dt>
        <dd className="mono">{r.received_at}</dd>
        {r.extra
          ? Object.entries(r.extra).map(([k, v]) => (
              <div key={k} className="kv-row">
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))
          : null}
      </dl>
      {error ? <Note kind="error">{error}</Note> : null}
      {p.isAdmin ? (
        confirm ? (
          <div className="confirm">
            <span>Delete this reading for good?</span>
            <button type="button" className="btn btn-danger" onClick={() => void remove()}>
              Yes, delete
            </button>
            <button type="button" className="btn" onClick={() => setConfirm(false)}>
              Keep
            </button>
          </div>
        ) : (
          <button type="button" className="btn btn-danger-outline" onClick={() => setConfirm(true)}>
            Delete reading
          </button>
        )
      ) : null}
    </aside>
  );
}
