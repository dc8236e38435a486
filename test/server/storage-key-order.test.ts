import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../../src/server/db/open';
import { INSERT_CHUNK_ROWS, TelemetryRepository } from '../../src/server/telemetry/repository';
import { seededRandom } from '../../src/shared/random';
import type { NewReading } from '../../src/shared/telemetry';

/**
 * A batch of new readings is inserted in (device, ts) order (the clustered table's order), with the
 * ids input order gives. Against row-by-row writing in input order, every outcome, row, id and
 * device counter must be the same, including batches that are undone half way because a reading
 * meets a stored one or repeats inside the batch.
 */
const dir = mkdtempSync(join(tmpdir(), 'storage-key-order-'));
const dbs: Db[] = [];
afterAll(() => {
  for (const db of dbs) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function open(name: string, chunkRows: number) {
  const db = openDatabase(join(dir, `${name}.db`));
  migrate(db);
  dbs.push(db);
  return { db, repo: new TelemetryRepository(db, chunkRows) };
}

const dump = (db: Db) => ({
  telemetry: db.prepare(`SELECT * FROM telemetry ORDER BY id`).all(),
  devices: db.prepare(`SELECT * FROM devices ORDER BY id`).all(),
  sequence: db.prepare(`SELECT * FROM telemetry_sequence`).all(),
});

describe('batch writes in key order', () => {
  it('when batches are interleaved, out of time order, or collide late, then rows, ids and outcomes equal row-by-row writing', () => {
    const r = seededRandom(7);
    const base = Date.UTC(2025, 0, 1);
    const subjects = [open('rows', 1), open('keyorder', INSERT_CHUNK_ROWS)];
    let next = 0;
    for (let write = 0; write < 40; write++) {
      const size = INSERT_CHUNK_ROWS + Math.floor(r() * 3 * INSERT_CHUNK_ROWS);
      const devices = 1 + Math.floor(r() * 30);
      const batch: NewReading[] = Array.from({ length: size }, (_, i) => ({
        device_id: `well-${(i * 7) % devices}`,
        // rising per device in most writes, shuffled in some
        ts: base + (r() < 0.3 ? Math.floor(r() * 10_000_000) : next + i) * 1000,
        temperature: 20 + (i % 5),
        pressure: r() < 0.1 ? null : 1000 + i,
        extra: r() < 0.1 ? { flow: i } : r() < 0.1 ? ({} as Record<string, number>) : undefined,
      }));
      next += size;
      const kind = r();
      // a reading stored before, or repeated in the batch, near the end: the key-order insert is undone
      if (kind < 0.15 && write > 0) batch[size - 1] = { ...batch[0]!, ts: base };
      else if (kind < 0.3) batch[size - 1] = { ...batch[size - 2]!, temperature: 99 };
      if (write === 0) batch[0] = { ...batch[0]!, ts: base };
      const receivedAt = base + write;
      const outcomes = subjects.map((s) => s.repo.write(batch, receivedAt));
      expect(outcomes[1]).toEqual(outcomes[0]);
    }
    const expected = dump(subjects[0]!.db);
    expect(expected.telemetry.length).toBeGreaterThan(10_000);
    expect(dump(subjects[1]!.db)).toEqual(expected);
  });
});
