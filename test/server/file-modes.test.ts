import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished } from './jobs-helpers';
import { TestStation } from './helpers/station';

const mode = (path: string) => statSync(path).mode & 0o777;

/** The data directory holds secrets and hashes: nobody but the station's user may read it. */
describe('file modes in the data directory', () => {
  let s: TestStation;
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    // a data dir an installer made world-readable, with a database from an older release in it
    parent = mkdtempSync(join(tmpdir(), 'oilfield-modes-'));
    dir = join(parent, 'data');
    mkdirSync(join(dir, 'processed'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'processed'), 0o755);
    s = await TestStation.start({ DATA_DIR: dir });
    const admin = await s.token();
    const key = await s.key('device');
    await s.call('POST', '/api/telemetry', { key, body: { device_id: 'w', ts: Math.floor(Date.now() / 1000) - 60, temperature: 1 } });
    const task = await s.call('POST', '/api/telemetry/export/async', { token: admin });
    expect((await finished(s, admin, task.body.task_id)).status).toBe('completed');
  });
  afterAll(async () => {
    await s.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('when the station has run, then its folders are 0700 and the database, WAL, shared memory, secret and export files are 0600', () => {
    for (const d of [dir, join(dir, 'processed'), join(dir, 'secrets'), join(dir, 'exports')]) expect([d, mode(d)]).toEqual([d, 0o700]);
    const db = join(dir, 'processed', 'oilfield.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`, join(dir, 'secrets', 'jwt.key')]) expect([f, mode(f)]).toEqual([f, 0o600]);
    const exports = readdirSync(join(dir, 'exports'));
    expect(exports.length).toBeGreaterThan(0);
    for (const f of exports) expect([f, mode(join(dir, 'exports', f))]).toEqual([f, 0o600]);
  });
});

describe('an existing database file of an older release', () => {
  it('when it is 0644, then the next start makes it 0600', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oilfield-modes-old-'));
    try {
      const first = await TestStation.start({ DATA_DIR: dataDir });
      await first.station.close();
      const db = join(dataDir, 'processed', 'oilfield.db');
      chmodSync(db, 0o644);
      writeFileSync(join(dataDir, 'note.txt'), 'x');
      const again = await TestStation.start({ DATA_DIR: dataDir });
      expect(mode(db)).toBe(0o600);
      await again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
