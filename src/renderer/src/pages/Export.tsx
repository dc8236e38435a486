import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { FINISHED_STATUSES, type Task } from '../../../shared/jobs';
import { jobRoutes } from '../../../shared/api/jobs';
import { ApiError, buildUrl, call, errorText } from '../api/client';
import { downloadFile } from '../api/download';
import { streamEvents } from '../api/sse';
import { DevicePicker } from '../components/DevicePicker';
import { RangePicker } from '../components/RangePicker';
import { RecentExports } from '../components/RecentExports';
import { Field, Note, PageHeader, Panel, Progress } from '../components/ui';
import { fmtBytes, fmtCount } from '../lib/format';
import { resolveRange, type TimeRange } from '../lib/range';

type TaskEvent = Pick<Task, 'task_id' | 'status' | 'progress' | 'error'>;

/** Follows a background export: SSE progress, falling back to polling if the stream breaks. */
function useTask(taskId: string | null) {
  const [state, setState] = useState<{ event?: TaskEvent; task?: Task; error?: string }>({});
  useEffect(() => {
    if (!taskId) return;
    setState({});
    const ctl = new AbortController();
    const finish = async () => {
      const task = await call(jobRoutes.get, { params: { task_id: taskId } });
      setState({ event: task, task });
    };
    (async () => {
      try {
        await streamEvents(
          `/api/tasks/${taskId}/events`,
          (data, event) => {
            if (event === 'done') setState({ event: data as Task, task: data as Task });
            else if (event === 'progress') setState((s) => ({ ...s, event: data as TaskEvent }));
          },
          ctl.signal,
        );
      } catch (err) {
        if (ctl.signal.aborted) return;
        setState((s) => ({ ...s, error: `live progress lost (${errorText(err)}); checking every 2 s` }));
        for (;;) {
          if (ctl.signal.aborted) return;
          const task = await call(jobRoutes.get, { params: { task_id: taskId } }).catch(() => null);
          if (task && FINISHED_STATUSES.includes(task.status)) return setState({ event: task, task });
          if (task) setState((s) => ({ ...s, event: task }));
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
      if (!ctl.signal.aborted) await finish().catch(() => undefined);
    })();
    return () => ctl.abort();
  }, [taskId]);
  return state;
}

export function Export() {
  const [device, setDevice] = useState('');
  const [range, setRange] = useState<TimeRange>({ kind: 'last', seconds: 86400 });
  const [direct, setDirect] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [taskId, setTaskId] = useState<string | null>(null);
  const [startError, setStartError] = useState('');
  const task = useTask(taskId);
  const downloaded = useRef<string | null>(null);
  const filters = () => {
    const { from, to } = resolveRange(range);
    return { device_id: device || undefined, ts_from: from, ts_to: to };
  };

  const downloadDirect = async () => {
    setBusy(true);
    setDirect(null);
    try {
      const r = await downloadFile(buildUrl('/api/telemetry/export', filters()), `telemetry${device ? `-${device}` : ''}.csv`);
      setDirect(r ? { kind: 'ok', text: `Saved ${r.name} (${fmtBytes(r.bytes)}).` } : { kind: 'ok', text: 'Cancelled.' });
    } catch (err) {
      setDirect({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const startBackground = async () => {
    setStartError('');
    downloaded.current = null;
    try {
      const r = await call(jobRoutes.exportAsync, { query: filters() });
      setTaskId(r.task_id);
    } catch (err) {
      setStartError(errorText(err));
    }
  };
  /** The file may be gone meanwhile (removed, or past retention): say so instead of failing silently. */
  const downloadBackground = async (url: string, name: string) => {
    setStartError('');
    try {
      await downloadFile(url, name);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 410)) setTaskId(null);
      setStartError(err instanceof ApiError && err.status === 404 ? 'That export was removed; start a new one.' : errorText(err));
    }
  };
  const cancel = async () => {
    if (taskId) await call(jobRoutes.delete, { params: { task_id: taskId } }).catch((err) => setStartError(errorText(err)));
  };

  const ev = task.event;
  const done = task.task;
  const meta = done?.result?.meta;
  const finished = ev && FINISHED_STATUSES.includes(ev.status);
  // The recent exports list shows the new task at once and its outcome as soon as it is known.
  const qc = useQueryClient();
  useEffect(() => {
    if (taskId) void qc.invalidateQueries({ queryKey: ['tasks'] });
  }, [qc, taskId, finished]);

  return (
    <>
      <PageHeader title="Export" />
      <Panel title="What to export">
        <div className="toolbar">
          <Field label="Device">{(id) => <DevicePicker id={id} value={device} onChange={setDevice} allowAll />}</Field>
          <RangePicker value={range} onChange={setRange} />
        </div>
      </Panel>
      <div className="cols">
        <Panel title="Download now">
          <p className="muted">Streams the CSV straight away. Good for a day or a week of one device.</p>
          <button type="button" className="btn btn-primary" onClick={() => void downloadDirect()} disabled={busy}>
            {busy ? 'Downloading…' : 'Download CSV'}
          </button>
          {direct ? <Note kind={direct.kind}>{direct.text}</Note> : null}
        </Panel>
        <Panel title="Background export">
          <p className="muted">For long ranges: the station writes the file in the background; you can keep working and download it when it is done.</p>
          <div className="row">
            <button type="button" className="btn" onClick={() => void startBackground()} disabled={Boolean(taskId && !finished)}>
              Start background export
            </button>
            {taskId && !finished ? (
              <button type="button" className="btn" onClick={() => void cancel()}>
                Cancel export
              </button>
            ) : null}
          </div>
          {startError ? <Note kind="error">{startError}</Note> : null}
          {task.error ? <Note kind="warn">{task.error}</Note> : null}
          {taskId ? (
            <div className="stack" aria-live="polite">
              <Progress
                value={ev?.status === 'completed' ? 100 : (ev?.progress.percent ?? 0)}
                max={ev?.progress.percent == null && ev?.status !== 'completed' ? null : 100}
                label={`${ev?.status ?? 'queued'} · ${fmtCount(ev?.progress.rows ?? 0)} rows`}
              />
              {ev?.status === 'completed' && meta ? (
                <Note kind="ok">
                  <span data-testid="export-done">
                    Export ready: {fmtCount(meta.rows)} rows, {fmtBytes(meta.bytes)}.
                  </span>{' '}
                  <button
                    type="button"
                    className="btn btn-primary btn-small"
                    onClick={() => void downloadBackground(done.result!.download_url, meta.file_name)}
                  >
                    Download {meta.file_name}
                  </button>
                </Note>
              ) : null}
              {ev?.status === 'failed' ? <Note kind="error">The export failed: {ev.error}</Note> : null}
              {ev?.status === 'cancelled' ? <Note kind="warn">The export was cancelled.</Note> : null}
            </div>
          ) : null}
        </Panel>
      </div>
      <Panel title="Recent exports">
        <RecentExports onRemoved={(id) => id === taskId && setTaskId(null)} />
      </Panel>
    </>
  );
}
