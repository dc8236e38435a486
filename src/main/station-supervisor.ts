import {
  fromStationSchema,
  type FromStation,
  type StationFatal,
  type StationMigration,
  type StationReady,
  type StationSettings,
  type StationStatus,
  type ToStation,
} from '../shared/station-protocol';

/**
 * Runs the station in a process of its own and keeps it running: the main process only sends
 * messages (src/shared/station-protocol.ts) and never waits on a query, so heavy ingest cannot
 * freeze the window and a crash in the station cannot take the app with it.
 *
 * The child is Electron's UtilityProcess in the app; the tests hand in Node's child_process.fork
 * behind the same four members.
 */
export interface StationChild {
  postMessage(message: ToStation): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  /** asks it to stop (SIGTERM: the station shuts down cleanly) */
  kill(): boolean;
  pid?: number | undefined;
}

export interface Backoff {
  /** wait before the first restart */
  initialMs: number;
  /** the wait doubles with every failure in a row, up to this */
  maxMs: number;
  /** a station that ran this long since 'ready' starts counting failures from zero again */
  stableMs: number;
}

const EXIT_GRACE_MS = 100;

const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/** The wait before restart number `failures` (1-based): 1 s, 2 s, 4 s, ... up to maxMs. */
export function restartDelay(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}

export type SupervisorEvent =
  | { type: 'ready'; ready: StationReady; restarts: number }
  /** before it listens, it moves an older database's readings to the current layout; a restart carries on */
  | { type: 'migrating'; migration: StationMigration }
  /** it died (or never became ready); `fatal` is what it said before, if anything */
  | { type: 'crashed'; exitCode: number | null; fatal?: StationFatal; failures: number; restartInMs: number }
  | { type: 'stopped'; clean: boolean };

export interface SupervisorOptions {
  fork: () => StationChild;
  settings: StationSettings;
  backoff?: Partial<Backoff>;
  /**
   * A station that has not said 'ready' by then is killed and counts as a failure. None by default:
   * a first start may move a large database's readings to a new layout for minutes (it reports its
   * progress, which the window shows), and a kill would only put that off; the window never waits on it.
   */
  readyTimeoutMs?: number;
  /**
   * A station still running this long after 'shutdown' is killed (its WAL keeps every committed
   * reading either way). Longer than the 30 s a running background job gets to finish by default.
   */
  stopTimeoutMs?: number;
  /** ends a process for good (SIGKILL); Electron's kill() sends SIGTERM, which the station handles gracefully */
  forceKill?: (child: StationChild) => void;
  /**
   * Liveness: every intervalMs the running station is asked for its status; one that has answered
   * nothing for timeoutMs (an event loop stuck for good) is killed and restarted like a crash. Long
   * enough that a big batch or import, which holds the loop for seconds, never trips it. false: off.
   */
  watchdog?: { intervalMs: number; timeoutMs: number } | false;
  onEvent?: (event: SupervisorEvent) => void;
}

const DEFAULT_WATCHDOG = { intervalMs: 15_000, timeoutMs: 120_000 };

/** The first start failed: the app has nothing to show, so it says why and quits. */
export class StationStartError extends Error {
  override name = 'StationStartError';
  constructor(readonly fatal: Pick<StationFatal, 'kind' | 'message' | 'port'>) {
    super(fatal.message);
  }
}

/** A child that is exiting may refuse a message; its exit is handled on its own, never as a throw in a timer. */
function send(child: StationChild, message: ToStation): boolean {
  try {
    child.postMessage(message);
    return true;
  } catch {
    return false;
  }
}

type Pending = { resolve: (message: FromStation) => void; reject: (err: Error) => void };

