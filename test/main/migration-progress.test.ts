import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopStationSettings } from '../../src/main/station-settings';
import { StationSupervisor, type StationChild, type SupervisorEvent } from '../../src/main/station-supervisor';
import { formatRows, formatTimeLeft, migrationView, statusPageHtml, statusPageUrl, throttledViews, type StatusView } from '../../src/main/status-page';
import { fromStationSchema, type StationMigration, type ToStation } from '../../src/shared/station-protocol';
import { buildLegacyDb } from '../server/storage-legacy-db';
import { ForkedStation } from './helpers/fork-station';

/**
 * An older database's readings are moved to the current storage layout before the station listens
 * (migration 012). The station reports it ('migration' messages), the supervisor forwards it, and the
 * window's status page shows it with a progress bar.
 */
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const progress = (over: Partial<StationMigration> = {}): StationMigration => ({
  type: 'migration',
  phase: 'moving',
  movedRows: 4_200_000,
  totalRows: 10_000_000,
  resumedAtRows: 0,
  rowsPerS: 97_000,
  secondsLeft: 60,
  ...over,
});

describe('the migration message of the station protocol', () => {
  it('when the figures are consistent, then it parses, with or without an estimate', () => {
    expect(fromStationSchema.safeParse(progress()).success).toBe(true);
    const { secondsLeft: _, ...first } = progress({ movedRows: 0, rowsPerS: 0 });
    expect(fromStationSchema.safeParse(first).success).toBe(true);
    expect(fromStationSchema.safeParse(progress({ phase: 'done', movedRows: 10_000_000, secondsLeft: 0 })).success).toBe(true);
  });

  it.each([
    ['more moved than in total', { movedRows: 10_000_001 }],
    ['a resume point above what is moved', { resumedAtRows: 5_000_000 }],
    ['a negative count', { movedRows: -1 }],
    ['a fractional count', { totalRows: 10_000_000.5 }],
    ['an infinite rate', { rowsPerS: Number.POSITIVE_INFINITY }],
    ['a NaN estimate', { secondsLeft: Number.NaN }],
    ['a negative estimate', { secondsLeft: -5 }],
    ['an unknown phase', { phase: 'compacting' }],
    ['a count as text', { movedRows: '4200000' }],
    ['an unknown field', { html: '<b>x</b>' }],
  ])('when it has %s, then it is refused', (_what, over) => {
    expect(fromStationSchema.safeParse({ ...progress(), ...over }).success).toBe(false);
  });

  it('when a required figure is missing, then it is refused', () => {
    const { totalRows: _, ...partial } = progress();
    expect(fromStationSchema.safeParse(partial).success).toBe(false);
  });
});

/** A station process stand-in: the supervisor's side is real, the messages are whatever the test says. */
class StubChild implements StationChild {
  readonly sent: ToStation[] = [];
  private readonly listeners: { message: ((m: unknown) => void)[]; exit: ((code: number | null) => void)[] } = { message: [], exit: [] };
  postMessage(message: ToStation): void {
    this.sent.push(message);
    if (message.type === 'shutdown') setImmediate(() => this.exit(0));
  }
  on(event: 'message' | 'exit', listener: (arg: any) => void): this {
    this.listeners[event].push(listener);
    return this;
  }
  kill(): boolean {
    setImmediate(() => this.exit(null));
    return true;
  }
  say(message: unknown): void {
    for (const l of this.listeners.message) l(message);
  }
  exit(code: number | null): void {
    for (const l of this.listeners.exit) l(code);
  }
}

const READY = { type: 'ready', url: 'http://127.0.0.1:8000', port: 8000, version: '0.1.0', pid: 1, dataDir: '/d', databasePath: '/d/processed/oilfield.db' };

