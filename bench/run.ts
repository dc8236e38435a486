import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StationProcess } from '../test/reliability/helpers/station-process';
import { exportCase } from './cases/export';
import { ingestBatch } from './cases/ingest-batch';
import { ingestSingle } from './cases/ingest-single';
import { modbusCase } from './cases/modbus';
import { mlScore } from './ml-score';
import { queries } from './cases/queries';
import { startup } from './cases/startup';
import { sparkplugCase } from './cases/sparkplug';
import { fillStationDb, layout, points } from './lib/dataset';
import { BENCH_USAGE, benchEnv } from './lib/env';
import { InfluxPeer } from './lib/influx';
import { machineFacts } from './lib/machine';
import { ensurePeers } from './lib/peers';
import { now, round } from './lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from './lib/types';
import { mergeWithPrevious, writeReport, type BenchReport } from './report';

/**
 * `npm run bench`: every case next to its reference in the same run, on loopback only, written to
 * bench/results/latest.json and docs/PERFORMANCE.md. Sizes: see bench/lib/env.ts and the doc.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function lineProtocolExists(): Promise<boolean> {
  const s = await new StationProcess(undefined, BENCH_STATION_ENV).start();
  try {
    const key = await s.key('device');
    const res = await s.call('POST', '/api/v2/write?precision=s', { headers: { authorization: `Token ${key}` }, raw: '', type: 'text/plain' });
    return !(res.status === 404 && /no route/.test(res.text));
  } finally {
    await s.remove();
  }
}

async function main(): Promise<void> {
  const started = now();
  const env = benchEnv();
  const machine = machineFacts();
  const peers = ensurePeers(['wrk', 'influxd', 'sqlite3']);
  log(`rows=${env.rows} peerRows=${env.peerRows} rounds=${env.rounds} duration=${env.durationS}s cases=${[...env.cases].join(',')}`);
  const cases: CaseResult[] = [];
  const stamp = (results: CaseResult[]) => {
    const at = new Date().toISOString();
    for (const c of results) cases.push({ ...c, ran_at: at, load_average: loadavg().map((l) => Math.round(l * 100) / 100) });
  };
  const preparation: Record<string, unknown> = {};

  if (env.cases.has('single')) {
    log('case 1: single-reading ingest');
    stamp([await ingestSingle(env)]);
  }
  if (env.cases.has('batch') || env.cases.has('lineprotocol')) {
    const lp = await lineProtocolExists();
    log(`cases 2-3: batch ingest${lp ? ' and line protocol' : ' (no /api/v2/write in this build)'}`);
    stamp(await ingestBatch(env, { influxd: peers.influxd! }, lp));
  }

  if (env.cases.has('mlscore')) {
    log('case 7: anomaly scoring');
    stamp([await mlScore(env)]);
  }

  if (env.cases.has('modbus')) {
    log('case: Modbus TCP polling');
    stamp([await modbusCase(env)]);
  }
  if (env.cases.has('sparkplug')) {
    log('case: Sparkplug B through Mosquitto');
    stamp([await sparkplugCase(env)]);
  }

  const needData = ['queries', 'export', 'startup'].some((c) => env.cases.has(c));
  if (needData) {
    const fullDir = mkdtempSync(join(tmpdir(), 'oilfield-bench-full-'));
    const emptyDir = mkdtempSync(join(tmpdir(), 'oilfield-bench-empty-'));
    let influx: InfluxPeer | undefined;
    const station = new StationProcess(fullDir, BENCH_STATION_ENV);
    try {
      const l = layout(env.rows);
      log(`generating ${env.rows} readings into SQLite`);
      let t = now();
      fillStationDb(station.dbPath, l, env.rows, (n) => n % 2_000_000 === 0 && log(`  ${n} rows`));
      preparation.sqlite_fill_s = round((now() - t) / 1000, 1);
      preparation.sqlite_file_mb = round(statSync(station.dbPath).size / 1024 / 1024, 0);

      if (env.cases.has('startup')) {
        log('case 6: start-up');
        stamp([await startup(env, emptyDir, fullDir, env.rows)]);
      }
      if (env.cases.has('queries')) {
        if (peers.influxd) {
          influx = await InfluxPeer.start();
          await influx.createDb('bench');
          log(`loading ${env.peerRows} points into InfluxDB 1.6`);
          t = now();
          const pl = layout(env.peerRows, l.endMs);
          await influx.load('bench', points(pl, env.peerRows), (n) => log(`  ${n} points`));
          preparation.influx_load_s = round((now() - t) / 1000, 1);
        }
        log('case 4: queries');
        await station.start();
        stamp([await queries(env, l, station, influx, env.peerRows)]);
        await station.stop();
        await influx?.stop();
        influx = undefined;
      }
      if (env.cases.has('export')) {
        log('case 5: export');
        stamp([await exportCase(env, fullDir, env.rows, { sqlite3: peers.sqlite3! })]);
      }
    } finally {
      await station.kill('SIGKILL');
      await influx?.stop();
      rmSync(fullDir, { recursive: true, force: true });
      rmSync(emptyDir, { recursive: true, force: true });
    }
  }

  let report: BenchReport = {
    machine,
    settings: {
      quick: env.quick,
      rows: env.rows,
      influx_rows: env.peerRows,
      rounds: env.rounds,
      load_seconds: env.durationS,
      connections: env.connections,
      batches_per_round: env.batches,
      query_samples: env.queries,
    },
    preparation,
    cases,
    duration_s: Math.round((now() - started) / 1000),
  };
  const jsonPath = process.env.BENCH_OUT ?? join(ROOT, 'bench/results/latest.json');
  if (process.env.BENCH_CASES) report = mergeWithPrevious(report, jsonPath);
  writeReport(report, jsonPath, process.env.BENCH_DOC ?? join(ROOT, 'docs/PERFORMANCE.md'));
  log(`done in ${report.duration_s}s: ${jsonPath}`);
}

const args = process.argv.slice(2);
if (args.some((a) => a === '--help' || a === '-h')) {
  process.stdout.write(BENCH_USAGE);
} else if (args.length) {
  // a typo must not start an hour-long run
  process.stderr.write(`error: npm run bench takes no arguments (got ${args.join(' ')}); settings are environment variables\n\n${BENCH_USAGE}`);
  process.exitCode = 2;
} else
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
