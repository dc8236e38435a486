import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

/**
 * POST /api/telemetry answers from the input and the new id instead of reading the row back; the
 * answer must still be exactly what GET /api/telemetry/{id} returns for the stored row.
 */
let s: TestStation;
let key: string;
let token: string;

beforeAll(async () => {
  s = await TestStation.start();
  key = await s.key('device');
  token = await s.token();
});
afterAll(() => s.stop());

const post = (body: unknown) => s.call('POST', '/api/telemetry', { key, body });
const get = (id: number) => s.call('GET', `/api/telemetry/${id}`, { token });

describe('single-reading ingest answer', () => {
  it('when readings of every shape are posted, then each 201 body equals the stored reading', async () => {
    const ts = minutesAgo(30);
    const bodies = [
      { device_id: 'ans-1', ts, temperature: 70.25, pressure: 1000, status: 'ok' },
      { device_id: 'ans-1', ts: ts + 0.001, temperature: -0, pressure: null },
      { device_id: 'ans-1', ts: new Date((ts + 2) * 1000).toISOString(), pressure: 1e12, status: null },
      { device_id: 'ans-2', ts: String(ts + 3), extra: { flow: 1.5e-7, valve: 'open', on: true, n: -0, big: 123456789012345 } },
      { device_id: 'ans-2', ts: ts + 4, temperature: 1, extra: {} },
      { device_id: 'ans-2', ts: ts + 5, temperature: 1, extra: null },
      { device_id: 'ans-3', ts: ts + 6.7894, temperature: 0.1 + 0.2, extra: { 'a.b-c': 'x'.repeat(256) } },
    ];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.status).toBe(201);
      const stored = await get(res.body.id);
      expect(stored.status).toBe(200);
      expect(res.body).toEqual(stored.body);
    }
  });

  it('when a reading is replaced with other values, then the 201 body is the new row; an exact repeat answers 200 with it', async () => {
    const ts = minutesAgo(20);
    const first = await post({ device_id: 'ans-4', ts, temperature: 1 });
    const replaced = await post({ device_id: 'ans-4', ts, temperature: 2, extra: { k: 'v' } });
    expect(replaced.status).toBe(201);
    expect(replaced.body.id).not.toBe(first.body.id);
    expect(replaced.body).toEqual((await get(replaced.body.id)).body);
    const repeat = await post({ device_id: 'ans-4', ts, temperature: 2, extra: { k: 'v' } });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(replaced.body);
    expect(s.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'ans-4'`)).toBe(1);
  });
});
