import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StationProcess } from '../../test/reliability/helpers/station-process';
import type { BenchEnv } from '../lib/env';
import { median, now, ratio, round, sleep } from '../lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from '../lib/types';

const PROBE = fileURLToPath(new URL('../eld-probe.mjs', import.meta.url));
const MB = 1024 * 1024;

/** Peak RSS so far (VmHWM) and current RSS of a process, from /proc. */
function memory(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1]) * 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1]) * 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** The same columns and order as the station's CSV (ISO time included), by the sqlite3 CLI. */
const CLI_SQL = `SELECT t.id, d.device_id, t.ts / 1000.0, strftime('%Y-%m-%dT%H:%M:%fZ', t.ts / 1000.0, 'unixepoch'), t.temperature, t.pressure, t.status, t.extra
FROM telemetry t JOIN devices d ON d.id = t.device_ref ORDER BY t.ts, t.id;`;

async function cliExport(dbPath: string): Promise<{ ms: number; peakRss: number }> {
  const out = openSync('/dev/null', 'w');
  try {
    const start = now();
    const child = spawn('sqlite3', ['-readonly', '-csv', '-header', dbPath, CLI_SQL], { stdio: ['ignore', out, 'inherit'] });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, memory(child.pid!).hwm)), 50);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearInterval(timer);
    if (code !== 0) throw new Error(`sqlite3 exited with ${code}`);
    return { ms: now() - start, peakRss: peak };
  } finally {
    closeSync(out);
  }
}

/**
 * Case 5: GET /api/telemetry/export of every row (the client counts bytes and lines), with the
 * station's RSS sampled and its event-loop delay measured by a preloaded monitorEventLoopDelay
 * (bench/eld-probe.mjs); vs the sqlite3 CLI writing the same CSV to /dev/null.
 */
export async function exportCase(env: BenchEnv, dataDir: string, rows: number, peers: { sqlite3: boolean }): Promise<CaseResult> {
  const rounds = rows > 2_000_000 ? Math.min(env.rounds, 2) : env.rounds;
  const eldFile = join(tmpdir(), `oilfield-eld-${process.pid}.json`);
  const ours: { ms: number; rows: number; bytes: number; peakRss: number; baselineRss: number; eld: { p50_ms: number; p99_ms: number; max_ms: number } }[] = [];
  const theirs: { ms: number; peakRss: number }[] = [];
  const station = new StationProcess(dataDir, { ...BENCH_STATION_ENV, BENCH_ELD_FILE: eldFile });
  try {
    for (let r = 0; r < rounds; r++) {
      await station.start({}, ['--import', PROBE]);
      const key = await station.key('user');
      await sleep(300);
      const baselineRss = memory(station.pid).rss;
      process.kill(station.pid, 'SIGUSR2'); // resets the delay histogram: measure the export only
      await sleep(100);
      let peak = 0;
      const timer = setInterval(() => (peak = Math.max(peak, memory(station.pid).rss)), 50);
      const start = now();
      const res = await fetch(`${station.url}/api/telemetry/export`, { headers: { 'x-api-key': key } });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      }
      const ms = now() - start;
      clearInterval(timer);
      if (res.status !== 200) throw new Error(`export answered ${res.status}`);
      process.kill(station.pid, 'SIGUSR2');
      for (let i = 0; i < 50 && !existsSync(eldFile); i++) await sleep(20);
      await sleep(50);
      const eld = JSON.parse(readFileSync(eldFile, 'utf8')) as { p50_ms: number; p99_ms: number; max_ms: number };
      rmSync(eldFile, { force: true });
      ours.push({ ms, rows: lines - 1, bytes, peakRss: peak, baselineRss, eld });
      await station.stop();
      if (peers.sqlite3) theirs.push(await cliExport(station.dbPath));
    }
  } finally {
    await station.kill('SIGKILL');
  }
  const rps = median(ours.map((o) => (o.rows / o.ms) * 1000));
  const cliRps = peers.sqlite3 ? median(theirs.map((t) => (rows / t.ms) * 1000)) : null;
  const exported = ours[0]?.rows ?? 0;
  return {
    id: 'export',
    title: `CSV export of ${rows} rows`,
    params: { rows, rounds, exported_rows: exported, csv_mb: round((ours[0]?.bytes ?? 0) / MB, 1) },
    subjects: {
      'station GET /api/telemetry/export': {
        rows_per_s: Math.round(rps),
        seconds: round(median(ours.map((o) => o.ms)) / 1000, 2),
        rss_before_mb: round(median(ours.map((o) => o.baselineRss)) / MB, 1),
        peak_rss_mb: round(median(ours.map((o) => o.peakRss)) / MB, 1),
        event_loop_delay_p50_ms: median(ours.map((o) => o.eld.p50_ms)),
        event_loop_delay_p99_ms: median(ours.map((o) => o.eld.p99_ms)),
        event_loop_delay_max_ms: median(ours.map((o) => o.eld.max_ms)),
      },
      'sqlite3 CLI -csv > /dev/null':
        cliRps === null
          ? { rows_per_s: null }
          : {
              rows_per_s: Math.round(cliRps),
              seconds: round(median(theirs.map((t) => t.ms)) / 1000, 2),
              peak_rss_mb: round(median(theirs.map((t) => t.peakRss)) / MB, 1),
            },
    },
    ratios: cliRps === null ? {} : { 'station / sqlite3 CLI rows_per_s': ratio(rps, cliRps) },
    rounds: ours.map((o, i) => ({ station: o, sqlite3: theirs[i] ?? null })),
    notes: [
      'The station streams from a worker thread with its own read-only connection; the HTTP client (the bench) reads and counts every byte, so the station figure includes loopback HTTP.',
      `Exported rows counted by the client: ${exported} (expected ${rows}).`,
    ],
  };
}
