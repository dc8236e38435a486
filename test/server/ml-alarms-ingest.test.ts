import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

let s: TestStation;
let admin: string;
let key: string;

beforeAll(async () => {
  s = await TestStation.start();
  admin = await s.token();
  key = await s.key('device');
});
afterAll(() => s.stop());

async function eventually<T>(probe: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition never became true');
}

describe('alarms from ingested readings', () => {
  it('when a device posts readings far outside its limits for longer than the open delay, then an alarm opens without the ingest waiting for it', async () => {
    const limits = await s.call('PUT', '/api/ml/limits/well-alarm', {
      token: admin,
      body: { temperature_max: 100, alarm_open_after_s: 120, alarm_clear_after_s: 600 },
    });
    expect(limits.status).toBe(200);
    const base = minutesAgo(60);
    const normal = Array.from({ length: 30 }, (_, i) => ({
      device_id: 'well-alarm',
      ts: base + i * 60,
      temperature: 80 + (i % 3) * 0.1,
      pressure: 1000 + (i % 2),
    }));
    const hot = Array.from({ length: 10 }, (_, i) => ({ device_id: 'well-alarm', ts: base + (30 + i) * 60, temperature: 160, pressure: 1400 }));
    const res = await s.call('POST', '/api/telemetry/batch', { key, body: [...normal, ...hot] });
    expect(res.status).toBe(200);
    const alarm = await eventually(async () => {
      const list = await s.call('GET', '/api/alarms?device_id=well-alarm&state=open', { token: admin });
      return list.body[0];
    });
    expect(alarm).toMatchObject({ device_id: 'well-alarm', state: 'open' });
    expect(alarm.started_ts).toBeGreaterThanOrEqual(base + 30 * 60);
  });
});
