import { useEffect, useRef, useState } from 'react';
import { BAUD_RATES, type ScanResult } from '../../../../shared/field-modbus';
import { ApiError } from '../../api/client';
import { streamEvents } from '../../api/sse';
import { deleteTask } from '../../api/tasks';
import { ErrorNote, Field, Panel, Progress } from '../ui';
import { scanResult, startScan, useSerialPorts } from './api';

interface Running {
  taskId: string;
  percent: number;
  status: string;
}

/**
 * Finds unit ids on a serial line or behind a TCP gateway: a background task on the station, its
 * progress streamed over SSE; cancelling stops it at the next probe.
 */
export function BusScan() {
  const [kind, setKind] = useState<'tcp' | 'rtu'>('rtu');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('502');
  const [path, setPath] = useState('');
  const [baud, setBaud] = useState(9600);
  const [sweep, setSweep] = useState(false);
  const [from, setFrom] = useState('1');
  const [to, setTo] = useState('247');
  const [timeout, setTimeoutMs] = useState('200');
  const [running, setRunning] = useState<Running | null>(null);
  const [result, setResult] = useState<ScanResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const ports = useSerialPorts(kind === 'rtu');
  useEffect(() => () => abort.current?.abort(), []);
  const fieldError = (p: string) => (error instanceof ApiError ? error.errors.find((e) => e.path.startsWith(p))?.message : undefined);

  const run = async () => {
    setError(null);
    setResult(null);
    const transport =
      kind === 'tcp' ? { kind, host, port: Number(port) } : { kind, path, baud, parity: 'none' as const, data_bits: 8 as const, stop_bits: 1 as const };
    try {
      const started = await startScan({
        transport,
        unit_from: Number(from),
        unit_to: Number(to),
        timeout_ms: Number(timeout),
        ...(kind === 'rtu' && sweep ? { bauds: [...BAUD_RATES].filter((b) => b >= 4800) } : {}),
      });
      setRunning({ taskId: started.task_id, percent: 0, status: 'queued' });
      abort.current = new AbortController();
      let final = 'running';
      await streamEvents(
        started.events_url,
        (data, event) => {
          const d = data as { status: string; progress?: { percent: number | null }; error?: string | null };
          final = d.status;
          setRunning({ taskId: started.task_id, percent: d.progress?.percent ?? 0, status: d.status });
          if (event === 'done' && d.status === 'failed') setError(new Error(d.error ?? 'the scan failed'));
        },
        abort.current.signal,
      );
      if (final === 'completed') setResult(await scanResult(started.task_id));
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err);
    } finally {
      setRunning(null);
    }
  };

  return (
    <Panel title="Scan a bus for unit ids">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <div className="form-grid">
          <Field label="Connection">
            {(id) => (
              <select id={id} value={kind} onChange={(e) => setKind(e.target.value as 'tcp' | 'rtu')}>
                <option value="rtu">Serial (RTU)</option>
                <option value="tcp">TCP gateway</option>
              </select>
            )}
          </Field>
          {kind === 'tcp' ? (
            <>
              <Field label="Host" error={fieldError('transport.host')}>
                {(id) => <input id={id} value={host} onChange={(e) => setHost(e.target.value)} />}
              </Field>
              <Field label="Port" error={fieldError('transport.port')}>
                {(id) => <input id={id} type="number" value={port} onChange={(e) => setPort(e.target.value)} />}
              </Field>
            </>
          ) : (
            <>
              <Field label="Serial port" error={fieldError('transport.path')}>
                {(id) => (
                  <>
                    <input id={id} list={`${id}-ports`} value={path} onChange={(e) => setPath(e.target.value)} />
                    <datalist id={`${id}-ports`}>
                      {(ports.data ?? []).map((p) => (
                        <option key={p.path} value={p.path} />
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
              <Field label="Baud (8N1)">
                {(id) => (
                  <select id={id} value={baud} disabled={sweep} onChange={(e) => setBaud(Number(e.target.value))}>
                    {BAUD_RATES.map((b) => (
                      <option key={b}>{b}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Baud sweep">
                {(id) => (
                  <label className="inline-label">
                    <input id={id} type="checkbox" checked={sweep} onChange={(e) => setSweep(e.target.checked)} /> try 4800-115200
                  </label>
                )}
              </Field>
            </>
          )}
          <Field label="Units from" error={fieldError('unit_from')}>
            {(id) => <input id={id} type="number" value={from} onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label="to" error={fieldError('unit_to')}>
            {(id) => <input id={id} type="number" value={to} onChange={(e) => setTo(e.target.value)} />}
          </Field>
          <Field label="Timeout per unit (ms)" error={fieldError('timeout_ms')}>
            {(id) => <input id={id} type="number" value={timeout} onChange={(e) => setTimeoutMs(e.target.value)} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!!running}>
            Scan
          </button>
          {running ? (
            <button type="button" className="btn" onClick={() => void deleteTask(running.taskId)}>
              Cancel scan
            </button>
          ) : null}
        </div>
        {running ? <Progress value={running.percent} max={100} label={`${running.status} · ${Math.round(running.percent)}%`} /> : null}
        <ErrorNote error={error} title="Scan" />
        {result ? (
          <p role="status">
            Probed {result.probed} on {result.endpoint}:{' '}
            {result.found.length
              ? result.found.map((f) => `unit ${f.unit_id}${f.baud ? ` at ${f.baud}` : ''} (${f.answer})`).join(', ')
              : 'no unit answered. Check wiring (A/B swapped?), baud and parity, and termination.'}
          </p>
        ) : null}
      </form>
    </Panel>
  );
}