describe('StationSupervisor forwarding the move', () => {
  it('when the starting station reports the move, then each valid report is an event, invalid ones are dropped, and none after ready', async () => {
    const child = new StubChild();
    const events: SupervisorEvent[] = [];
    const supervisor = new StationSupervisor({ fork: () => child, settings: { env: {} }, watchdog: false, onEvent: (e) => events.push(e) });
    cleanup.push(() => supervisor.stop());
    const started = supervisor.start();
    expect(child.sent[0]).toMatchObject({ type: 'start' });

    const { secondsLeft: _, ...first } = progress({ movedRows: 0, rowsPerS: 0 });
    child.say(first);
    child.say(progress({ movedRows: 50_000 }));
    child.say(progress({ movedRows: 20_000_000 })); // more than the total: not forwarded
    child.say({ ...progress({ movedRows: 60_000 }), extra: 'x' });
    child.say(progress({ phase: 'done', movedRows: 10_000_000, secondsLeft: 0 }));
    child.say(READY);
    await started;
    child.say(progress({ movedRows: 100 })); // a running station has nothing to move

    expect(events.map((e) => e.type)).toEqual(['migrating', 'migrating', 'migrating', 'ready']);
    const forwarded = events.flatMap((e) => (e.type === 'migrating' ? [e.migration] : []));
    expect(forwarded.map((m) => [m.phase, m.movedRows])).toEqual([
      ['moving', 0],
      ['moving', 50_000],
      ['done', 10_000_000],
    ]);
    expect(forwarded[1]).toEqual(progress({ movedRows: 50_000 }));
  });

  it('when the app is killed half way through the move and started again, then the new station reports on from where the last one stopped', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'oilfield-migration-progress-'));
    cleanup.push(() => rmSync(userDataDir, { recursive: true, force: true }));
    const dbPath = join(userDataDir, 'processed', 'oilfield.db');
    mkdirSync(join(userDataDir, 'processed'));
    buildLegacyDb(dbPath, 300_000);

    /** one launch of the app: a supervisor and its station, stopped (or killed) at the end of the test */
    const launch = (onEvent: (e: SupervisorEvent, child: ForkedStation) => void) => {
      let child: ForkedStation | undefined;
      const supervisor = new StationSupervisor({
        fork: () => (child = new ForkedStation({ ADMIN_PASSWORD: 'migration-progress-pw', LOG_LEVEL: 'warn', SERVE_UI: 'false' })),
        settings: desktopStationSettings({ userDataDir, env: {} }),
        watchdog: false,
        onEvent: (e) => onEvent(e, child!),
      });
      cleanup.push(async () => {
        await supervisor.stop();
        if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      });
      return supervisor;
    };

    // the first launch dies after its first batch (a crash, a power cut, the task manager)
    const before: StationMigration[] = [];
    let killed = false;
    const first = launch((e, child) => {
      if (e.type !== 'migrating') return;
      before.push(e.migration);
      if (e.migration.movedRows > 0 && !killed) killed = child.child.kill('SIGKILL');
    });
    expect(await first.start().catch((err: Error) => err.message)).toMatch(/exited .* before it was ready/);
    expect(before.length).toBeGreaterThanOrEqual(2);

    const after: StationMigration[] = [];
    const events: SupervisorEvent['type'][] = [];
    const second = launch((e) => {
      events.push(e.type);
      if (e.type === 'migrating') after.push(e.migration);
    });
    await second.start();
    expect(events.at(-1)).toBe('ready');
    const total = before[0]!.totalRows;
    // it resumes at least as far as the first one reported (that one may have committed one more
    // batch before the kill landed), and ends at the same total
    expect(after[0]!.resumedAtRows).toBeGreaterThanOrEqual(before.at(-1)!.movedRows);
    expect(after[0]!.resumedAtRows).toBeLessThan(total);
    expect(after[0]!.movedRows).toBe(after[0]!.resumedAtRows);
    expect(after.at(-1)).toMatchObject({ phase: 'done', movedRows: total, totalRows: total });
    for (let i = 1; i < after.length; i++) expect(after[i]!.movedRows).toBeGreaterThanOrEqual(after[i - 1]!.movedRows);
    expect(migrationView(after[0]!).detail).toMatch(/carries on from where the last start stopped/);
  }, 60_000);
});

