import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/server/config';
import { migrate } from '../../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { STATION_JOBS as ALL_JOBS } from '../../src/server/station-jobs';
import { EXPORT_JOB } from '../../src/shared/jobs';
import { LocalJobQueue } from '../../src/server/jobs/local-queue';
import { JobRegistry } from '../../src/server/jobs/registry';
import { JobStore } from '../../src/server/jobs/store';
import { createLogger } from '../../src/server/logger';
import { insertRows, waitFor } from './jobs-helpers';

/** The local runner after a station restart: the `jobs` table is the queue, so nothing is lost. */
describe('local job runner across a restart', () => {
  let dir: string;
  let config: Config;
  let db: Db;
  let store: JobStore;
  const logger = createLogger('silent');
  const runner = () => new LocalJobQueue({ store, registry: new JobRegistry(ALL_JOBS), config, logger }, 1, logger);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oilfield-jobs-'));
    config = loadConfig({}, { DATA_DIR: dir });
    db = openDatabase(config.databasePath);
    migrate(db);
    insertRows(db, 1000);
    store = new JobStore(db);
  });
  afterAll(() => {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the station stopped while a task was queued or running, then at start it runs again to completion', async () => {
    const queued = store.create(EXPORT_JOB, 'user:1', {}, 'local');
    const running = store.create(EXPORT_JOB, 'user:1', { device_id: 'WELL-A' }, 'local');
    expect(store.claim(running.id, 0)).toBeDefined(); // a run of the previous process, which died
    const q = runner();
    await q.start();
    for (const id of [queued.id, running.id]) {
      const row = await waitFor('completion', () => (store.get(id)!.status === 'completed' ? store.get(id) : undefined), 60_000);
      expect(row.progress_rows).toBe(id === queued.id ? 1000 : 500);
    }
    expect(store.get(running.id)!.attempts).toBe(2);
    await q.close();
  }, 90_000);

  it('when a running task is out of attempts at start, then it is failed with a reason', async () => {
    const row = store.create(EXPORT_JOB, 'user:1', {}, 'local');
    store.claim(row.id, 0);
    store.requeue(row.id, 'x');
    store.claim(row.id, 0); // second attempt, also interrupted
    const q = runner();
    await q.start();
    const after = store.get(row.id)!;
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/interrupted/);
    await q.close();
  });

  it('when a stored payload does not match its schema, then the task fails with the reason instead of running', async () => {
    const row = store.create(EXPORT_JOB, 'user:1', { device_id: "'; DROP TABLE jobs; --" }, 'local');
    const q = runner();
    await q.start();
    const after = await waitFor('failure', () => (store.get(row.id)!.status === 'failed' ? store.get(row.id) : undefined));
    expect(after.error).toMatch(/invalid payload/);
    await q.close();
  });

  it('when a registry is built with a duplicate or nameless job, then it refuses at start', () => {
    expect(() => new JobRegistry([...ALL_JOBS, ...ALL_JOBS])).toThrow(/defined twice/);
    expect(() => new JobRegistry([{ ...ALL_JOBS[0]!, name: 'Bad Name' }])).toThrow(/not a valid job name/);
  });
});
