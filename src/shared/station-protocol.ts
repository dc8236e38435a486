import { z } from 'zod';

/**
 * Messages between a parent (the Electron main process, a test, or the headless `serve` command)
 * and the station entry module (src/server/entry). The transport differs: Electron's
 * `utilityProcess` (postMessage / process.parentPort), Node's `child_process.fork` (send /
 * process.on('message')), or a direct call in the same process; the messages are the same.
 * Both sides parse what they receive with these schemas: a message is data from another process.
 */

/** What the parent asks the station to run with; `env` wins over the station's environment. */
const stationSettingsSchema = z.strictObject({
  /** DATA_DIR (the desktop app's userData folder); else the environment's DATA_DIR */
  dataDir: z.string().min(1).optional(),
  /** configuration variables (as in the README) that override the environment and settings.json */
  env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
  /** write logs to rotating files in this folder as well as stdout; else LOG_DIR, else stdout only */
  logDir: z.string().min(1).optional(),
});
export type StationSettings = z.infer<typeof stationSettingsSchema>;

const requestId = z.number().int().nonnegative();

export const toStationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), settings: stationSettingsSchema }),
  z.strictObject({ type: z.literal('status'), id: requestId }),
  /** write a diagnostics file (versions, settings without secrets, recent logs, database health) */
  z.strictObject({ type: z.literal('diagnostics'), id: requestId, file: z.string().min(1) }),
  /** drain HTTP, finish what is in flight, close the database cleanly, then exit 0 */
  z.strictObject({ type: z.literal('shutdown') }),
]);
export type ToStation = z.infer<typeof toStationSchema>;

/** Why a station could not start or stopped; the parent words it for a field engineer. */
const STATION_FAILURE_KINDS = ['config', 'port-in-use', 'port-denied', 'database-not-writable', 'migration', 'internal'] as const;
export type StationFailureKind = (typeof STATION_FAILURE_KINDS)[number];

const stationFatalSchema = z.strictObject({
  type: z.literal('fatal'),
  /** 'start': it never became ready; 'running': it was serving and died */
  phase: z.enum(['start', 'running']),
  kind: z.enum(STATION_FAILURE_KINDS),
  message: z.string(),
  port: z.number().int().optional(),
});
export type StationFatal = z.infer<typeof stationFatalSchema>;

const stationReadySchema = z.strictObject({
  type: z.literal('ready'),
  /** base URL, e.g. http://127.0.0.1:8000 */
  url: z.string(),
  port: z.number().int(),
  version: z.string(),
  pid: z.number().int(),
  dataDir: z.string(),
  databasePath: z.string(),
  /** where the rotating log files are, when there are any */
  logDir: z.string().optional(),
});
export type StationReady = z.infer<typeof stationReadySchema>;

const stationStatusSchema = z.strictObject({
  type: z.literal('status'),
  id: requestId,
  state: z.enum(['idle', 'starting', 'running', 'stopping']),
  url: z.string().optional(),
  uptimeS: z.number(),
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
});
export type StationStatus = z.infer<typeof stationStatusSchema>;

const rows = z.number().int().nonnegative();

/**
 * Sent while the station, before it listens, moves the readings of an older database to the current
 * storage layout (migration 012): once before the first batch, after every batch (50,000 rows),
 * then 'finishing' and 'done'. Counts include rows an earlier, interrupted start moved, so a
 * restarted station carries on from the same figures.
 */
const stationMigrationSchema = z
  .strictObject({
    type: z.literal('migration'),
    phase: z.enum(['moving', 'finishing', 'done']),
    /** readings in the new layout so far */
    movedRows: rows,
    /** readings it holds when the move is done */
    totalRows: rows,
    /** moved by an earlier start that was stopped or killed: where this one resumed */
    resumedAtRows: rows,
    /** this start's rate; 0 before its first batch */
    rowsPerS: z.number().nonnegative().finite(),
    /** estimated from that rate; absent before the first batch */
    secondsLeft: z.number().nonnegative().finite().optional(),
  })
  .refine((m) => m.resumedAtRows <= m.movedRows && m.movedRows <= m.totalRows, {
    message: 'expected resumedAtRows <= movedRows <= totalRows',
  });
export type StationMigration = z.infer<typeof stationMigrationSchema>;

export const fromStationSchema = z.discriminatedUnion('type', [
  stationReadySchema,
  stationStatusSchema,
  stationMigrationSchema,
  z.strictObject({ type: z.literal('diagnostics-saved'), id: requestId, file: z.string(), bytes: z.number().int() }),
  z.strictObject({ type: z.literal('diagnostics-failed'), id: requestId, message: z.string() }),
  /** the database is closed; the process exits 0 right after */
  z.strictObject({ type: z.literal('stopped') }),
  stationFatalSchema,
]);
export type FromStation = z.infer<typeof fromStationSchema>;
