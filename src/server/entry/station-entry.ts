import { resolve } from 'node:path';
import {
  toStationSchema,
  type FromStation,
  type StationFailureKind,
  type StationFatal,
  type StationMigration,
  type StationSettings,
  type ToStation,
} from '../../shared/station-protocol';
import { ConfigError, loadConfig, type Env } from '../config';
import { LayoutMoveStopped, MigrationError, type LayoutProgress } from '../db/migrate';
import { DatabaseNotWritableError } from '../db/open';
import { createLogger, createTeeLogger, type Logger } from '../logger';
import { startStation, type Station } from '../station';
import { writeDiagnostics } from '../support/diagnostics';
import { openLogFile, type LogFile } from '../support/log-file';
import { VERSION } from '../version';

/**
 * The station's one entry: the desktop app's utility process, `child_process.fork` in the tests and
 * the headless `serve` command all run the station through this, with the messages of
 * src/shared/station-protocol.ts. Only the channel differs (see station-process.ts and
 * inProcessChannel below).
 */
export interface ParentChannel {
  /** resolves once the message has left this process (exiting earlier could drop it) */
  send(message: FromStation): void | Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** the parent went away (a forked child whose parent died): stop cleanly */
  onDisconnect?(listener: () => void): void;
}

export interface EntryOptions {
  env: Record<string, string | undefined>;
  /** ends the process (process.exit); called once, after 'stopped' (0) or 'fatal' (1) was sent */
  exit(code: number): void;
  /** headless only: a generated first-admin password to show once (the desktop app shows its setup screen instead) */
  onGeneratedAdminPassword?: (username: string, password: string) => void;
}

type State = 'idle' | 'starting' | 'running' | 'stopping';

/** Maps a start or run failure to the kind the parent words for a field engineer. */
function classifyFailure(err: unknown): { kind: StationFailureKind; port?: number } {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code === 'EADDRINUSE') return { kind: 'port-in-use', port: e.port };
  if (e?.code === 'EACCES' && e.port !== undefined) return { kind: 'port-denied', port: e.port };
  // its fix is a permission, not a setting
  if (err instanceof DatabaseNotWritableError) return { kind: 'database-not-writable' };
  if (err instanceof ConfigError) return { kind: 'config' };
  if (err instanceof MigrationError) return { kind: 'migration' };
  return { kind: 'internal' };
}

/** A layout move's progress as the parent gets it: figures for the window, the time left estimated here. */
function migrationMessage(p: LayoutProgress): StationMigration {
  const left = p.total - p.inNewLayout;
  return {
    type: 'migration',
    phase: p.phase,
    movedRows: p.inNewLayout,
    totalRows: p.total,
    resumedAtRows: p.resumedAt,
    rowsPerS: p.rowsPerSecond,
    ...(p.rowsPerSecond > 0 ? { secondsLeft: Math.round(left / p.rowsPerSecond) } : {}),
  };
}

