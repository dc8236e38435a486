import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ADMIN, CLI, ROOT } from '../../test/reliability/helpers/station-process';
import { freePort } from '../../test/server/helpers/tsdb';
import type { BenchEnv } from '../lib/env';
import { median, now, ratio, round, sleep } from '../lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from '../lib/types';

const BARE = fileURLToPath(new URL('../bare-server.ts', import.meta.url));

/** Spawns a process and polls /health every 5 ms; returns ms from spawn to the first 200. */
async function timeToHealth(args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const start = now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        await res.arrayBuffer();
        if (res.status === 200) return now() - start;
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}

/**
 * Case 6: process start to /health answering 200, for an empty (already initialised) database and
 * for the N-row one, next to a bare Express process (the floor: node + express start-up).
 */
export async function startup(env: BenchEnv, emptyDir: string, fullDir: string, rows: number): Promise<CaseResult> {
  const stationEnv = (dir: string) => ({
    ...BENCH_STATION_ENV,
    DATA_DIR: dir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    SERVE_UI: 'false',
  });
  const rounds = Math.max(3, env.rounds + 2);
  const empty: number[] = [];
  const full: number[] = [];
  const bare: number[] = [];
  // The first start of a data dir creates the admin (scrypt) and runs migrations: not measured.
  await timeToHealth([CLI, 'serve'], stationEnv(emptyDir));
  await timeToHealth([CLI, 'serve'], stationEnv(fullDir));
  for (let r = 0; r < rounds; r++) {
    empty.push(await timeToHealth([CLI, 'serve'], stationEnv(emptyDir)));
    full.push(await timeToHealth([CLI, 'serve'], stationEnv(fullDir)));
    bare.push(await timeToHealth(['--import', 'tsx', BARE], {}));
  }
  const e = median(empty);
  const f = median(full);
  const b = median(bare);
  return {
    id: 'startup',
    title: 'Start-up: process start to /health answering',
    params: { rounds, rows },
    subjects: {
      'station, empty database': { ms: round(e, 1) },
      [`station, ${rows}-row database`]: { ms: round(f, 1) },
      'bare Express 5 process (tsx)': { ms: round(b, 1) },
    },
    ratios: { 'full / empty database': ratio(f, e), 'empty station / bare Express': ratio(e, b) },
    rounds: empty.map((v, i) => ({ empty: v, full: full[i], bare: bare[i] })),
    notes: [
      'The bare process is started through tsx (a TypeScript loader), which makes it slower than plain node; the station runs its built bundle with plain node.',
    ],
  };
}
