import { join } from 'node:path';
import { ConfigError, loadConfig, type Env } from '../server/config';
import { MigrationError } from '../server/db/migrate';
import { DatabaseNotWritableError } from '../server/db/open';
import { startStation, type Station } from '../server/station';

export interface DesktopStationOptions {
  /** Electron's `app.getPath('userData')`: the desktop app keeps its database, secrets and settings.json there */
  userDataDir: string;
  env?: Record<string, string | undefined>;
  /** extra browser origins allowed to call the API (the renderer dev server in `npm run dev`) */
  extraCorsOrigins?: string[];
  /** how long to wait for /health before giving up */
  healthTimeoutMs?: number;
}

/**
 * Starts the same station as `npm run serve`, with its data in the desktop app's userData folder,
 * and returns once `/health` answers. No `onGeneratedAdminPassword`: a fresh install has no users
 * and the UI shows its create-admin screen (`/api/setup`) instead of printing a password nobody sees.
 */
export async function startDesktopStation(options: DesktopStationOptions): Promise<Station> {
  const env = options.env ?? process.env;
  // The window shows the UI the station serves, so a SERVE_UI=false copied from a headless setup must not blank it.
  const overrides: Env = { DATA_DIR: options.userDataDir, SERVE_UI: 'true' };
  const cors = [env.CORS_ORIGINS, ...(options.extraCorsOrigins ?? [])].filter(Boolean).join(',');
  if (cors) overrides.CORS_ORIGINS = cors;
  const config = loadConfig(env, overrides);
  const station = await startStation(config);
  try {
    await waitForHealth(station.url, options.healthTimeoutMs ?? 15_000);
  } catch (err) {
    await station.close();
    throw err;
  }
  return station;
}

/** Polls `${url}/health` until it answers 200; the window opens only on a station that works. */
export async function waitForHealth(url: string, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(Math.max(500, intervalMs * 5)) });
      await res.body?.cancel();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`the station at ${url} did not become healthy (${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The slice of Electron's `app` the quit hook uses. */
export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Closes the station before the app exits. Electron does not wait for promises in 'before-quit',
 * so the first quit is postponed, the station closes (HTTP drained, SQLite checkpointed and
 * closed), and then quit runs again and goes through. Further quits while closing are absorbed.
 */
export function closeStationOnQuit(app: QuittableApp, station: Pick<Station, 'close'>, onError: (err: unknown) => void): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    station
      .close()
      .catch(onError)
      .finally(() => {
        state = 'closed';
        app.quit();
      });
  });
}

/** A start failure, in words a field engineer can act on (shown in an error box before quitting). */
export function describeStartError(err: unknown, userDataDir: string): string {
  const settings = join(userDataDir, 'settings.json');
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code === 'EADDRINUSE') {
    return (
      `The station's port${e.port ? ` ${e.port}` : ''} is already in use: another SMART Oilfield station ` +
      `(for example \`npm run serve\`) or another program is listening on it.\n\n` +
      `Stop that program, or choose another port: put {"PORT": "8001"} in ${settings} and start the app again.`
    );
  }
  if (e?.code === 'EACCES') return `The station is not allowed to listen on its port. Choose a port above 1024 with PORT in ${settings}.`;
  // a permissions problem, not a setting: its message already says what to fix
  if (err instanceof DatabaseNotWritableError) return `The station cannot write its database: ${err.message}.`;
  if (err instanceof ConfigError) return `${err.message}\n\nFix it in ${settings} or in the environment, then start the app again.`;
  if (err instanceof MigrationError) return `The database could not be opened: ${err.message}`;
  return `The station could not start: ${err instanceof Error ? err.message : String(err)}`;
}
