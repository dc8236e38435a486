import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { hasBinary } from './peers';

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  requests_per_s: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  non_2xx: number;
  errors: number;
}

const LUA = fileURLToPath(new URL('../ingest.lua', import.meta.url));

/**
 * Drives POST /api/telemetry with unique readings for `seconds`. wrk (Debian) is preferred: it
 * costs far less CPU than a Node load generator on a 2-core machine; autocannon is the fallback.
 */
export async function runIngestLoad(url: string, opts: { seconds: number; connections: number; key?: string; tsBase: number }): Promise<LoadResult> {
  if (hasBinary('wrk')) return runWrk(url, opts);
  return runAutocannon(url, opts);
}

function runWrk(url: string, o: { seconds: number; connections: number; key?: string; tsBase: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '-s', LUA, url], {
      env: { ...process.env, BENCH_KEY: o.key ?? '', BENCH_TS_BASE: String(o.tsBase) },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (!Number.isFinite(rps)) return reject(new Error(`wrk output not understood:\n${out}`));
      const ms = (label: string) => {
        const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
        if (!m) return null;
        const v = Number(m[1]);
        return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
      };
      const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        tool: 'wrk',
        requests_per_s: rps,
        latency_p50_ms: ms('50'),
        latency_p99_ms: ms('99'),
        non_2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
        errors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}

async function runAutocannon(url: string, o: { seconds: number; connections: number; key?: string; tsBase: number }): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: o.seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/telemetry',
        headers: { 'content-type': 'application/json', ...(o.key ? { 'x-api-key': o.key } : {}) },
        setupRequest: (req: Record<string, unknown>) => {
          counter++;
          return {
            ...req,
            body: JSON.stringify({ device_id: `ac-${counter % 10}`, ts: o.tsBase + counter / 1000, temperature: 20, pressure: 1000, status: 'ok' }),
          };
        },
      },
    ],
  });
  return {
    tool: 'autocannon',
    requests_per_s: result.requests.average,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
  };
}
