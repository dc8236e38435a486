import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertRows, finished } from './jobs-helpers';
import { rawRequest } from './helpers/raw-http';
import { ENGINEER, TestStation } from './helpers/station';

/** One user, or one request, must not be able to take the station down. */
let s: TestStation;
let admin: string;
let engineer: string;
let adminKey: string;

beforeAll(async () => {
  s = await TestStation.start({ BATCH_BODY_LIMIT: '2mb' });
  admin = await s.token();
  engineer = await s.userToken(ENGINEER);
  adminKey = await s.key('admin');
  // enough rows that a CSV export does not fit in the socket buffers of a client that stops reading
  insertRows(s.db, 300_000);
});
afterAll(() => s.stop());

describe('bodies that grow past the limit while streaming', () => {
  it('when a chunked gzip NDJSON body with no Content-Length inflates past the limit, then the client gets a 413 problem and nothing is stored', async () => {
    const before = s.count();
    const bomb = gzipSync(Buffer.from(`${'{"device_id":"bomb","ts":1700000000,"temperature":1}\n'.repeat(80_000)}`));
    const res = await rawRequest(s.url, {
      method: 'POST',
      path: '/api/telemetry/batch',
      headers: { authorization: `Bearer ${admin}`, 'x-api-key': adminKey, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      chunks: [bomb.subarray(0, 1000), bomb.subarray(1000)],
    });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/larger than the limit/);
    expect(s.count()).toBe(before);
  });

  it('when a chunked gzip line-protocol body inflates past the limit, then the client gets a 413 problem and nothing is stored', async () => {
    const before = s.count();
    const bomb = gzipSync(Buffer.from('m,device_id=bomb temperature=1 1700000000\n'.repeat(80_000)));
    const res = await rawRequest(s.url, {
      method: 'POST',
      path: '/api/v2/write?precision=s',
      headers: { authorization: `Token ${adminKey}`, 'content-encoding': 'gzip' },
      chunks: [bomb.subarray(0, 500), bomb.subarray(500)],
    });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/larger than the limit/);
    expect(s.count()).toBe(before);
  });

  it('when one NDJSON line is over the line limit, then that line is rejected by index and the others are stored', async () => {
    const huge = JSON.stringify({ device_id: 'long-line', ts: 1700000000, extra: { s: 'x'.repeat(1_100_000) } });
    const body = gzipSync(`${JSON.stringify({ device_id: 'long-line', ts: 1700000001, temperature: 1 })}\n${huge}\n`);
    const res = await s.call('POST', '/api/telemetry/batch', {
      token: admin,
      key: adminKey,
      raw: body,
      type: 'application/x-ndjson',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ stored: 1, rejected: [{ index: 1, errors: [{ message: expect.stringMatching(/longer than/) }] }] });
  });
});

/** A download the client has stopped reading: the station keeps its export open until it is closed. */
function stalledDownload(token: string, station = s): Promise<{ status: number; close: () => void }> {
  return new Promise((resolve, reject) => {
    const u = new URL(station.url);
    const req = request({ host: u.hostname, port: u.port, path: '/api/telemetry/export', headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.pause();
      resolve({ status: res.statusCode!, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('direct exports are bounded', () => {
  it('when a caller holds two stalled downloads, then a third is 429 with Retry-After, another user still exports, and a closed one frees its slot', async () => {
    const first = await stalledDownload(engineer);
    const second = await stalledDownload(engineer);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await s.call('GET', '/api/telemetry/export?device_id=WELL-A', { token: engineer });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(third.body.detail).toMatch(/already have 2 exports/);
    // a page-sized export is read like the list and holds no slot
    expect((await s.call('GET', '/api/telemetry/export?limit=10', { token: engineer })).status).toBe(200);
    const other = await stalledDownload(admin);
    expect(other.status).toBe(200);
    other.close();
    first.close();
    await vi.waitFor(async () => expect((await s.call('GET', '/api/telemetry/export?ts_to=1704067300', { token: engineer })).status).toBe(200), {
      timeout: 15_000,
      interval: 100,
    });
    second.close();
  });

  it('when the whole station is streaming its limit, then any caller is told to retry', async () => {
    const small = await TestStation.start({ DB_POOL_SIZE: '1', DB_MAX_OVERFLOW: '1', EXPORT_CONCURRENCY_PER_CALLER: '2' });
    try {
      insertRows(small.db, 300_000);
      const a = await small.token();
      const open = [await stalledDownload(a, small), await stalledDownload(a, small)];
      const b = await small.userToken(ENGINEER);
      const refused = await small.call('GET', '/api/telemetry/export', { token: b });
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/station is already streaming 2 exports/);
      for (const o of open) o.close();
    } finally {
      await small.stop();
    }
  });
});

describe('background tasks are capped per caller and scheduled in turns', () => {
  it('when one user queues more tasks than allowed, then the next is 429 and nothing is recorded, while another user is served before most of the backlog', async () => {
    const ids: string[] = [];
    // 60,000 rows each: long enough to queue up behind each other, short enough for a loaded machine
    for (let i = 0; i < 5; i++) {
      const res = await s.call('POST', '/api/telemetry/export/async', { token: engineer, body: { ts_to: 1704067200 + 60_000 } });
      expect(res.status).toBe(202);
      ids.push(res.body.task_id);
    }
    const tasksBefore = s.count('SELECT COUNT(*) FROM jobs');
    const sixth = await s.call('POST', '/api/telemetry/export/async', { token: engineer });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('10');
    expect(sixth.body.detail).toMatch(/5 background tasks/);
    expect(s.count('SELECT COUNT(*) FROM jobs')).toBe(tasksBefore);

    const mine = await s.call('POST', '/api/telemetry/export/async', { token: admin, body: { device_id: 'WELL-A', ts_to: 1704067300 } });
    expect(mine.status).toBe(202);
    const adminTask = await finished(s, admin, mine.body.task_id);
    const engineerTasks = await Promise.all(ids.map((id) => finished(s, engineer, id)));
    expect(adminTask.status).toBe('completed');
    // in turns: the admin's one task ran before the engineer's third, not after all five
    const started = (t: { started_at: string }) => Date.parse(t.started_at);
    expect(started(adminTask)).toBeLessThan(started(engineerTasks[2]));
    // once they are finished, the engineer may queue again
    expect((await s.call('POST', '/api/telemetry/export/async', { token: engineer, body: { ts_to: 1704067300 } })).status).toBe(202);
  }, 180_000);
});

describe('device-scope globs', () => {
  it('when a key scope holds a backtracking-prone glob, then matching a long id answers at once, right', async () => {
    const key = await s.key('device', ['*a*a*a*a*a*a*a*c']);
    const id = 'a'.repeat(63);
    const refused = await s.call('POST', '/api/telemetry', { key, body: { device_id: id, ts: 1700000000, temperature: 1 } });
    expect(refused.status).toBe(403);
    const allowed = await s.call('POST', '/api/telemetry', { key, body: { device_id: `${'a'.repeat(20)}c`, ts: 1700000000, temperature: 1 } });
    expect(allowed.status).toBe(201);
  });
});