export class StationSupervisor {
  private child: StationChild | undefined;
  private readyInfo: StationReady | undefined;
  private lastFatal: StationFatal | undefined;
  private failures = 0;
  private restarts = 0;
  private everReady = false;
  private stopping: Promise<{ clean: boolean }> | undefined;
  private cleanStop = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private firstStart?: { resolve: (ready: StationReady) => void; reject: (err: Error) => void };
  private exitWaiters: (() => void)[] = [];
  private readonly backoff: Backoff;
  private settings: StationSettings;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.settings = { ...options.settings, env: { ...options.settings.env } };
  }

  /** the running station, or undefined while it is down or restarting */
  get current(): StationReady | undefined {
    return this.readyInfo;
  }

  /** Starts the station; resolves on its first 'ready', rejects if that first start fails. */
  start(): Promise<StationReady> {
    if (this.child || this.firstStart) throw new Error('the station supervisor was already started');
    return new Promise((resolve, reject) => {
      this.firstStart = { resolve, reject };
      this.spawn();
    });
  }

  async status(): Promise<StationStatus> {
    return (await this.request({ type: 'status' })) as StationStatus;
  }

  /** The station writes the diagnostics file itself: it holds the database and the settings. */
  async saveDiagnostics(file: string): Promise<{ file: string; bytes: number }> {
    const reply = await this.request({ type: 'diagnostics', file });
    if (reply.type === 'diagnostics-failed') throw new Error(reply.message);
    if (reply.type !== 'diagnostics-saved') throw new Error(`unexpected reply ${reply.type}`);
    return { file: reply.file, bytes: reply.bytes };
  }

  /**
   * Asks the station to stop (HTTP drained, database closed) and waits until its process has
   * exited; kills it if it has not by stopTimeoutMs. `clean` says it confirmed a clean close.
   */
  stop(): Promise<{ clean: boolean }> {
    return (this.stopping ??= (async () => {
      this.clearTimers();
      const child = this.child;
      if (child) {
        const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
        if (!send(child, { type: 'shutdown' })) this.forceKill(child);
        this.later(this.options.stopTimeoutMs ?? 40_000, () => this.forceKill(child));
        await exited;
      }
      this.clearTimers();
      this.options.onEvent?.({ type: 'stopped', clean: this.cleanStop });
      return { clean: this.cleanStop };
    })());
  }

  private request(message: { type: 'status' } | { type: 'diagnostics'; file: string }): Promise<FromStation> {
    const child = this.child;
    if (!child || !this.readyInfo) return Promise.reject(new Error('the station is not running (it is starting or restarting)'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (!send(child, { ...message, id } as ToStation)) {
        this.pending.delete(id);
        reject(new Error('the station is not running'));
      }
    });
  }

  private spawn(): void {
    this.lastFatal = undefined;
    this.cleanStop = false;
    const child = this.options.fork();
    this.child = child;
    child.on('message', (raw) => this.onMessage(child, raw));
    // The last messages ('fatal', 'stopped') may still be on their way when the exit is reported:
    // a moment's grace lets them land first, so a failure is reported with its cause.
    child.on('exit', (code) => void setTimeout(() => this.onExit(child, code), EXIT_GRACE_MS));
    send(child, { type: 'start', settings: this.settings });
    if (this.options.readyTimeoutMs === undefined) return;
    this.later(this.options.readyTimeoutMs, () => {
      if (this.child === child && !this.readyInfo) {
        this.lastFatal = { type: 'fatal', phase: 'start', kind: 'internal', message: 'the station did not become ready in time' };
        this.forceKill(child);
      }
    });
  }

  private onMessage(child: StationChild, raw: unknown): void {
    if (child !== this.child) return;
    const parsed = fromStationSchema.safeParse(raw);
    if (!parsed.success) return; // not one of ours: a message is data from another process
    const message = parsed.data;
    switch (message.type) {
      case 'ready': {
        this.readyInfo = message;
        // a restarted station keeps the port: LAN devices and the window's origin stay valid
        this.settings.env = { ...this.settings.env, PORT: String(message.port) };
        if (this.everReady) this.restarts++;
        this.everReady = true;
        if (this.stopping) return; // it finished starting after the app began to quit
        this.later(this.backoff.stableMs, () => (this.failures = 0));
        this.watch(child);
        this.options.onEvent?.({ type: 'ready', ready: message, restarts: this.restarts });
        this.firstStart?.resolve(message);
        this.firstStart = undefined;
        return;
      }
      case 'migration':
        // only a station that is starting moves data; nothing to show once the app began to quit
        if (!this.readyInfo && !this.stopping) this.options.onEvent?.({ type: 'migrating', migration: message });
        return;
      case 'fatal':
        this.lastFatal = message;
        return;
      case 'stopped':
        this.cleanStop = true;
        return;
      case 'status':
      case 'diagnostics-saved':
      case 'diagnostics-failed': {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.resolve(message);
        return;
      }
    }
  }

  private onExit(child: StationChild, code: number | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.readyInfo = undefined;
    this.clearTimers();
    for (const waiter of this.pending.values()) waiter.reject(new Error('the station stopped before it answered'));
    this.pending.clear();
    if (this.stopping) {
      this.firstStart?.reject(new StationStartError({ kind: 'internal', message: 'the app quit before the station was ready' }));
      this.firstStart = undefined;
      for (const done of this.exitWaiters.splice(0)) done();
      return;
    }
    const fatal = this.lastFatal;
    if (this.firstStart) {
      this.firstStart.reject(new StationStartError(fatal ?? { kind: 'internal', message: `the station exited (code ${code}) before it was ready` }));
      this.firstStart = undefined;
      return;
    }
    this.failures++;
    const restartInMs = restartDelay(this.failures, this.backoff);
    this.options.onEvent?.({ type: 'crashed', exitCode: code, ...(fatal ? { fatal } : {}), failures: this.failures, restartInMs });
    this.later(restartInMs, () => this.spawn());
  }

  private watch(child: StationChild): void {
    const watchdog = this.options.watchdog ?? DEFAULT_WATCHDOG;
    if (!watchdog) return;
    let lastAnswer = Date.now();
    const tick = () => {
      if (this.child !== child || this.stopping) return;
      if (Date.now() - lastAnswer > watchdog.timeoutMs) {
        this.lastFatal = {
          type: 'fatal',
          phase: 'running',
          kind: 'internal',
          message: `the station stopped answering for ${Math.round(watchdog.timeoutMs / 1000)} s`,
        };
        this.forceKill(child);
        return;
      }
      this.request({ type: 'status' }).then(
        () => (lastAnswer = Date.now()),
        () => undefined, // it exited meanwhile: the exit is handled on its own
      );
      this.later(watchdog.intervalMs, tick);
    };
    this.later(watchdog.intervalMs, tick);
  }

  private forceKill(child: StationChild): void {
    if (this.options.forceKill) return this.options.forceKill(child);
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      else child.kill();
    } catch {
      // it exited meanwhile: nothing left to kill
    }
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
