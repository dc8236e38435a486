import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logger';
import { startStation, type Station } from '../../src/server/station';
import { callStation } from './helpers/http';
import { ADMIN, minutesAgo } from './helpers/station';

/** One log line per answered request (src/server/http/request-log.ts), at the level its status calls for. */
const started: { station: Station; dir: string }[] = [];
afterAll(async () => {
  for (const s of started) {
    await s.station.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function stationLogging(level: 'info' | 'error') {
  const dir = mkdtempSync(join(tmpdir(), 'oilfield-reqlog-'));
  const out = new PassThrough();
  const lines: Record<string, any>[] = [];
  let rest = '';
  out.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) if (p) lines.push(JSON.parse(p) as Record<string, any>);
  });
  const config = loadConfig({}, { DATA_DIR: dir, PORT: 0, HOST: '127.0.0.1', ADMIN_PASSWORD: ADMIN.password, SERVE_UI: 'false', LOG_LEVEL: level });
  const station = await startStation(config, { logger: createLogger(level, false, out) });
  started.push({ station, dir });
  const requestLines = () => lines.filter((l) => l.req && l.res);
  return { url: station.url, requestLines };
}

describe('request log', () => {
  it('when requests are answered, then each gets one line with method, path without query, status and time, at info or warn', async () => {
    const s = await stationLogging('info');
    const token = ((await (await fetch(`${s.url}/token`, { method: 'POST', body: new URLSearchParams(ADMIN) })).json()) as { access_token: string })
      .access_token;
    expect((await callStation(s.url, 'POST', '/api/telemetry', { token, body: { device_id: 'log-1', ts: minutesAgo(5), temperature: 1 } })).status).toBe(403);
    expect((await callStation(s.url, 'GET', '/api/telemetry?device_id=log-1&limit=5', { token })).status).toBe(200);
    expect((await callStation(s.url, 'GET', '/api/telemetry/999999', { token })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100)); // the finish events of the last answers
    const lines = s.requestLines();
    const post = lines.find((l) => l.req.method === 'POST' && l.req.url === '/api/telemetry')!;
    expect(post).toMatchObject({ level: 40, res: { status: 403 }, req: { remote: '127.0.0.1' } });
    const list = lines.find((l) => l.req.method === 'GET' && l.req.url === '/api/telemetry')!;
    expect(list).toMatchObject({ level: 30, res: { status: 200 } });
    expect(list.msg).toMatch(/^GET \/api\/telemetry 200 \d+ms$/);
    expect(typeof list.responseTime).toBe('number');
    const missing = lines.find((l) => l.req.url === '/api/telemetry/999999')!;
    expect(missing).toMatchObject({ level: 40, res: { status: 404 } });
    expect(lines.filter((l) => l.req.url === '/api/telemetry/999999')).toHaveLength(1);
  });

  it('when the level is error, then answered 2xx and 4xx requests write no line', async () => {
    const s = await stationLogging('error');
    expect((await callStation(s.url, 'GET', '/health')).status).toBe(200);
    expect((await callStation(s.url, 'GET', '/api/telemetry')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.requestLines()).toEqual([]);
  });
});
