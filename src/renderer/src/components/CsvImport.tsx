import { useQueryClient } from '@tanstack/react-query';
import { parse } from 'csv-parse/browser/esm/sync';
import { useRef, useState } from 'react';
import type { BatchResult } from '../../../shared/telemetry';
import type { RouteRequest } from '../../../shared/api/route';
import { telemetryRoutes } from '../../../shared/api/telemetry';
import { ApiError, call, errorText } from '../api/client';
import { useIsAdmin } from '../api/queries';
import { fmtCount } from '../lib/format';
import {
  detectDelimiter,
  guessMapping,
  guessUnits,
  type ImportUnits,
  type Mapping,
  PRESSURE_UNITS,
  rowToReading,
  TARGETS,
  TEMPERATURE_UNITS,
  type TimeFormat,
} from '../lib/csv-mapping';
import { ingestOptions } from './IngestKey';
import { Field, Note, Progress } from './ui';

const CHUNK = 500;
const MAX_FILE = 200 * 1024 * 1024;

interface Parsed {
  name: string;
  columns: string[];
  rows: Record<string, string>[];
}
interface Rejected {
  line: number;
  errors: string;
}
interface Report {
  sent: number;
  inserted: number;
  replaced: number;
  duplicates: number;
  rejected: Rejected[];
  cancelled: boolean;
  failure?: string;
}

const emptyReport = (): Report => ({ sent: 0, inserted: 0, replaced: 0, duplicates: 0, rejected: [], cancelled: false });

/** This computer's offset now, for the zone choice's label ("UTC+03:00"). */
const localZoneLabel = (): string => {
  const min = -new Date().getTimezoneOffset();
  const sign = min < 0 ? '-' : '+';
  const abs = Math.abs(min);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};
const ZONES = ['Z', '-08:00', '-06:00', '-05:00', '-03:00', '+01:00', '+02:00', '+03:00', '+04:00', '+05:00', '+05:30', '+07:00', '+08:00', '+09:00', '+10:00'];

