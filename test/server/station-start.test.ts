import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { openDatabase } from '../../src/server/db/open';
import { createLogger } from '../../src/server/logger';
import { startStation } from '../../src/server/station';
import { TestStation } from './helpers/station';

describe('start-up', () => {
  it('when the port is taken, then start fails with EADDRINUSE and releases the database for a retry', async () => {
    const first = await TestStation.start();
    const secondDir = `${first.dataDir}-second`;
    try {
      const config = loadConfig({}, { DATA_DIR: secondDir, PORT: first.station.port, HOST: '127.0.0.1', ADMIN_PASSWORD: 'second-admin-pw', SERVE_UI: 'false' });
      await expect(startStation(config, { logger: createLogger('silent') })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      // The failed station closed its connection (PRAGMA optimize ran on close): a fresh writer can take the file.
      const db = openDatabase(config.databasePath);
      expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(1);
      db.exec('BEGIN IMMEDIATE; COMMIT;');
      db.close();
      const retry = await startStation({ ...config, port: 0 }, { logger: createLogger('silent') });
      await retry.close();
    } finally {
      await first.stop();
      rmSync(secondDir, { recursive: true, force: true });
    }
  });
});
