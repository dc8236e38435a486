import type { Logger } from '../logger';
import type { AlarmService } from './alarm-service';

/**
 * Scores new readings for alarms after they are stored, never inside the ingest request: device
 * ids are collected, and one bounded `check` runs per event-loop turn until every device is up
 * to date. A burst of batches for the same device collapses into one pending entry.
 */
export function createAlarmScheduler(alarms: AlarmService, logger: Logger) {
  const pending = new Set<string>();
  let scheduled = false;
  let stopped = false;

  const step = () => {
    scheduled = false;
    if (stopped) return;
    const next = pending.values().next();
    if (next.done) return;
    const deviceId = next.value;
    pending.delete(deviceId);
    try {
      if (alarms.check(deviceId).more) pending.add(deviceId);
    } catch (err) {
      logger.error({ err, deviceId }, 'alarm check failed');
    }
    schedule();
  };

  const schedule = () => {
    if (scheduled || stopped || pending.size === 0) return;
    scheduled = true;
    setImmediate(step);
  };

  return {
    notify(deviceIds: Iterable<string>) {
      for (const id of deviceIds) pending.add(id);
      schedule();
    },
    stop() {
      stopped = true;
      pending.clear();
    },
  };
}
