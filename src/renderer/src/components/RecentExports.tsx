import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EXPORT_JOB, FINISHED_STATUSES, type Task } from '../../../shared/jobs';
import { errorText } from '../api/client';
import { downloadFile } from '../api/download';
import { deleteTask, useTaskList } from '../api/tasks';
import { fmtBytes, fmtCount, fmtIso, fmtTime } from '../lib/format';
import { ConfirmButton } from './ConfirmButton';
import { DataTable, type Column } from './DataTable';
import { Empty, ErrorNote, Note } from './ui';

const PAGE = 20;

const isRunning = (t: Task) => !FINISHED_STATUSES.includes(t.status);

/** What was exported: the filters are known once the file exists (the result's meta). */
function scope(t: Task): string {
  const f = t.result?.meta.filters;
  if (!f) return '—';
  const range = f.ts_from === null && f.ts_to === null ? 'all time' : `${fmtTime(f.ts_from)} → ${fmtTime(f.ts_to)}`;
  return `${f.device_id ?? 'all devices'}, ${range}`;
}

function took(t: Task): string {
  if (!t.started_at || !t.finished_at) return '';
  const s = (Date.parse(t.finished_at) - Date.parse(t.started_at)) / 1000;
  return s < 1 ? ' (under 1 s)' : ` (${s.toFixed(s < 10 ? 1 : 0)} s)`;
}

/** Status colours are for process state; a finished export is neutral, a failed one a warning. */
const badge = (t: Task) => (t.status === 'failed' ? 'badge-warn' : t.status === 'completed' ? 'badge-ok' : 'badge-off');

/**
 * The signed-in user's background exports (admins: everyone's), newest first, with download, cancel
 * and remove. Removing a finished file asks first; `onRemoved` lets the page forget a task it shows.
 */
export function RecentExports({ onRemoved }: { onRemoved?: (taskId: string) => void } = {}) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const list = useTaskList({ name: EXPORT_JOB, limit: PAGE, cursor });
  const qc = useQueryClient();
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const items = list.data?.items ?? [];
  const columns: Column<Task>[] = [
    { header: 'Started', cell: (t) => fmtIso(t.created_at) },
    { header: 'What', cell: scope },
    {
      header: 'Status',
      cell: (t) => (
        <>
          <span className={`badge ${badge(t)}`}>{t.status}</span>
          <span className="muted">{t.status === 'running' && t.progress.percent !== null ? ` ${t.progress.percent}%` : took(t)}</span>
          {t.error ? <div className="muted">{t.error}</div> : null}
        </>
      ),
    },
    { header: 'Rows', num: true, cell: (t) => (t.result?.meta ? fmtCount(t.result.meta.rows) : isRunning(t) ? fmtCount(t.progress.rows) : '—') },
    { header: 'Size', num: true, cell: (t) => (t.result?.meta ? fmtBytes(t.result.meta.bytes) : '—') },
    {
      header: 'Actions',
      blankHeader: true,
      className: 'actions',
      cell: (t) => {
        const started = fmtIso(t.created_at);
        return (
          <>
            {t.result?.meta ? (
              <button type="button" className="btn btn-small" aria-label={`Download the export started ${started}`} onClick={() => void download(t)}>
                Download
              </button>
            ) : null}
            {isRunning(t) ? (
              <button type="button" className="btn btn-small" aria-label={`Cancel the export started ${started}`} onClick={() => void remove(t)}>
                Cancel
              </button>
            ) : (
              <ConfirmButton label={`Remove the export started ${started}`} question="Remove the file?" yes="Yes, remove" onConfirm={() => void remove(t)}>
                Remove
              </ConfirmButton>
            )}
          </>
        );
      },
    },
  ];

  const download = async (t: Task) => {
    setNote(null);
    try {
      const r = await downloadFile(t.result!.download_url, t.result!.meta.file_name);
      setNote(r ? { kind: 'ok', text: `Saved ${r.name} (${fmtBytes(r.bytes)}).` } : null);
    } catch (err) {
      setNote({ kind: 'error', text: errorText(err) });
    }
  };
  const remove = async (t: Task) => {
    setNote(null);
    try {
      await deleteTask(t.task_id);
      if (!isRunning(t)) onRemoved?.(t.task_id);
    } catch (err) {
      setNote({ kind: 'error', text: errorText(err) });
    }
    await qc.invalidateQueries({ queryKey: ['tasks'] });
  };

  return (
    <>
      <div className="table-toolbar">
        <span className="muted">Finished files are removed after the station's retention period (24 h by default).</span>
        {cursors.length > 1 || list.data?.next_cursor ? (
          <>
            <button type="button" className="btn btn-small" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={!list.data?.next_cursor}
              onClick={() => setCursors([...cursors, list.data!.next_cursor!])}
            >
              Older
            </button>
          </>
        ) : null}
      </div>
      <ErrorNote error={list.error} title="Recent exports" />
      {note ? <Note kind={note.kind}>{note.text}</Note> : null}
      {list.isSuccess && items.length === 0 ? (
        <Empty>No background exports yet. Start one above; it shows here with its file while the station keeps it.</Empty>
      ) : items.length ? (
        <DataTable label="Recent exports" wrap="short" rows={items} rowKey={(t) => t.task_id} columns={columns} />
      ) : null}
    </>
  );
}
