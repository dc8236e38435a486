import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate } from '../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../src/server/db/open';
import { exportQuery } from '../src/server/telemetry/export-query';
import { TelemetryRepository } from '../src/server/telemetry/repository';
import { TelemetryStats } from '../src/server/telemetry/stats';
import type { NewReading } from '../src/shared/telemetry';
import { DEVICES, deviceName, fillStationDb, layout } from './lib/dataset';
import { median, now, percentile, pick, round, timed } from './lib/stats';

/**
 * Storage A/B: the telemetry layout of this tree against a baseline tree (`git archive <commit> src`
 * unpacked into BENCH_BASELINE_SRC, with a node_modules link), on the same generated readings, in
 * one process. Each round runs every measurement on both, alternating which goes first, so the
 * noise of a shared machine falls on both alike; the report is the median of the rounds.
 *
 *   BENCH_BASELINE_SRC=/tmp/smart-baseline/src BENCH_ROWS=1000000 npx tsx bench/storage-ab.ts
 */
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const baselineSrc = process.env.BENCH_BASELINE_SRC;
if (!baselineSrc) throw new Error('set BENCH_BASELINE_SRC to the src/ of the baseline tree');
const log = (msg: string) => process.stderr.write(`[storage-ab ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

type Repo = Pick<TelemetryRepository, 'list' | 'write' | 'deviceRef'>;
interface Subject {
  name: string;
  db: Db;
  repo: Repo;
  stats: Pick<TelemetryStats, 'stats'>;
}

const DAY = 86_400_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'storage-ab-'));
  const l = layout(rows);
  const oldMigrations = loadMigrations(join(baselineSrc!, 'server/db/migrations'));
  const files = { baseline: join(dir, 'baseline.db'), clustered: join(dir, 'clustered.db') };
  try {
    log(`filling ${rows} rows into each layout`);
    fillStationDb(files.baseline, l, rows, undefined, oldMigrations);
    fillStationDb(files.clustered, l, rows);
    const sizes = { baseline_mb: round(statSync(files.baseline).size / 2 ** 20, 0), clustered_mb: round(statSync(files.clustered).size / 2 ** 20, 0) };

    // migration rate: a copy of the baseline database moved by this tree's migrate()
    const moving = join(dir, 'moving.db');
    copyFileSync(files.baseline, moving);
    const mdb = openDatabase(moving);
    let t = now();
    migrate(mdb);
    const migrationS = (now() - t) / 1000;
    closeDatabase(mdb);
    rmSync(moving);
    log(`migration of ${rows} rows: ${round(migrationS, 1)} s (${Math.round(rows / migrationS)} rows/s)`);

    const { TelemetryRepository: OldRepo } = (await import(join(baselineSrc!, 'server/telemetry/repository.ts'))) as {
      TelemetryRepository: new (db: Db) => Repo;
    };
    const { TelemetryStats: OldStats } = (await import(join(baselineSrc!, 'server/telemetry/stats.ts'))) as {
      TelemetryStats: new (db: Db) => Subject['stats'];
    };
    const bdb = openDatabase(files.baseline);
    const cdb = openDatabase(files.clustered);
    const subjects: Subject[] = [
      { name: 'baseline', db: bdb, repo: new OldRepo(bdb), stats: new OldStats(bdb) },
      { name: 'clustered', db: cdb, repo: new TelemetryRepository(cdb), stats: new TelemetryStats(cdb) },
    ];
    const results: Record<string, Record<string, number[]>> = {};
    const record = (s: Subject, key: string, v: number) => ((results[s.name] ??= {})[key] ??= []).push(v);
    const days = Math.max(1, Math.floor((l.endMs - l.startMs) / DAY) - 1);
    let writeBase = l.endMs + DAY;

    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...subjects].reverse() : subjects;
      for (const s of order) {
        const ref = (i: number) => s.repo.deviceRef(deviceName(pick(i + r * 1000, DEVICES)))!;
        const latest = timed(200, (i) => s.repo.list({ deviceRef: ref(i) }, 100, 0, 'desc'));
        record(s, 'latest100_p50_ms', percentile(latest, 50));
        record(s, 'latest100_p99_ms', percentile(latest, 99));
        const day = timed(50, (i) => {
          const from = l.startMs + pick(i + 7 + r, days) * DAY;
          s.repo.list({ deviceRef: ref(i), tsFrom: from, tsTo: from + DAY - 1 }, 10_000, 0, 'asc');
        });
        record(s, 'one_day_p50_ms', percentile(day, 50));
        const week = timed(3, (i) => s.stats.stats({ tsFrom: l.endMs - 7 * DAY - (r * 3 + i) * 1000, tsTo: l.endMs - (r * 3 + i) * 1000 }));
        record(s, 'stats_week_p50_ms', median(week));
        const { sql, params } = exportQuery({});
        t = now();
        let n = 0;
        for (const _row of s.db.prepare(sql).raw().iterate(params)) n++;
        record(s, 'export_scan_rows_per_s', (n / (now() - t)) * 1000);
        // 20 batches of 5,000 new readings through the repository (validation and HTTP excluded)
        const batches: NewReading[][] = Array.from({ length: 20 }, (_, b) =>
          Array.from({ length: 5000 }, (_, k) => ({
            device_id: deviceName(k % DEVICES),
            ts: writeBase + (b * 50 + Math.floor(k / DEVICES)) * 1000,
            temperature: 20 + (k % 10),
            pressure: 1000 + (k % 37),
            status: 'ok',
          })),
        );
        t = now();
        for (const b of batches) s.repo.write(b);
        record(s, 'repo_write_rows_per_s', (100_000 / (now() - t)) * 1000);
      }
      writeBase += 2 * DAY;
      log(`round ${r + 1}/${rounds} done`);
    }
    closeDatabase(bdb);
    closeDatabase(cdb);
    const table: Record<string, Record<string, number>> = {};
    for (const [name, m] of Object.entries(results)) for (const [k, v] of Object.entries(m)) (table[k] ??= {})[name] = round(median(v), 2);
    for (const row of Object.values(table)) row.ratio = round(row.clustered! / row.baseline!, 3);
    process.stdout.write(
      `${JSON.stringify({ rows, rounds, sizes, migration_s: round(migrationS, 1), migration_rows_per_s: Math.round(rows / migrationS), medians: table }, null, 2)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`storage-ab failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
