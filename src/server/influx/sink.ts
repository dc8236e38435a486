import { HttpError, InfluxDB, Point, setLogger, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from '../logger';
import type { ReadingRow } from '../telemetry/repository';
import type { InfluxTarget } from './config';

/** Where forwarded readings go. `write` resolves once the target acknowledged every point. */
export interface Sink {
  write(rows: readonly ReadingRow[]): Promise<void>;
  close(): Promise<void>;
}

/** A write the target answered with an HTTP status (e.g. 400 bad data, 413 too large, 503). */
export class SinkHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const MEASUREMENT = 'telemetry';
const COLUMNS = new Set(['device_id', 'temperature', 'pressure', 'status', 'time']);

/**
 * A stored reading as an InfluxDB point: measurement `telemetry`, tag `device_id`, fields
 * temperature, pressure, status (one field each) and the extra fields. Numbers are always
 * floats, so a field never changes type between points (InfluxDB would refuse the write).
 */
function toPoint(row: ReadingRow): Point {
  const p = new Point(MEASUREMENT).tag('device_id', row.device_id).timestamp(String(row.ts));
  if (row.temperature !== null) p.floatField('temperature', row.temperature);
  if (row.pressure !== null) p.floatField('pressure', row.pressure);
  if (row.status !== null) p.stringField('status', row.status);
  if (row.extra) {
    const extra = JSON.parse(row.extra) as Record<string, number | string | boolean>;
    for (const [k, v] of Object.entries(extra)) {
      if (COLUMNS.has(k)) continue;
      if (typeof v === 'number') p.floatField(k, v);
      else if (typeof v === 'boolean') p.booleanField(k, v);
      else p.stringField(k, v);
    }
  }
  return p;
}

/** InfluxDB 2.x (and anything speaking /api/v2/write) through the official client's WriteApi. */
class V2Sink implements Sink {
  private readonly api: WriteApi;

  constructor(target: InfluxTarget, maxBatch: number, timeoutMs: number) {
    this.api = new InfluxDB({ url: target.url, token: target.token, timeout: timeoutMs }).getWriteApi(target.org!, target.bucket!, 'ms', {
      // The forwarder owns batching, retries and the position: the client sends exactly what it is
      // given on flush() and reports failure instead of buffering and retrying on its own.
      batchSize: maxBatch + 1,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: maxBatch + 1,
      gzipThreshold: 64 * 1024,
      writeFailed: (error: Error) => Promise.reject(error),
    });
  }

  async write(rows: readonly ReadingRow[]): Promise<void> {
    this.api.writePoints(rows.map(toPoint));
    try {
      await this.api.flush();
    } catch (err) {
      if (err instanceof HttpError) throw new SinkHttpError(err.statusCode, `InfluxDB answered ${err.statusCode}: ${err.body || err.message}`.slice(0, 500));
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.api.close().catch(() => undefined);
  }
}

/** InfluxDB 1.x: POST /write?db=&precision=ms with the same lines. */
class V1Sink implements Sink {
  private readonly url: string;

  constructor(
    private readonly target: InfluxTarget,
    private readonly timeoutMs: number,
  ) {
    this.url = `${target.url}/write?${new URLSearchParams({ db: target.db, precision: 'ms' })}`;
  }

  async write(rows: readonly ReadingRow[]): Promise<void> {
    const body = rows.map((r) => toPoint(r).toLineProtocol()).join('\n');
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.target.token) headers.authorization = `Token ${this.target.token}`;
    const res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    if (res.status === 204 || res.status === 200) return void (await res.body?.cancel());
    const text = (await res.text().catch(() => '')).slice(0, 400);
    throw new SinkHttpError(res.status, `InfluxDB answered ${res.status}: ${text}`);
  }

  async close(): Promise<void> {}
}

let loggerRouted = false;

export function createSink(target: InfluxTarget, maxBatch: number, timeoutMs: number, logger: Logger): Sink {
  if (!loggerRouted) {
    // The client logs to the console by default; its messages belong in the station log.
    setLogger({ error: (msg, err) => logger.debug({ err }, `influxdb-client: ${msg}`), warn: (msg, err) => logger.debug({ err }, `influxdb-client: ${msg}`) });
    loggerRouted = true;
  }
  return target.version === '1' ? new V1Sink(target, timeoutMs) : new V2Sink(target, maxBatch, timeoutMs);
}
