import type { Db } from '../../db/open';
import type { Logger } from '../../logger';

/** How an offline alarm is told apart from the anomaly alarms in the shared alarms table. */
const REASON_PREFIX = 'Offline: ';
const TICK_MIN_MS = 250;
const TICK_MAX_MS = 10_000;

interface Absence {
  deviceId: string;
  what: string;
  since: number;
  withNode: boolean;
}

/**
 * Alarms for Sparkplug nodes and devices that stay offline: an NDEATH/DDEATH (or the broker's will)
 * not followed by a birth within the grace period opens an alarm in the station's alarms table
 * (the one Anomalies, the top bar and `GET /api/ml/alarms` show and where alarms are acknowledged),
 * model `rule`, reason "Offline: ...". The next birth clears it. A device of a dead node gets no
 * alarm of its own: the node's covers it. The open ones are found again after a restart by their reason.
 */
export class OfflineAlarms {
  /** station device id -> id of its open offline alarm */
  private readonly open = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly source: { absences(): Absence[] },
    /** the grace period, read at every check (the configuration can change) */
    private readonly graceS: () => number,
    private readonly logger: Logger,
  ) {
    this.s = {
      deviceRef: db.prepare<[string], number>('SELECT id FROM devices WHERE device_id = ?').pluck(),
      openAlarm: db.prepare<[number, number, number, string]>(
        "INSERT INTO alarms (device_ref, started_ts, opened_ts, peak_score, model, reason) VALUES (?, ?, ?, 0, 'rule', ?)",
      ),
      clearAlarm: db.prepare<[number, number]>('UPDATE alarms SET cleared_ts = ? WHERE id = ? AND cleared_ts IS NULL'),
      openOnes: db.prepare<[number, string], { id: number; device_id: string }>(
        `SELECT a.id, d.device_id FROM alarms a JOIN devices d ON d.id = a.device_ref
          WHERE a.cleared_ts IS NULL AND a.model = 'rule' AND substr(a.reason, 1, ?) = ?`,
      ),
    };
  }

  start(): void {
    if (this.timer) return;
    for (const a of this.s.openOnes.all(REASON_PREFIX.length, REASON_PREFIX)) this.open.set(a.device_id, a.id);
    const loop = () => {
      try {
        this.check();
      } catch (err) {
        this.logger.error({ err }, 'offline alarm check failed');
      }
      this.timer = setTimeout(loop, Math.min(TICK_MAX_MS, Math.max(TICK_MIN_MS, (this.graceS() * 1000) / 4)));
      this.timer.unref();
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Opens the alarms that are due and clears those whose node or device is back. */
  check(now = Date.now()): void {
    const graceMs = this.graceS() * 1000;
    const absent = new Map(this.source.absences().map((a) => [a.deviceId, a]));
    for (const [deviceId, alarmId] of this.open) {
      if (absent.has(deviceId)) continue;
      this.s.clearAlarm.run(now, alarmId);
      this.open.delete(deviceId);
      this.logger.info({ device: deviceId, alarm: alarmId }, 'sparkplug offline alarm cleared');
    }
    if (graceMs <= 0) return;
    for (const a of absent.values()) {
      if (a.withNode || this.open.has(a.deviceId) || now - a.since < graceMs) continue;
      // no row yet means it never stored a reading (a birth without scalar metrics): nothing to attach the alarm to
      const ref = this.s.deviceRef.get(a.deviceId);
      if (ref === undefined) continue;
      const reason = `${REASON_PREFIX}${a.what} has sent no birth since it went offline at ${new Date(a.since).toISOString()} (alarm after ${graceMs / 1000} s)`;
      const id = Number(this.s.openAlarm.run(ref, a.since, now, reason).lastInsertRowid);
      this.open.set(a.deviceId, id);
      this.logger.warn({ device: a.deviceId, alarm: id }, 'sparkplug node or device offline: alarm opened');
    }
  }
}