export function runStationEntry(channel: ParentChannel, options: EntryOptions): void {
  let state: State = 'idle';
  let station: Station | undefined;
  let logger: Logger | undefined;
  let logFile: LogFile | undefined;
  let logDir: string | undefined;
  let stopAfterStart: string | undefined;
  // a shutdown while starting stops a long data move between two batches instead of waiting for it
  const starting = new AbortController();
  let exited = false;
  const startedAt = Date.now();

  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    options.exit(code);
  };

  const fail = async (phase: StationFatal['phase'], err: unknown) => {
    if (exited) return;
    const { kind, port } = classifyFailure(err);
    const message = err instanceof Error ? err.message : String(err);
    if (logger) logger.fatal({ err, kind }, phase === 'start' ? 'station could not start' : 'station failed');
    else if (kind === 'internal') process.stderr.write(`${(err as Error)?.stack ?? message}\n`);
    logFile?.flushSync();
    await channel.send({ type: 'fatal', phase, kind, message, ...(port !== undefined ? { port } : {}) });
    exit(1);
  };

  const start = async (settings: StationSettings) => {
    state = 'starting';
    try {
      const overrides = { ...(settings.dataDir ? { DATA_DIR: settings.dataDir } : {}), ...settings.env } as Env;
      const config = loadConfig(options.env, overrides);
      const dir = settings.logDir ?? options.env.LOG_DIR;
      let logFileError: unknown;
      if (dir) {
        try {
          logFile = await openLogFile(resolve(dir));
          logDir = logFile.dir;
        } catch (err) {
          // a station that cannot keep log files still serves: it logs to stdout and says why
          logFileError = err;
        }
      }
      logger = logFile ? createTeeLogger(config.logLevel, config.logPretty, logFile.stream) : createLogger(config.logLevel, config.logPretty);
      if (logFileError) logger.warn({ err: logFileError, logDir: resolve(dir!) }, 'log files unavailable; logging to stdout only');
      station = await startStation(config, {
        logger,
        onGeneratedAdminPassword: options.onGeneratedAdminPassword,
        onMigrationProgress: (p) => void channel.send(migrationMessage(p)),
        signal: starting.signal,
      });
    } catch (err) {
      if (err instanceof LayoutMoveStopped && stopAfterStart) {
        // asked to stop: what moved is committed and the database closed; the next start carries on
        logger?.info({ reason: stopAfterStart }, err.message);
        state = 'stopping';
        await logFile?.close();
        await channel.send({ type: 'stopped' });
        exit(0);
        return;
      }
      await fail('start', err);
      return;
    }
    state = 'running';
    channel.send({
      type: 'ready',
      url: station.url,
      port: station.port,
      version: VERSION,
      pid: process.pid,
      dataDir: station.config.dataDir,
      databasePath: station.config.databasePath,
      ...(logDir ? { logDir } : {}),
    });
    if (stopAfterStart) await shutdown(stopAfterStart);
  };

  const shutdown = async (reason: string) => {
    if (state === 'starting') {
      stopAfterStart ??= `${reason} (while starting)`;
      starting.abort();
      return;
    }
    if (state === 'stopping') return;
    const wasRunning = state === 'running';
    state = 'stopping';
    if (wasRunning && station) {
      logger?.info({ reason }, 'shutting down');
      try {
        // HTTP drains first: requests in flight are answered and their readings committed
        await station.close();
      } catch (err) {
        await fail('running', err);
        return;
      }
      await logFile?.close();
    }
    await channel.send({ type: 'stopped' });
    exit(0);
  };

  const status = (id: number) => {
    const memory = process.memoryUsage();
    channel.send({
      type: 'status',
      id,
      state,
      ...(station ? { url: station.url } : {}),
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    });
  };

  const diagnostics = async (id: number, file: string) => {
    if (state !== 'running' || !station) {
      channel.send({ type: 'diagnostics-failed', id, message: `the station is ${state}, not running` });
      return;
    }
    try {
      logFile?.flushSync();
      const saved = await writeDiagnostics(file, { config: station.config, logDir });
      logger?.info({ file: saved.file, bytes: saved.bytes }, 'diagnostics saved');
      channel.send({ type: 'diagnostics-saved', id, ...saved });
    } catch (err) {
      logger?.warn({ err }, 'diagnostics could not be saved');
      channel.send({ type: 'diagnostics-failed', id, message: (err as Error).message });
    }
  };

  const handle = (message: ToStation) => {
    switch (message.type) {
      case 'start':
        if (state === 'idle') void start(message.settings);
        return;
      case 'status':
        return status(message.id);
      case 'diagnostics':
        return void diagnostics(message.id, message.file);
      case 'shutdown':
        return void shutdown('asked by the parent');
    }
  };

  channel.onMessage((raw) => {
    const parsed = toStationSchema.safeParse(raw);
    // a message is data from another process: anything unexpected is logged and ignored
    if (parsed.success) handle(parsed.data);
    else logger?.warn({ issues: parsed.error.issues.slice(0, 3) }, 'ignored an invalid message from the parent');
  });
  channel.onDisconnect?.(() => void shutdown('the parent process went away'));
  // A repeated SIGTERM (timeout(1) signals the process and its group) must not cut the clean close
  // short; a second Ctrl-C still does, as a person pressing it twice means.
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('uncaughtException', (err) => void fail(state === 'starting' ? 'start' : 'running', err));
}

/**
 * The channel when parent and station share a process (the headless `serve` command). Requests
 * arrive on a later tick, as they would from another process.
 */
export function inProcessChannel(onMessage: (message: FromStation) => void): { channel: ParentChannel; send(message: ToStation): void } {
  let listener: ((message: unknown) => void) | undefined;
  return {
    channel: {
      // synchronous: the parent must see 'fatal' or 'stopped' before the process exits
      send: (message) => onMessage(message),
      onMessage: (l) => void (listener = l),
    },
    send: (message) => setImmediate(() => listener?.(message)),
  };
}
