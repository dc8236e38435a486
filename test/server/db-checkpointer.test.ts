import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minutesAgo, TestStation } from './helpers/station';

/**
 * WAL checkpoints run in a worker thread (src/server/db/checkpointer.ts): the writer's own inline
 * checkpoint only starts past 64 MB of WAL, so readings that reach the database file while the
 * WAL is far smaller than that were copied there by the background checkpointer.
 */
let s: TestStation;
let key: string;

beforeAll(async () => {
  s = await TestStation.start();
  key = await s.key('device');
});
afterAll(() => s.stop());

const dbFile = () => s.station.config.databasePath;
const size = (file: string) => statSync(file).size;

describe('background WAL checkpoints', () => {
  it('when readings are written, then they reach the database file without the writer checkpointing, and the WAL stays small', async () => {
    expect(s.db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    const before = size(dbFile());
    const ts = minutesAgo(600);
    for (let b = 0; b < 10; b++) {
      const body = Array.from({ length: 2_000 }, (_, i) => ({
        device_id: `ckpt-${i % 20}`,
        ts: ts + b * 2_000 + i,
        temperature: i / 7,
        pressure: 1000 + b,
        status: 'ok',
      }));
      expect((await s.call('POST', '/api/telemetry/batch', { key, body })).status).toBe(200);
    }
    expect(s.count(`SELECT COUNT(*) FROM telemetry t JOIN devices d ON d.id = t.device_ref WHERE d.device_id LIKE 'ckpt-%'`)).toBe(20_000);
    // 20,000 readings are a few MB of pages: far below the writer's 64 MB threshold
    await expect.poll(() => size(dbFile()), { timeout: 20_000, interval: 100 }).toBeGreaterThan(before + 1_000_000);
    expect(size(`${dbFile()}-wal`)).toBeLessThan(64 * 1024 * 1024);
  });
});
