import { join } from 'node:path';
import type { StationFatal, StationSettings } from '../shared/station-protocol';

export interface DesktopStationOptions {
  /** Electron's `app.getPath('userData')`: the desktop app keeps its database, secrets, logs and settings.json there */
  userDataDir: string;
  env: Record<string, string | undefined>;
  /** extra browser origins allowed to call the API (the renderer dev server in `npm run dev`) */
  extraCorsOrigins?: string[];
}

/** The folder of the rotating log files (the station's and the desktop shell's). */
export const logsDir = (userDataDir: string) => join(userDataDir, 'logs');

/**
 * What the desktop app asks its station process to run with: the same station as `npm run serve`,
 * its data and logs in userData whatever DATA_DIR says, and always serving the UI the window shows
 * (a SERVE_UI=false copied from a headless setup must not blank it). No generated admin password:
 * a fresh install has no users and the UI shows its create-admin screen.
 */
export function desktopStationSettings(options: DesktopStationOptions): StationSettings {
  const cors = [options.env.CORS_ORIGINS, ...(options.extraCorsOrigins ?? [])].filter(Boolean).join(',');
  return {
    dataDir: options.userDataDir,
    logDir: logsDir(options.userDataDir),
    env: { SERVE_UI: 'true', ...(cors ? { CORS_ORIGINS: cors } : {}) },
  };
}

/** A station failure, in words a field engineer can act on. */
export function describeFailure(fatal: Pick<StationFatal, 'kind' | 'message' | 'port'>, userDataDir: string): string {
  const settings = join(userDataDir, 'settings.json');
  switch (fatal.kind) {
    case 'port-in-use':
      return (
        `The station's port${fatal.port ? ` ${fatal.port}` : ''} is already in use: another SMART Oilfield station ` +
        `(for example \`npm run serve\`) or another program is listening on it.\n\n` +
        `Stop that program, or choose another port: put {"PORT": "8001"} in ${settings} and start the app again.`
      );
    case 'port-denied':
      return `The station is not allowed to listen on its port${fatal.port ? ` ${fatal.port}` : ''}. Choose a port above 1024 with PORT in ${settings}.`;
    case 'database-not-writable':
      // a permissions problem, not a setting: the station's message already says what to fix
      return `The station cannot write its database: ${fatal.message}.`;
    case 'config':
      return `${fatal.message}\n\nFix it in ${settings} or in the environment, then start the app again.`;
    case 'migration':
      return `The database could not be opened: ${fatal.message}`;
    case 'internal':
      return `The station could not start: ${fatal.message}\n\nThe log files are in ${logsDir(userDataDir)}.`;
  }
}
