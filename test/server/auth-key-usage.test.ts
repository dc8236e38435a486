import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

let s: TestStation;
beforeAll(async () => {
  s = await TestStation.start();
});
afterAll(() => s.stop());

describe('API key usage', () => {
  it('when a key is used, then its last_used_at shows in the key list, and repeated use within a minute keeps working', async () => {
    const admin = await s.token();
    const key = await s.key('device');
    const before = (await s.call('GET', '/api/keys', { token: admin })).body.find((k: { role: string }) => k.role === 'device');
    expect(before.last_used_at).toBeNull();
    for (let i = 0; i < 3; i++) {
      const res = await s.call('POST', '/api/telemetry', { key, body: { device_id: 'well-use', ts: minutesAgo(10) + i, temperature: 1 } });
      expect(res.status).toBe(201);
    }
    const after = (await s.call('GET', '/api/keys', { token: admin })).body.find((k: { id: number }) => k.id === before.id);
    expect(typeof after.last_used_at).toBe('string');
  });
});