/** Logger files: pick, map columns, send in batches of 500 with progress, then a report of rejected rows. */
export function CsvImport() {
  const isAdmin = useIsAdmin();
  const qc = useQueryClient();
  const [file, setFile] = useState<Parsed | null>(null);
  const [parseError, setParseError] = useState('');
  const [mapping, setMapping] = useState<Mapping>(guessMapping([]));
  const [fixedDevice, setFixedDevice] = useState('');
  const [units, setUnits] = useState<ImportUnits>({ temperature: 'C', pressure: 'kPa' });
  const [time, setTime] = useState<TimeFormat>({ zone: 'local', dayFirst: false });
  const convert = (row: Record<string, string>) => rowToReading(row, mapping, fixedDevice, units, time);
  const [report, setReport] = useState<Report | null>(null);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const load = async (f: File | undefined) => {
    setReport(null);
    setParseError('');
    setFile(null);
    if (!f) return;
    if (f.size > MAX_FILE) return setParseError(`The file is ${Math.round(f.size / 1e6)} MB; split it below 200 MB.`);
    try {
      const text = await f.text();
      // logger exports from European locales use ; (and some use tabs)
      const delimiter = detectDelimiter(text.replace(/^\uFEFF/, ''));
      const rows = parse(text, { columns: true, delimiter, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Record<
        string,
        string
      >[];
      const columns = rows.length ? Object.keys(rows[0]!) : [];
      if (!columns.length) return setParseError('The file has no header row or no data rows.');
      setFile({ name: f.name, columns, rows });
      const guessed = guessMapping(columns);
      setMapping(guessed);
      setUnits(guessUnits(guessed));
    } catch (err) {
      setParseError(`Cannot read ${f.name} as CSV: ${errorText(err)}`);
    }
  };

  const missing = !file
    ? []
    : [
        !mapping.ts && 'a time column',
        !mapping.device_id && !fixedDevice.trim() && 'a device column or a fixed device id',
        !mapping.temperature && !mapping.pressure && 'a temperature or pressure column',
      ].filter(Boolean);

  const run = async () => {
    if (!file) return;
    const ctl = new AbortController();
    abort.current = ctl;
    setRunning(true);
    const r = emptyReport();
    setReport({ ...r });
    try {
      for (let start = 0; start < file.rows.length; start += CHUNK) {
        if (ctl.signal.aborted) {
          r.cancelled = true;
          break;
        }
        // rows found implausible here are reported with their line and not sent; `lines` maps what is sent back to the file
        const chunk: Record<string, unknown>[] = [];
        const lines: number[] = [];
        file.rows.slice(start, start + CHUNK).forEach((row, i) => {
          const { reading, problems } = convert(row);
          if (problems.length) r.rejected.push({ line: start + i + 2, errors: problems.join('; ') });
          else {
            chunk.push(reading);
            lines.push(start + i + 2);
          }
        });
        if (!chunk.length) {
          r.sent += Math.min(CHUNK, file.rows.length - start);
          setReport({ ...r, rejected: [...r.rejected] });
          continue;
        }
        let res: BatchResult;
        try {
          // candidates the station judges one by one: the rejected ones come back in the 207 answer
          const body = chunk as RouteRequest<typeof telemetryRoutes.batch>['body'];
          res = await call(telemetryRoutes.batch, { body }, { signal: ctl.signal, ...ingestOptions(isAdmin) });
        } catch (err) {
          // A chunk where every row is invalid answers 422 with the same per-row report.
          const body = err instanceof ApiError ? (err.body as { rejected?: BatchResult['rejected'] }) : undefined;
          if (!(err instanceof ApiError && err.status === 422 && body?.rejected)) throw err;
          res = { received: chunk.length, stored: 0, inserted: 0, replaced: 0, duplicates: [], rejected: body.rejected };
        }
        r.sent += Math.min(CHUNK, file.rows.length - start);
        r.inserted += res.inserted;
        r.replaced += res.replaced;
        r.duplicates += res.duplicates.length;
        for (const x of res.rejected) r.rejected.push({ line: lines[x.index]!, errors: x.errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
        r.rejected.sort((a, b) => a.line - b.line);
        setReport({ ...r, rejected: [...r.rejected] });
      }
    } catch (err) {
      if ((err as Error).name === 'AbortError') r.cancelled = true;
      else r.failure = errorText(err);
    } finally {
      setReport({ ...r, rejected: [...r.rejected] });
      setRunning(false);
      abort.current = null;
      void qc.invalidateQueries();
    }
  };

  return (
    <div className="stack">
      <Field label="CSV file" hint="A header row (comma, semicolon or tab separated), then one reading per row.">
        {(id) => <input id={id} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void load(e.target.files?.[0])} disabled={running} />}
      </Field>
      {parseError ? <Note kind="error">{parseError}</Note> : null}
      {file ? (
        <>
          <p className="muted">
            {file.name}: {fmtCount(file.rows.length)} rows, columns {file.columns.join(', ')}
          </p>
          <fieldset className="mapping">
            <legend>Map columns</legend>
            <div className="form-grid">
              {TARGETS.map((t) => (
                <Field key={t} label={`Column for ${t}`}>
                  {(id) => (
                    <select id={id} value={mapping[t]} onChange={(e) => setMapping({ ...mapping, [t]: e.target.value })} disabled={running}>
                      <option value="">(none)</option>
                      {file.columns.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ))}
              <Field label="Temperature unit in the file">
                {(id) => (
                  <select
                    id={id}
                    value={units.temperature}
                    onChange={(e) => setUnits({ ...units, temperature: e.target.value as ImportUnits['temperature'] })}
                    disabled={running}
                  >
                    {Object.entries(TEMPERATURE_UNITS).map(([u, label]) => (
                      <option key={u} value={u}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Pressure unit in the file" hint="absolute pressure; stored as kPa">
                {(id) => (
                  <select
                    id={id}
                    value={units.pressure}
                    onChange={(e) => setUnits({ ...units, pressure: e.target.value as ImportUnits['pressure'] })}
                    disabled={running}
                  >
                    {Object.entries(PRESSURE_UNITS).map(([u, label]) => (
                      <option key={u} value={u}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Time zone of times without one">
                {(id) => (
                  <select id={id} value={time.zone} onChange={(e) => setTime({ ...time, zone: e.target.value })} disabled={running}>
                    <option value="local">This computer ({localZoneLabel()})</option>
                    {ZONES.map((z) => (
                      <option key={z} value={z}>
                        {z === 'Z' ? 'UTC' : `UTC${z}`}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <label className="checkbox">
                <input type="checkbox" checked={time.dayFirst} onChange={(e) => setTime({ ...time, dayFirst: e.target.checked })} disabled={running} /> Dates
                are day first (31/12/2026)
              </label>
              {!mapping.device_id ? (
                <Field label="Fixed device id">
                  {(id) => <input id={id} value={fixedDevice} onChange={(e) => setFixedDevice(e.target.value)} disabled={running} />}
                </Field>
              ) : null}
            </div>
            <table className="data preview" aria-label="Preview of the first rows">
              <thead>
                <tr>
                  {TARGETS.map((t) => (
                    <th key={t}>{t}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {file.rows.slice(0, 3).map((row, i) => {
                  const r = convert(row).reading;
                  return (
                    <tr key={i}>
                      {TARGETS.map((t) => (
                        <td key={t}>{r[t] === undefined ? '—' : String(r[t])}</td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </fieldset>
          {missing.length ? <Note kind="warn">Still needed: {missing.join(', ')}.</Note> : null}
          <div className="row">
            <button type="button" className="btn btn-primary" disabled={running || missing.length > 0} onClick={() => void run()}>
              Import {fmtCount(file.rows.length)} rows
            </button>
            {running ? (
              <button type="button" className="btn" onClick={() => abort.current?.abort()}>
                Cancel
              </button>
            ) : null}
          </div>
        </>
      ) : null}
      {report && file ? (
        <div className="stack" aria-live="polite">
          <Progress value={report.sent} max={file.rows.length} label={`${fmtCount(report.sent)} of ${fmtCount(file.rows.length)} rows sent`} />
          {!running ? (
            <Note kind={report.failure ? 'error' : report.rejected.length || report.cancelled ? 'warn' : 'ok'}>
              <span data-testid="import-summary">
                {report.cancelled ? 'Cancelled. ' : ''}
                {fmtCount(report.inserted + report.replaced)} rows imported ({fmtCount(report.inserted)} new, {fmtCount(report.replaced)} replaced),{' '}
                {fmtCount(report.duplicates)} already stored, {fmtCount(report.rejected.length)} rejected
                {report.rejected.length ? ' — see the report below' : ''}.{report.failure ? ` Stopped: ${report.failure}` : ''}
              </span>
            </Note>
          ) : null}
          {report.rejected.length ? (
            <div className="table-wrap short">
              <table className="data" aria-label="Rejected rows">
                <thead>
                  <tr>
                    <th className="num">Line</th>
                    <th>Why</th>
                  </tr>
                </thead>
                <tbody>
                  {report.rejected.slice(0, 1000).map((x) => (
                    <tr key={x.line}>
                      <td className="num">{x.line}</td>
                      <td>{x.errors}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
