import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, StationProcess } from '../../reliability/helpers/station-process';

export { ADMIN, ROOT } from '../../reliability/helpers/station-process';

/**
 * The built headless station (`node out/main/cli.js serve`) with SERVE_UI on, a temp data dir and
 * PORT=0: the reliability suite's StationProcess, serving the built UI. `npm run test:e2e` builds first.
 */
export class UiStation extends StationProcess {
  constructor() {
    super(mkdtempSync(join(tmpdir(), 'oilfield-e2e-')), { SERVE_UI: 'true', LOG_LEVEL: 'warn' });
  }

  override async start(env: Record<string, string> = {}): Promise<this> {
    if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
      throw new Error('out/renderer is missing: run npm run build (npm run test:e2e does it)');
    }
    return super.start(env);
  }

  async api(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Stops the station gracefully, then removes its data dir. */
  override async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A device's readings, one a minute up to `end` (now), posted with a fresh device key. */
export async function seedReadings(
  station: UiStation,
  admin: string,
  deviceId: string,
  count: number,
  value: (i: number) => { temperature: number; pressure: number } = (i) => ({ temperature: 60 + (i % 10) / 10, pressure: 2000 + i }),
  end = Math.floor(Date.now() / 1000),
): Promise<void> {
  const now = end;
  const key = await station.key('device');
  const readings = Array.from({ length: count }, (_, i) => ({ device_id: deviceId, ts: now - (count - i) * 60, ...value(i) }));
  const res = await station.api('POST', '/api/telemetry/batch', admin, readings, { 'x-api-key': key });
  if (res.status !== 200) throw new Error(`seeding ${deviceId}: HTTP ${res.status} ${await res.text()}`);
}