describe('the status page while the readings move', () => {
  it('when 4.2 M of 10 M rows are moved with a minute left, then it says so in one sentence above a bar at 42 %', () => {
    const view = migrationView(progress());
    expect(view.progress!.label).toBe('Moving readings to the new storage layout: 42 % (4.2 M of 10 M rows, about 1 min left)');
    expect(view.progress!.fraction).toBeCloseTo(0.42, 6);
    const html = statusPageHtml(view);
    expect(html).toContain('<progress max="1000" value="420"');
    expect(html).toContain('Moving readings to the new storage layout: 42 % (4.2 M of 10 M rows, about 1 min left)');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(view.detail).not.toMatch(/carries on from where/);
  });

  it('when the move was resumed after a stop, then the page says it carries on and from how far', () => {
    const view = migrationView(progress({ resumedAtRows: 3_000_000 }));
    expect(view.detail).toContain('It carries on from where the last start stopped (3 M rows were already moved)');
    expect(view.progress!.label).toContain('42 % (4.2 M of 10 M rows');
  });

  it('when the move has no rate yet, is finishing or is done, then the sentence says so and 100 % only at the end', () => {
    const { secondsLeft: _, ...first } = progress({ movedRows: 0, rowsPerS: 0 });
    expect(migrationView(first).progress!.label).toBe('Moving readings to the new storage layout: 0 % (0 of 10 M rows, estimating the time left)');
    expect(migrationView(progress({ movedRows: 9_999_999, secondsLeft: 0 })).progress!.label).toBe(
      'Moving readings to the new storage layout: 99 % (9.9 M of 10 M rows, less than a minute left)',
    );
    expect(migrationView(progress({ phase: 'finishing', movedRows: 10_000_000 })).progress!.label).toBe(
      'Moving readings to the new storage layout: 100 % (10 M of 10 M rows, finishing)',
    );
    const done = migrationView(progress({ phase: 'done', movedRows: 10_000_000, secondsLeft: 0 }));
    expect(done.title).toBe('Starting the station…');
    expect(done.progress!.fraction).toBe(1);
    expect(statusPageHtml(done)).toContain('value="1000"');
  });

  it('when the numbers are small or the time long, then they read as a person would write them', () => {
    expect([0, 999, 150_000, 999_999, 1_000_000, 4_249_999, 10_000_000, 123_456_789].map(formatRows)).toEqual([
      '0',
      '999',
      '150,000',
      '999,999',
      '1 M',
      '4.2 M',
      '10 M',
      '123.4 M',
    ]);
    expect([undefined, 0, 44, 45, 89, 150, 3599, 5399, 5400, 7260].map(formatTimeLeft)).toEqual([
      'estimating the time left',
      'less than a minute left',
      'less than a minute left',
      'about 1 min left',
      'about 1 min left',
      'about 3 min left',
      'about 60 min left',
      'about 1 h 30 min left',
      'about 1 h 30 min left',
      'about 2 h 1 min left',
    ]);
  });

  it('when the total is 0 or a fraction is out of range, then the bar stays within 0 and 100 %', () => {
    expect(migrationView(progress({ movedRows: 0, totalRows: 0, secondsLeft: 0 })).progress!.fraction).toBe(1);
    const view: StatusView = { title: 't', detail: 'd', progress: { fraction: 7, label: 'x' } };
    expect(statusPageHtml(view)).toContain('value="1000"');
    expect(statusPageHtml({ ...view, progress: { fraction: Number.NaN, label: 'x' } })).toContain('value="0"');
  });

  it('when reports come faster than once a second, then the page is rendered at most once a second, the latest last, and cancel drops a waiting one', () => {
    vi.useFakeTimers();
    const shown: string[] = [];
    const pages = throttledViews((v) => shown.push(v.title), 1000);
    pages.show({ title: 'a', detail: '' });
    pages.show({ title: 'b', detail: '' });
    pages.show({ title: 'c', detail: '' });
    expect(shown).toEqual(['a']);
    vi.advanceTimersByTime(999);
    expect(shown).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['a', 'c']);
    pages.show({ title: 'd', detail: '' });
    vi.advanceTimersByTime(500);
    pages.cancel();
    vi.advanceTimersByTime(5000);
    expect(shown).toEqual(['a', 'c']);
    pages.show({ title: 'e', detail: '' });
    expect(shown).toEqual(['a', 'c', 'e']);
    expect(statusPageUrl(migrationView(progress())).startsWith('data:text/html;charset=utf-8,')).toBe(true);
  });
});
