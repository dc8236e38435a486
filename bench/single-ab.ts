// Single-reading ingest, two station builds side by side against the bare Express route:
//   BENCH_A_ROOT=/tmp/base BENCH_B_ROOT=/tmp/new npx tsx bench/single-ab.ts
// Each root holds a built tree (out/main/cli.js) and a node_modules (a symlink does). Every round
// runs A, bare, B, bare (which build goes first alternates), so each build's ratio to the bare
// route is taken minutes apart on the same noisy machine. Prints each round and the medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followStation } from '../test/server/helpers/follow-station';
import { runIngestLoad } from './lib/load';
import { median, ratio } from './lib/stats';
import { BENCH_STATION_ENV } from './lib/types';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ADMIN = { username: 'admin', password: 'bench-admin-password' };

interface Running {
  url: string;
  child: ChildProcess;
  dir?: string;
}

async function startStation(root: string): Promise<Running & { key: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-ab-'));
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dir,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SERVE_UI: 'false',
      ...BENCH_STATION_ENV,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await followStation(child).ready;
  const token = (await (await fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams(ADMIN) })).json()) as { access_token: string };
  const created = await fetch(`${url}/api/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', role: 'device' }),
  });
  const key = ((await created.json()) as { key: string }).key;
  return { url, child, dir, key };
}

async function startBare(): Promise<Running> {
  const bare = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', bare], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { url: await followStation(child).ready, child };
}

/** CPU seconds (user + system) a process has used, from /proc: unlike requests/s it hardly moves with the machine's load. */
function cpuSeconds(r: Running): number {
  const fields = readFileSync(`/proc/${r.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A load round, with the server's CPU microseconds per answered request. */
async function measure(r: Running, key: string | undefined, tsBase: number) {
  const before = cpuSeconds(r);
  const load = await runIngestLoad(r.url, { seconds: SECONDS, connections: CONNECTIONS, key, tsBase });
  const cpuUsPerRequest = ((cpuSeconds(r) - before) * 1e6) / (load.requests_per_s * SECONDS);
  return { ...load, cpuUsPerRequest };
}

async function stop(r: Running): Promise<void> {
  await new Promise<void>((resolve) => {
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
  if (r.dir) rmSync(r.dir, { recursive: true, force: true });
}

const roots = { A: process.env.BENCH_A_ROOT, B: process.env.BENCH_B_ROOT };
if (!roots.A || !roots.B) throw new Error('set BENCH_A_ROOT and BENCH_B_ROOT to two built trees');
const stations = { A: await startStation(roots.A), B: await startStation(roots.B) };
const bare = await startBare();
const ratios: Record<'A' | 'B', number[]> = { A: [], B: [] };
const rps: Record<'A' | 'B' | 'bare', number[]> = { A: [], B: [], bare: [] };
const cpu: Record<'A' | 'B' | 'bare', number[]> = { A: [], B: [], bare: [] };
const tsBase = Math.floor(Date.now() / 1000) - 20 * 86_400;
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const s = stations[name];
      const ours = await measure(s, s.key, tsBase + (r + 1) * 100_000);
      const ref = await measure(bare, undefined, tsBase);
      cpu[name].push(ours.cpuUsPerRequest);
      cpu.bare.push(ref.cpuUsPerRequest);
      rps[name].push(ours.requests_per_s);
      rps.bare.push(ref.requests_per_s);
      ratios[name].push(ratio(ours.requests_per_s, ref.requests_per_s));
      const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
      process.stdout.write(
        `round ${r + 1} ${name}: ${ours.requests_per_s.toFixed(0)} req/s (p99 ${ours.latency_p99_ms} ms, non-2xx ${ours.non_2xx}) vs bare ${ref.requests_per_s.toFixed(0)}: ${ratio(ours.requests_per_s, ref.requests_per_s)}; CPU per request ${ours.cpuUsPerRequest.toFixed(0)} us vs bare ${ref.cpuUsPerRequest.toFixed(0)} us (load ${load})\n`,
      );
    }
  }
} finally {
  await Promise.all([stop(stations.A), stop(stations.B), stop(bare)]);
}
for (const name of ['A', 'B'] as const) {
  process.stdout.write(
    `${name} (${roots[name]}): median ${median(rps[name]).toFixed(0)} req/s, ratio to bare median ${median(ratios[name])} [${ratios[name].join(', ')}]\n`,
  );
}
process.stdout.write(`bare: median ${median(rps.bare).toFixed(0)} req/s, CPU per request median ${median(cpu.bare).toFixed(0)} us\n`);
