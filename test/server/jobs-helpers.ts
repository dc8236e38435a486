import { vi } from 'vitest';
import type { Db } from '../../src/server/db/open';
import type { TestStation } from './helpers/station';

export const BASE_MS = Date.UTC(2024, 0, 1);

/** Inserts n readings over two devices (WELL-A, WELL-B), one second apart, straight into SQLite. */
export function insertRows(db: Db, n: number, devices = ['WELL-A', 'WELL-B']): void {
  const now = Date.now();
  const add = db.prepare(`INSERT OR IGNORE INTO devices (device_id, first_seen_at, last_seen_at, reading_count) VALUES (?, ?, ?, 0)`);
  for (const d of devices) add.run(d, now, now);
  const refs = devices.map((d) => db.prepare('SELECT id FROM devices WHERE device_id = ?').pluck().get(d) as number);
  db.prepare(
    `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < @n - 1)
     INSERT INTO telemetry (device_ref, ts, temperature, pressure, status, extra, received_at)
     SELECT CASE i % 2 WHEN 0 THEN @a ELSE @b END, @base + i * 1000, 20 + (i % 100) / 10.0, 100 + i % 7,
            CASE WHEN i % 3 = 0 THEN 'ok' ELSE NULL END, CASE WHEN i % 5 = 0 THEN '{"note":"a,b \\"q\\""}' ELSE NULL END, @now
     FROM seq`,
  ).run({ n, a: refs[0], b: refs[1] ?? refs[0], base: BASE_MS, now });
}

/** Polls `fn` (vi.waitFor) until it gives something other than undefined or false. */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (v === undefined || v === false) throw new Error(`timed out waiting for ${what}`);
      return v;
    },
    { timeout: timeoutMs, interval: everyMs },
  );
}

/** Polls a task until it is finished; returns its final body. */
export async function finished(ts: TestStation, token: string, id: string, timeoutMs = 120_000): Promise<any> {
  return waitFor(
    `task ${id}`,
    async () => {
      const r = await ts.call('GET', `/api/tasks/${id}`, { token });
      return ['completed', 'failed', 'cancelled'].includes(r.body?.status) ? r.body : undefined;
    },
    timeoutMs,
    150,
  );
}

export async function download(url: string, token: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** Reads a Server-Sent Events stream to its end; returns the events as {event, data}. */
export async function readEvents(url: string, token: string): Promise<{ event: string; data: any }[]> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  if (res.status !== 200) throw new Error(`events: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event:'))
    .map((block) => {
      const lines = block.split('\n');
      return { event: lines[0]!.slice(7).trim(), data: JSON.parse(lines.find((l) => l.startsWith('data:'))!.slice(5)) };
    });
}
