import type { Db } from '../db/open';
import type { Limits } from './rules';

/** The SQL of the anomaly check: reading history, rule limits, alarm state and alarms. Statements are prepared once. */
export interface HistoryRow {
  ts: number;
  temperature: number | null;
  pressure: number | null;
}

export interface LimitsRow extends Limits {
  device_id: string;
  alarm_open_after_s: number | null;
  alarm_clear_after_s: number | null;
  updated_at: number;
  updated_by: string | null;
}

export interface SpanRow {
  id: number;
  device_id: string;
  ts_from: number;
  ts_to: number;
  kind: 'normal' | 'label';
  label: number;
  note: string | null;
  forest_peak: number | null;
  distance_peak: number | null;
  step_peak: number | null;
  created_at: number;
  created_by: string | null;
}

export type NewSpan = Omit<SpanRow, 'id'>;

export type AlarmPhase = 'normal' | 'pending' | 'active' | 'clearing';

export interface AlarmStateRow {
  device_ref: number;
  phase: AlarmPhase;
  since_ts: number | null;
  started_ts: number | null;
  peak: number;
  last_ts: number;
  alarm_id: number | null;
}

export interface AlarmRow {
  id: number;
  device_id: string;
  started_ts: number;
  opened_ts: number;
  cleared_ts: number | null;
  peak_score: number;
  model: 'rf' | 'rule';
  reason: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  note: string | null;
}

export interface AlarmFilter {
  device_id?: string;
  state?: 'open' | 'cleared';
  acknowledged?: boolean;
  ts_from?: number;
  ts_to?: number;
  limit: number;
}

const ALARM_COLUMNS = `a.id, d.device_id, a.started_ts, a.opened_ts, a.cleared_ts, a.peak_score, a.model, a.reason,
  a.acknowledged_at, a.acknowledged_by, a.note`;

