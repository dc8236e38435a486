import type { InfluxTarget } from './config';
import { literal } from './query';
import { MEASUREMENT, SinkHttpError } from './sink';
import type { Tombstone } from './tombstones';

/** A point to delete: the device tag and the time (ms) it was written with. */
export type DeletedPoint = Pick<Tombstone, 'device_id' | 'ts'>;

/** Where the mirror's deletes go. `delete` resolves once the target confirmed every one. */
export interface DeleteSink {
  /** how many points one call takes */
  readonly perCall: number;
  delete(points: readonly DeletedPoint[]): Promise<void>;
}

/**
 * InfluxDB 1.x: InfluxQL DELETE of one series at one instant. `time = <ns>` matches exactly that
 * timestamp (seen on influxd 1.6: a point 1 ms earlier, one a second later and another device at
 * the same instant stay).
 */
function deleteStatement(p: DeletedPoint): string {
  return `DELETE FROM "${MEASUREMENT}" WHERE "device_id" = ${literal(p.device_id)} AND time = ${BigInt(p.ts) * 1_000_000n}`;
}

/** A double-quoted string of the 2.x delete predicate syntax. */
const predicateString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * InfluxDB 2.x body for POST /api/v2/delete. Its storage engine deletes the closed range
 * [start, stop] (both ends inclusive, as TSM tombstones are), so start = stop = the point's time
 * deletes that instant only. Points are written with ms precision, so the ms time is exact.
 */
export function deleteRequestBody(p: DeletedPoint): { start: string; stop: string; predicate: string } {
  const time = new Date(p.ts).toISOString();
  return { start: time, stop: time, predicate: `_measurement=${predicateString(MEASUREMENT)} AND device_id=${predicateString(p.device_id)}` };
}

async function refused(res: Response): Promise<SinkHttpError> {
  const text = (await res.text().catch(() => '')).slice(0, 400);
  return new SinkHttpError(res.status, `InfluxDB answered ${res.status} to a delete: ${text}`);
}

function headers(target: InfluxTarget, contentType: string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': contentType, accept: 'application/json' };
  if (target.token) h.authorization = `Token ${target.token}`;
  return h;
}

/** 1.x: the statements of a batch in one POST /query. */
class V1DeleteSink implements DeleteSink {
  readonly perCall = 200;

  constructor(
    private readonly target: InfluxTarget,
    private readonly timeoutMs: number,
  ) {}

  async delete(points: readonly DeletedPoint[]): Promise<void> {
    const body = new URLSearchParams({ db: this.target.db, q: points.map(deleteStatement).join(';\n') });
    const res = await fetch(`${this.target.url}/query`, {
      method: 'POST',
      headers: headers(this.target, 'application/x-www-form-urlencoded'),
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw await refused(res);
    const answer = (await res.json()) as { error?: string; results?: { error?: string }[] };
    const error = answer.error ?? answer.results?.find((r) => r.error)?.error;
    // Statement errors come with 200 (e.g. "database not found"): the target is not ready, so the
    // forwarder retries later; a DELETE already applied in the batch deletes nothing the second time.
    if (error) throw new Error(`InfluxDB refused a delete: ${error}`.slice(0, 500));
  }
}

/** 2.x: POST /api/v2/delete takes one time range and predicate per request. */
class V2DeleteSink implements DeleteSink {
  readonly perCall = 1;
  private readonly url: string;

  constructor(
    private readonly target: InfluxTarget,
    private readonly timeoutMs: number,
  ) {
    this.url = `${target.url}/api/v2/delete?${new URLSearchParams({ org: target.org!, bucket: target.bucket! })}`;
  }

  async delete(points: readonly DeletedPoint[]): Promise<void> {
    for (const p of points) {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: headers(this.target, 'application/json; charset=utf-8'),
        body: JSON.stringify(deleteRequestBody(p)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (res.status !== 204 && res.status !== 200) throw await refused(res);
      await res.body?.cancel();
    }
  }
}

export function createDeleteSink(target: InfluxTarget, timeoutMs: number): DeleteSink {
  return target.version === '1' ? new V1DeleteSink(target, timeoutMs) : new V2DeleteSink(target, timeoutMs);
}
