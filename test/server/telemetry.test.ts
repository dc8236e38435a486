import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
let adminKey: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  adminKey = await s.key('admin');
});
afterAll(() => s.stop());

const ingest = (body: unknown) => s.call('POST', '/api/telemetry', { token: admin, key: adminKey, body });

describe('POST /api/telemetry', () => {
  it('when a valid reading is posted, then it is stored and returned with ts and time', async () => {
    const ts = minutesAgo(10);
    const res = await ingest({ device_id: 'well-a', ts, temperature: 71.5, pressure: 1013.25, status: 'ok' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ device_id: 'well-a', ts, temperature: 71.5, pressure: 1013.25, status: 'ok' });
    expect(res.body.time).toBe(new Date(ts * 1000).toISOString());
    const fetched = await s.call('GET', `/api/telemetry/${res.body.id}`, { token: admin });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });
});
