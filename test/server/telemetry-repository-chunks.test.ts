import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { migrate } from '../../src/server/db/migrate';
import { INSERT_CHUNK_ROWS, TelemetryRepository } from '../../src/server/telemetry/repository';
import type { NewReading } from '../../src/shared/telemetry';
import { seededRandom } from '../../src/shared/random';

/**
 * Batch writes use multi-row INSERTs and fall back to row-by-row writing for a chunk that meets a
 * stored (device, ts). Against the row-by-row repository, the same writes must give the same
 * outcomes (counts, duplicate indexes, last id) and the very same rows, ids and device counters.
 */
const dir = mkdtempSync(join(tmpdir(), 'repo-chunks-'));
const dbs: Db[] = [];
afterAll(() => {
  for (const db of dbs) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function repo(name: string, chunkRows: number): { db: Db; repo: TelemetryRepository } {
  const db = openDatabase(join(dir, `${name}.db`));
  migrate(db);
  dbs.push(db);
  return { db, repo: new TelemetryRepository(db, chunkRows) };
}

const rng = seededRandom;

const dump = (db: Db) => ({
  telemetry: db.prepare(`SELECT * FROM telemetry ORDER BY id`).all(),
  devices: db.prepare(`SELECT * FROM devices ORDER BY id`).all(),
  sequence: db.prepare(`SELECT * FROM sqlite_sequence ORDER BY name`).all(),
});

describe('multi-row batch writes', () => {
  it('when random batches hold new rows, repeats, replacements and in-batch collisions, then rows and outcomes equal row-by-row writing', () => {
    const r = rng(99);
    const base = Date.UTC(2024, 0, 1);
    const subjects = [repo('row', 1), repo('c4', 4), repo('shipped', INSERT_CHUNK_ROWS)];
    const value = () => (r() < 0.8 ? 20 + Math.floor(r() * 3) : null);
    for (let write = 0; write < 60; write++) {
      const size = 1 + Math.floor(r() * (r() < 0.3 ? 3 * INSERT_CHUNK_ROWS : 40));
      // a narrow key space makes stored and in-batch collisions common in some writes, absent in others
      const span = r() < 0.5 ? 1_000_000 : 300;
      const batch: NewReading[] = Array.from({ length: size }, () => {
        const reading: NewReading = {
          device_id: `d-${Math.floor(r() * 5)}`,
          ts: base + Math.floor(r() * span) * 1000,
          temperature: value(),
          pressure: value(),
        };
        if (r() < 0.2) reading.status = r() < 0.5 ? 'ok' : 'alarm';
        if (r() < 0.2) reading.extra = r() < 0.3 ? {} : { flow: Math.floor(r() * 2) };
        return reading;
      });
      const receivedAt = base + write;
      const outcomes = subjects.map((s) => s.repo.write(batch, receivedAt));
      expect(outcomes[1]).toEqual(outcomes[0]);
      expect(outcomes[2]).toEqual(outcomes[0]);
    }
    const expected = dump(subjects[0]!.db);
    expect(expected.telemetry.length).toBeGreaterThan(1000);
    expect(dump(subjects[1]!.db)).toEqual(expected);
    expect(dump(subjects[2]!.db)).toEqual(expected);
  });

  it('when a whole batch is sent twice, then the second write reports every reading as a duplicate and stores nothing', () => {
    const { db, repo: chunked } = repo('again', INSERT_CHUNK_ROWS);
    const base = Date.UTC(2024, 0, 1);
    const batch: NewReading[] = Array.from({ length: 2 * INSERT_CHUNK_ROWS + 50 }, (_, i) => ({
      device_id: `d-${i % 3}`,
      ts: base + i * 1000,
      temperature: i,
    }));
    expect(chunked.write(batch, base).inserted).toBe(batch.length);
    const { telemetry, devices } = dump(db);
    const again = chunked.write(batch, base + 1);
    expect(again).toMatchObject({ inserted: 0, replaced: 0, duplicates: batch.map((_, i) => i) });
    // (sqlite_sequence moves on an ignored INSERT either way; the first test pins it to row-by-row)
    expect(dump(db)).toMatchObject({ telemetry, devices });
  });
});
