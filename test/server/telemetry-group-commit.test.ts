import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

/**
 * Concurrent single-reading POSTs share one SQLite commit (src/server/telemetry/group-commit.ts).
 * Each device still gets exactly the answer it would get alone, and a commit that fails is
 * answered for each request on its own.
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
const rowsOf = (device: string) => s.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = '${device}'`);
const counterOf = (device: string) => s.count(`SELECT reading_count FROM devices WHERE device_id = '${device}'`);

describe('single-reading ingest under concurrency', () => {
  it('when 60 devices post at once, then each gets its own stored reading, and repeats get the same answer back', async () => {
    const ts = minutesAgo(40);
    const bodies = Array.from({ length: 60 }, (_, i) => ({ device_id: `gc-${i % 6}`, ts: ts + i, temperature: i / 4, pressure: 1000 + i, status: 'ok' }));
    const first = await Promise.all(bodies.map(post));
    expect(first.map((r) => r.status)).toEqual(bodies.map(() => 201));
    expect(new Set(first.map((r) => r.body.id)).size).toBe(60);
    for (const [i, res] of first.entries()) {
      expect(res.body).toMatchObject({ device_id: bodies[i]!.device_id, temperature: bodies[i]!.temperature });
      expect((await get(res.body.id)).body).toEqual(res.body);
    }
    for (let d = 0; d < 6; d++) {
      expect(rowsOf(`gc-${d}`)).toBe(10);
      expect(counterOf(`gc-${d}`)).toBe(10);
    }

    const repeats = await Promise.all(bodies.map(post));
    expect(repeats.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(repeats.map((r) => r.body)).toEqual(first.map((r) => r.body));
    expect(rowsOf('gc-0')).toBe(10);
  });

  it('when two requests carry the same device and time with different values at once, then one row remains and it is one of the answers', async () => {
    const ts = minutesAgo(30);
    const [a, b] = await Promise.all([post({ device_id: 'gc-same', ts, temperature: 1 }), post({ device_id: 'gc-same', ts, temperature: 2 })]);
    expect([a!.status, b!.status]).toEqual([201, 201]);
    expect(rowsOf('gc-same')).toBe(1);
    expect(counterOf('gc-same')).toBe(1);
    const stored = s.count(`SELECT t.id FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id = 'gc-same'`);
    const winner = [a!, b!].find((r) => r.body.id === stored);
    expect(winner).toBeDefined();
    expect((await get(stored)).body).toEqual(winner!.body);
  });

  it('when the disk is full during concurrent posts, then every request answers 503 and nothing is stored; once space returns they succeed', async () => {
    const before = s.count();
    const pages = s.count('PRAGMA page_count');
    s.db.pragma(`max_page_count = ${pages}`);
    try {
      const ts = minutesAgo(20);
      // new devices and large extras, so the writes need pages the database cannot have
      const bodies = Array.from({ length: 20 }, (_, i) => ({
        device_id: `gc-full-${i}`,
        ts: ts + i,
        temperature: 1,
        extra: Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`note${k}`, 'x'.repeat(250)])),
      }));
      const full = await Promise.all(bodies.map(post));
      expect(full.map((r) => r.status)).toEqual(bodies.map(() => 503));
      expect(full[0]!.headers.get('content-type')).toContain('application/problem+json');
      expect(s.count()).toBe(before);
      expect(s.count(`SELECT COUNT(*) FROM devices WHERE device_id LIKE 'gc-full-%'`)).toBe(0);

      s.db.pragma('max_page_count = 1073741823');
      const after = await Promise.all(bodies.map(post));
      expect(after.map((r) => r.status)).toEqual(bodies.map(() => 201));
      expect(s.count()).toBe(before + 20);
    } finally {
      s.db.pragma('max_page_count = 1073741823');
    }
  });
});
