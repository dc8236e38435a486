import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../src/server/db/open';
import { TelemetryRepository } from '../src/server/telemetry/repository';
import { TelemetryStats } from '../src/server/telemetry/stats';
import type { NewReading } from '../src/shared/telemetry';
import { DEVICES, deviceName, fillStationDb, layout } from './lib/dataset';
import { median, now, percentile, pick, round, timed } from './lib/stats';

/**
 * How cost grows with the table: for each size, a database of the bench's readings (100 devices,
 * 35 days) is filled, then batch writes of new readings and the light and heavy queries are timed
 * through the repository (no HTTP), in a few rounds. Wall time and CPU time are both reported: on a
 * shared machine the CPU seconds per row move much less with the load than the wall clock.
 *
 *   BENCH_GROWTH_SIZES=1000000,10000000 npx tsx bench/growth.ts
 */
const sizes = (process.env.BENCH_GROWTH_SIZES ?? '1000000,10000000').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const DAY = 86_400_000;
const log = (msg: string) => process.stderr.write(`[growth ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const dir = mkdtempSync(join(tmpdir(), 'growth-'));
const report: Record<string, Record<string, number>> = {};
try {
  for (const rows of sizes) {
    const file = join(dir, `${rows}.db`);
    const l = layout(rows);
    let t = now();
    fillStationDb(file, l, rows);
    log(`${rows} rows filled in ${round((now() - t) / 1000)} s`);
    const db = openDatabase(file);
    const repo = new TelemetryRepository(db);
    const stats = new TelemetryStats(db);
    const m: Record<string, number[]> = {};
    const record = (k: string, v: number) => (m[k] ??= []).push(v);
    const days = Math.max(1, Math.floor((l.endMs - l.startMs) / DAY) - 1);
    let writeBase = l.endMs + DAY;
    for (let r = 0; r < rounds; r++) {
      const ref = (i: number) => repo.deviceRef(deviceName(pick(i + r * 1000, DEVICES)))!;
      const latest = timed(200, (i) => repo.list({ deviceRef: ref(i) }, 100, 0, 'desc'));
      record('latest100_p50_ms', percentile(latest, 50));
      record('latest100_p99_ms', percentile(latest, 99));
      const day = timed(50, (i) => {
        const from = l.startMs + pick(i + 7 + r, days) * DAY;
        repo.list({ deviceRef: ref(i), tsFrom: from, tsTo: from + DAY - 1 }, 10_000, 0, 'asc');
      });
      record('one_day_p50_ms', percentile(day, 50));
      record('stats_week_p50_ms', median(timed(3, (i) => stats.stats({ tsFrom: l.endMs - 7 * DAY - (r * 3 + i) * 1000, tsTo: l.endMs - (r * 3 + i) * 1000 }))));
      // 20 batches of 5,000 new readings, each device's readings after its stored ones
      const batches: NewReading[][] = Array.from({ length: 20 }, (_, b) =>
        Array.from({ length: 5000 }, (_, k) => ({
          device_id: deviceName(k % DEVICES),
          ts: writeBase + (b * 50 + Math.floor(k / DEVICES)) * 1000,
          temperature: 20 + (k % 10),
          pressure: 1000 + (k % 37),
          status: 'ok',
        })),
      );
      const cpu = process.cpuUsage();
      t = now();
      for (const b of batches) repo.write(b);
      const used = process.cpuUsage(cpu);
      record('write_rows_per_s', (100_000 / (now() - t)) * 1000);
      record('write_rows_per_cpu_s', 100_000 / ((used.user + used.system) / 1e6));
      writeBase += 2 * DAY;
      log(`${rows} rows: round ${r + 1}/${rounds} done`);
    }
    closeDatabase(db);
    report[String(rows)] = {
      file_mb: round(statSync(file).size / 2 ** 20, 0),
      ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(median(v), 2)])),
    };
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  }
  process.stdout.write(`${JSON.stringify({ rounds, load_average: (await import('node:os')).loadavg(), sizes: report }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
