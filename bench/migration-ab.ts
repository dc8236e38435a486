import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate, migrateAsync } from '../src/server/db/migrate';
import { closeDatabase, openDatabase, type Db } from '../src/server/db/open';
import { fillStationDb, layout } from './lib/dataset';
import { median, now, round } from './lib/stats';

/**
 * The telemetry layout move (migration 012) of this tree against a baseline tree's, on copies of one
 * database of the previous layout, in one process. Subjects: the baseline's migrate(); this tree's
 * migrate() (in one go, as the CLI runs it); this tree's migrateAsync() as the station runs it (the
 * event loop turns after every batch, each report turned into a message). Each round moves a fresh
 * copy with every subject, rotating which goes first, so a shared machine's noise falls on all
 * alike; the report is the median rate of the rounds and its ratio to the baseline.
 *
 *   git archive <commit> src | tar -x -C /tmp/baseline && ln -s "$PWD/node_modules" /tmp/baseline/
 *   BENCH_BASELINE_SRC=/tmp/baseline/src BENCH_ROWS=1000000 BENCH_ROUNDS=5 npx tsx bench/migration-ab.ts
 */
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const baselineSrc = process.env.BENCH_BASELINE_SRC;
if (!baselineSrc) throw new Error('set BENCH_BASELINE_SRC to the src/ of the baseline tree');
const log = (msg: string) => process.stderr.write(`[migration-ab ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** The last schema version with the rowid telemetry table. */
const LEGACY_VERSION = 11;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'migration-ab-'));
  const legacy = join(dir, 'legacy.db');
  const migrations = loadMigrations();
  const { migrate: baselineMigrate } = (await import(join(baselineSrc!, 'server/db/migrate.ts'))) as { migrate: (db: Db, m?: unknown) => unknown };
  let messageBytes = 0;
  const subjects: Record<string, (db: Db) => Promise<unknown> | unknown> = {
    baseline: (db) => baselineMigrate(db, migrations),
    sync: (db) => migrate(db, migrations),
    async: (db) => migrateAsync(db, { migrations, onProgress: (p) => void (messageBytes += JSON.stringify({ type: 'migration', ...p }).length) }),
  };
  const names = Object.keys(subjects);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  try {
    log(`filling ${rows} rows in the layout before 012`);
    fillStationDb(legacy, layout(rows), rows, undefined, migrations.slice(0, LEGACY_VERSION));
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const name of order) {
        const file = join(dir, `${name}.db`);
        copyFileSync(legacy, file);
        const db = openDatabase(file);
        const t = now();
        await subjects[name]!(db);
        const seconds = (now() - t) / 1000;
        closeDatabase(db);
        rmSync(file);
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
        rates[name]!.push(rows / seconds);
        log(`round ${r + 1}/${rounds} ${name}: ${round(seconds, 2)} s, ${Math.round(rows / seconds)} rows/s`);
      }
    }
    const medians = Object.fromEntries(names.map((n) => [n, Math.round(median(rates[n]!))]));
    const ratios = Object.fromEntries(names.map((n) => [n, round(medians[n]! / medians.baseline!, 3)]));
    const all = Object.fromEntries(names.map((n) => [n, rates[n]!.map((v) => Math.round(v))]));
    log(`progress reports of the async subject: ${messageBytes} bytes of JSON in all`);
    process.stdout.write(`${JSON.stringify({ rows, rounds, rows_per_s: all, median_rows_per_s: medians, ratio_to_baseline: ratios }, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
