import type { Logger } from '../logger';
import type { AlarmService } from './alarm-service';

export interface AlarmSchedulerOptions {
  /** readings scored per step: one step is about this many feature windows of CPU (~0.3 ms each) */
  batch: number;
  /**
   * Largest share of the event loop that scoring may take while readings keep arriving. After a step
   * that took d ms the next one waits d·(1 − duty)/duty ms, so ingest keeps most of the loop during a
   * burst and alarms catch up in the pauses (they open after minutes, so seconds of lag are fine).
   */
  duty: number;
  /** no new readings for this long: ingest is quiet, and scoring runs step after step at full speed */
  quietMs: number;
  /**
   * While readings keep arriving, a device that is up to date is checked again at most this often.
   * Each check reads the device's recent history once, so a well polled every second is scored a few
   * readings at a time instead of one (alarms open after minutes: seconds of delay change nothing).
   */
  minIntervalMs: number;
}

const DEFAULT_SCHEDULER: AlarmSchedulerOptions = { batch: 50, duty: 0.1, quietMs: 1_000, minIntervalMs: 5_000 };

/**
 * Scores new readings for alarms after they are stored, never inside the ingest request: device
 * ids are collected, and one bounded `check` runs per step, round-robin over devices, until every
 * device is up to date. A burst of batches for the same device collapses into one pending entry;
 * the backlog itself stays in the database (each check starts after the last scored reading).
 */
export function createAlarmScheduler(alarms: AlarmService, logger: Logger, options: AlarmSchedulerOptions = DEFAULT_SCHEDULER) {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  let stopped = false;
  let lastMs = 0;
  let lastNotify = -Infinity;
  /** when each device was last brought up to date (a backlog being worked off does not count) */
  const upToDateAt = new Map<string, number>();

  /** The first pending device that may be checked now, or when the soonest one may. */
  const nextDue = (now: number): { deviceId: string } | { wait: number } => {
    const busy = now - lastNotify < options.quietMs;
    let soonest = Infinity;
    for (const deviceId of pending) {
      const due = busy ? (upToDateAt.get(deviceId) ?? -Infinity) + options.minIntervalMs : -Infinity;
      if (due <= now) return { deviceId };
      soonest = Math.min(soonest, due);
    }
    return { wait: soonest - now };
  };

  const step = () => {
    timer = null;
    if (stopped || pending.size === 0) return;
    const next = nextDue(performance.now());
    if ('wait' in next) {
      timer = setTimeout(step, next.wait).unref();
      return;
    }
    const { deviceId } = next;
    pending.delete(deviceId);
    const started = performance.now();
    try {
      if (alarms.check(deviceId, options.batch).more) pending.add(deviceId);
      else upToDateAt.set(deviceId, started);
    } catch (err) {
      logger.error({ err, deviceId }, 'alarm check failed');
    }
    lastMs = performance.now() - started;
    schedule();
  };

  const schedule = () => {
    if (timer || stopped || pending.size === 0) return;
    const busy = performance.now() - lastNotify < options.quietMs;
    const wait = busy ? Math.min(2_000, (lastMs * (1 - options.duty)) / options.duty) : 0;
    // unref: a pending alarm check never keeps a stopping process alive
    timer = wait < 1 ? setImmediate(step) : setTimeout(step, wait).unref();
  };

  return {
    notify(deviceIds: Iterable<string>) {
      lastNotify = performance.now();
      for (const id of deviceIds) pending.add(id);
      schedule();
    },
    stop() {
      stopped = true;
      pending.clear();
      if (timer) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
        timer = null;
      }
    },
  };
}
