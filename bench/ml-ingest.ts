/**
 * Ingest throughput with and without alarm scoring (ML_ALARMS=true|false), side by side in one run.
 *
 *   npx tsx bench/ml-ingest.ts            (env: ML_BENCH_READINGS=20000 ML_BENCH_ROUNDS=3 ML_BENCH_CONCURRENCY=4)
 *
 * Self-contained: builds the station if needed, starts it as its own process (out/main/cli.js serve)
 * per round with a temp data dir on 127.0.0.1, posts batches of 100 readings of one device each
 * (so every batch gives the scheduler 100 new readings to score with the shipped forest), and prints
 * JSON: readings/s, batch latency, and the station's CPU seconds until scoring has drained. Rounds
 * alternate on/off/off/on so drift on a shared machine does not favour one side.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sleep, StationProcess } from '../test/reliability/helpers/station-process';

const READINGS = Number(process.env.ML_BENCH_READINGS ?? 20_000);
const ROUNDS = Number(process.env.ML_BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.ML_BENCH_CONCURRENCY ?? 4);
const BATCH = 100;
const DEVICES = 20;
const STATION_ENV = { READ_RATE_LIMIT: '0', INGEST_RATE_LIMIT: '0', LOG_LEVEL: 'error' };

interface Round {
  alarms: boolean;
  readings_per_s: number;
  batch_p50_ms: number;
  batch_p95_ms: number;
  /** station CPU (user + system) from the first batch until it is idle again: ingest + scoring */
  station_cpu_s: number;
  alarms_opened: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** utime + stime of a process in seconds, from /proc (clock ticks are 100/s on Linux). */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/**
 * Waits until the station burns less than 1 % of a core over 3 s (scoring drained). The window is
 * longer than the scheduler's longest pause between steps (2 s), so a pause is not taken for idle.
 */
async function idle(pid: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const a = cpuSeconds(pid);
    await sleep(3_000);
    if (cpuSeconds(pid) - a < 0.03) return;
  }
}

function batches(): object[][] {
  const start = Math.floor(Date.now() / 1000) - Math.ceil(READINGS / DEVICES) * 60 - 3600;
  const out: object[][] = [];
  const perDevice = Math.ceil(READINGS / DEVICES);
  // Device-major order within time slices: each batch is 100 consecutive minutes of one well.
  for (let from = 0; from < perDevice; from += BATCH) {
    for (let d = 0; d < DEVICES; d++) {
      out.push(
        Array.from({ length: Math.min(BATCH, perDevice - from) }, (_, k) => {
          const i = from + k;
          // A slow daily wave plus noise; device 0 has a pressure step halfway (alarms have work).
          const step = d === 0 && i > perDevice / 2 ? 150 : 0;
          return {
            device_id: `bench-well-${d}`,
            ts: start + i * 60,
            temperature: 80 + 2 * Math.sin(i / 240) + 0.05 * Math.sin(i * 1.7 + d),
            pressure: 1000 + 20 * Math.cos(i / 300) + 0.5 * Math.cos(i * 2.3 + d) + step,
          };
        }),
      );
    }
  }
  return out;
}

async function round(alarms: boolean): Promise<Round> {
  const s = await new StationProcess(undefined, { ...STATION_ENV, ML_ALARMS: String(alarms) }).start();
  try {
    const key = await s.key('device');
    const admin = await s.token();
    const work = batches();
    const latencies: number[] = [];
    let next = 0;
    const cpu0 = cpuSeconds(s.pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < work.length) {
          const body = work[next++]!;
          const t = performance.now();
          const res = await s.call('POST', '/api/telemetry/batch', { key, body });
          if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${res.text.slice(0, 200)}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await idle(s.pid);
    const cpu = cpuSeconds(s.pid) - cpu0;
    const list = await s.call<unknown[]>('GET', '/api/alarms?limit=1000', { token: admin });
    return {
      alarms,
      readings_per_s: Math.round(READINGS / seconds),
      batch_p50_ms: Math.round(quantile(latencies, 0.5) * 10) / 10,
      batch_p95_ms: Math.round(quantile(latencies, 0.95) * 10) / 10,
      station_cpu_s: Math.round(cpu * 100) / 100,
      alarms_opened: Array.isArray(list.body) ? list.body.length : 0,
    };
  } finally {
    await s.remove();
  }
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [true, false] : [false, true];
    for (const alarms of order) {
      process.stderr.write(`[ml-ingest] round ${r + 1}/${ROUNDS}, alarms ${alarms ? 'on' : 'off'}\n`);
      rounds.push(await round(alarms));
    }
  }
  const side = (on: boolean) => {
    const rs = rounds.filter((r) => r.alarms === on);
    return {
      readings_per_s: Math.round(median(rs.map((r) => r.readings_per_s))),
      batch_p95_ms: median(rs.map((r) => r.batch_p95_ms)),
      station_cpu_s: median(rs.map((r) => r.station_cpu_s)),
      alarms_opened: rs[0]?.alarms_opened ?? 0,
    };
  };
  const on = side(true);
  const off = side(false);
  // Each round runs both sides back to back: their ratio is the fairest comparison on a shared machine.
  const pairRatios = Array.from({ length: ROUNDS }, (_, r) => {
    const [a, b] = [rounds[2 * r]!, rounds[2 * r + 1]!];
    const [withAlarms, without] = a.alarms ? [a, b] : [b, a];
    return Math.round((withAlarms.readings_per_s / without.readings_per_s) * 1000) / 1000;
  });
  process.stdout.write(
    `${JSON.stringify(
      {
        case: 'ml-ingest',
        readings: READINGS,
        batch_size: BATCH,
        devices: DEVICES,
        concurrency: CONCURRENCY,
        alarms_on: on,
        alarms_off: off,
        throughput_ratio_on_over_off: median(pairRatios),
        pair_ratios: pairRatios,
        extra_cpu_s_per_1000_readings: Math.round(((on.station_cpu_s - off.station_cpu_s) / (READINGS / 1000)) * 1000) / 1000,
        rounds,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