export class MlRepository {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      deviceRef: db.prepare<[string], { id: number }>('SELECT id FROM devices WHERE device_id = ?'),
      // DESC + LIMIT walks the (device_ref, ts) index backwards from `ts`: cost is N rows, not the history.
      before: db.prepare<[number, number, number], HistoryRow>(
        'SELECT ts, temperature, pressure FROM telemetry WHERE device_ref = ? AND ts < ? ORDER BY ts DESC LIMIT ?',
      ),
      range: db.prepare<[number, number, number, number], HistoryRow>(
        'SELECT ts, temperature, pressure FROM telemetry WHERE device_ref = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?',
      ),
      countRange: db.prepare<[number, number, number], { n: number }>('SELECT count(*) AS n FROM telemetry WHERE device_ref = ? AND ts >= ? AND ts <= ?'),
      after: db.prepare<[number, number, number], HistoryRow>(
        'SELECT ts, temperature, pressure FROM telemetry WHERE device_ref = ? AND ts > ? ORDER BY ts LIMIT ?',
      ),
      limits: db.prepare<[string], LimitsRow>('SELECT * FROM ml_rule_limits WHERE device_id = ?'),
      allLimits: db.prepare<[], LimitsRow>("SELECT * FROM ml_rule_limits ORDER BY device_id = '*' DESC, device_id"),
      upsertLimits: db.prepare(
        `INSERT INTO ml_rule_limits (device_id, temperature_min, temperature_max, pressure_min, pressure_max,
           temperature_rate_max, pressure_rate_max, alarm_open_after_s, alarm_clear_after_s, updated_at, updated_by)
         VALUES (@device_id, @temperature_min, @temperature_max, @pressure_min, @pressure_max,
           @temperature_rate_max, @pressure_rate_max, @alarm_open_after_s, @alarm_clear_after_s, @updated_at, @updated_by)
         ON CONFLICT(device_id) DO UPDATE SET temperature_min = excluded.temperature_min,
           temperature_max = excluded.temperature_max, pressure_min = excluded.pressure_min,
           pressure_max = excluded.pressure_max, temperature_rate_max = excluded.temperature_rate_max,
           pressure_rate_max = excluded.pressure_rate_max, alarm_open_after_s = excluded.alarm_open_after_s,
           alarm_clear_after_s = excluded.alarm_clear_after_s, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      ),
      deleteLimits: db.prepare<[string]>('DELETE FROM ml_rule_limits WHERE device_id = ?'),
      normalSpans: db.prepare<[number], SpanRow>(
        `SELECT s.* FROM ml_spans s JOIN devices d ON d.device_id = s.device_id WHERE d.id = ? AND s.kind = 'normal' ORDER BY s.ts_from`,
      ),
      spans: db.prepare<[string, string, number], SpanRow>("SELECT * FROM ml_spans WHERE (? = '' OR device_id = ?) ORDER BY device_id, ts_from, id LIMIT ?"),
      span: db.prepare<[number], SpanRow>('SELECT * FROM ml_spans WHERE id = ?'),
      insertSpan: db.prepare(
        `INSERT INTO ml_spans (device_id, ts_from, ts_to, kind, label, note, forest_peak, distance_peak, step_peak, created_at, created_by)
         VALUES (@device_id, @ts_from, @ts_to, @kind, @label, @note, @forest_peak, @distance_peak, @step_peak, @created_at, @created_by)`,
      ),
      deleteSpan: db.prepare<[number]>('DELETE FROM ml_spans WHERE id = ?'),
      getState: db.prepare<[number], AlarmStateRow>('SELECT * FROM ml_alarm_state WHERE device_ref = ?'),
      putState: db.prepare(
        `INSERT INTO ml_alarm_state (device_ref, phase, since_ts, started_ts, peak, last_ts, alarm_id)
         VALUES (@device_ref, @phase, @since_ts, @started_ts, @peak, @last_ts, @alarm_id)
         ON CONFLICT(device_ref) DO UPDATE SET phase = excluded.phase, since_ts = excluded.since_ts,
           started_ts = excluded.started_ts, peak = excluded.peak, last_ts = excluded.last_ts,
           alarm_id = excluded.alarm_id`,
      ),
      openAlarm: db.prepare<[number, number, number, number, string, string | null]>(
        'INSERT INTO alarms (device_ref, started_ts, opened_ts, peak_score, model, reason) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      peak: db.prepare<[number, number]>('UPDATE alarms SET peak_score = max(peak_score, ?) WHERE id = ?'),
      clearAlarm: db.prepare<[number, number]>('UPDATE alarms SET cleared_ts = ? WHERE id = ? AND cleared_ts IS NULL'),
      getAlarm: db.prepare<[number], AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms a JOIN devices d ON d.id = a.device_ref WHERE a.id = ?`),
      ack: db.prepare<[number, string, string | null, number]>(
        'UPDATE alarms SET acknowledged_at = ?, acknowledged_by = ?, note = ? WHERE id = ? AND acknowledged_at IS NULL',
      ),
    };
  }

  deviceRef(deviceId: string): number | undefined {
    return this.s.deviceRef.get(deviceId)?.id;
  }

  /** The last `n` readings strictly before `ts`, oldest first. */
  historyBefore(ref: number, ts: number, n: number): HistoryRow[] {
    return this.s.before.all(ref, ts, n).reverse();
  }

  range(ref: number, from: number, to: number, max: number): HistoryRow[] {
    return this.s.range.all(ref, from, to, max);
  }

  countRange(ref: number, from: number, to: number): number {
    return this.s.countRange.get(ref, from, to)?.n ?? 0;
  }

  after(ref: number, ts: number, max: number): HistoryRow[] {
    return this.s.after.all(ref, ts, max);
  }

  limits(deviceId: string): LimitsRow | undefined {
    return this.s.limits.get(deviceId);
  }

  allLimits(): LimitsRow[] {
    return this.s.allLimits.all();
  }

  putLimits(row: LimitsRow): void {
    this.s.upsertLimits.run(row);
  }

  deleteLimits(deviceId: string): boolean {
    return this.s.deleteLimits.run(deviceId).changes > 0;
  }

  /** The device's spans marked normal, oldest first. */
  normalSpans(ref: number): SpanRow[] {
    return this.s.normalSpans.all(ref);
  }

  /** Spans of one device, or of all devices with `deviceId` undefined. */
  spans(deviceId: string | undefined, limit: number): SpanRow[] {
    return this.s.spans.all(deviceId ?? '', deviceId ?? '', limit);
  }

  span(id: number): SpanRow | undefined {
    return this.s.span.get(id);
  }

  addSpan(span: NewSpan): SpanRow {
    const id = Number(this.s.insertSpan.run(span).lastInsertRowid);
    return { id, ...span };
  }

  deleteSpan(id: number): boolean {
    return this.s.deleteSpan.run(id).changes > 0;
  }

  alarmState(ref: number): AlarmStateRow | undefined {
    return this.s.getState.get(ref);
  }

  /** Applies the state machine's output for a batch of readings in one transaction. */
  saveAlarmProgress(
    state: AlarmStateRow,
    effects: readonly (
      | { kind: 'open'; started_ts: number; opened_ts: number; peak: number; model: 'rf' | 'rule'; reason: string | null }
      | { kind: 'peak'; score: number }
      | { kind: 'clear'; ts: number }
    )[],
  ): AlarmStateRow {
    return this.db.transaction(() => {
      let alarmId = state.alarm_id;
      for (const e of effects) {
        if (e.kind === 'open') {
          alarmId = Number(this.s.openAlarm.run(state.device_ref, e.started_ts, e.opened_ts, e.peak, e.model, e.reason).lastInsertRowid);
        } else if (e.kind === 'peak' && alarmId != null) {
          this.s.peak.run(e.score, alarmId);
        } else if (e.kind === 'clear' && alarmId != null) {
          this.s.clearAlarm.run(e.ts, alarmId);
          alarmId = null;
        }
      }
      const next = { ...state, alarm_id: state.phase === 'normal' || state.phase === 'pending' ? null : alarmId };
      this.s.putState.run(next);
      return next;
    })();
  }

  alarm(id: number): AlarmRow | undefined {
    return this.s.getAlarm.get(id);
  }

  listAlarms(f: AlarmFilter): AlarmRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (f.device_id !== undefined) {
      where.push('d.device_id = ?');
      params.push(f.device_id);
    }
    if (f.state === 'open') where.push('a.cleared_ts IS NULL');
    if (f.state === 'cleared') where.push('a.cleared_ts IS NOT NULL');
    if (f.acknowledged === true) where.push('a.acknowledged_at IS NOT NULL');
    if (f.acknowledged === false) where.push('a.acknowledged_at IS NULL');
    if (f.ts_from !== undefined) {
      where.push('a.opened_ts >= ?');
      params.push(f.ts_from);
    }
    if (f.ts_to !== undefined) {
      where.push('a.opened_ts <= ?');
      params.push(f.ts_to);
    }
    // Only fixed SQL fragments are joined; every value is a bound parameter.
    const sql = `SELECT ${ALARM_COLUMNS} FROM alarms a JOIN devices d ON d.id = a.device_ref
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.opened_ts DESC, a.id DESC LIMIT ?`;
    return this.db.prepare<(string | number)[], AlarmRow>(sql).all(...params, f.limit);
  }

  /** False when the alarm was already acknowledged (first acknowledgement wins). */
  acknowledge(id: number, at: number, by: string, note: string | null): boolean {
    return this.s.ack.run(at, by, note, id).changes > 0;
  }
}
