import type { Alarm, AlarmsQuery } from '../../shared/ml';
import { msToIso, msToSeconds } from '../../shared/time';
import { AppError, notFound } from '../http/errors';
import { step, type AlarmEffect, type MachineState } from './alarms';
import type { AlarmRow, AlarmStateRow, MlRepository } from './repository';
import type { MlService } from './service';

/** Readings scored per `check` call: bounds the time one call holds the thread. */
const CHECK_BATCH = 5_000;

export interface CheckResult {
  scored: number;
  opened: number;
  cleared: number;
  /** more unscored readings remain: call again */
  more: boolean;
}

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id,
    device_id: r.device_id,
    state: r.cleared_ts === null ? 'open' : 'cleared',
    started_ts: msToSeconds(r.started_ts),
    opened_ts: msToSeconds(r.opened_ts),
    cleared_ts: r.cleared_ts === null ? null : msToSeconds(r.cleared_ts),
    peak_score: r.peak_score,
    model: r.model,
    reason: r.reason,
    acknowledged_at: r.acknowledged_at === null ? null : msToIso(r.acknowledged_at),
    acknowledged_by: r.acknowledged_by,
    note: r.note,
  };
}

/**
 * Feeds a device's newly stored readings through the scorer and the hysteresis machine, and stores
 * the alarms it opens and clears. Progress is kept per device (ml_alarm_state), so it can be called
 * after every ingest batch, from a timer, or after a restart, and never scores a reading twice.
 */
export class AlarmService {
  constructor(
    private readonly repo: MlRepository,
    private readonly ml: MlService,
  ) {}

  /** Scores up to `max` readings stored since the last check (a bounded slice of CPU work). */
  check(deviceId: string, max = CHECK_BATCH): CheckResult {
    const ref = this.repo.deviceRef(deviceId);
    if (ref === undefined) return { scored: 0, opened: 0, cleared: 0, more: false };
    const saved = this.repo.alarmState(ref);
    const rows = this.repo.after(ref, saved?.last_ts ?? Number.MIN_SAFE_INTEGER, max);
    if (rows.length === 0) return { scored: 0, opened: 0, cleared: 0, more: false };
    const scored = this.ml.scoreStored(ref, deviceId, rows[0]!.ts, rows);
    const { timing } = this.ml.settingsFor(deviceId);
    let state: MachineState = saved
      ? { phase: saved.phase, since: saved.since_ts, started: saved.started_ts, peak: saved.peak }
      : { phase: 'normal', since: null, started: null, peak: 0 };
    const effects: Parameters<MlRepository['saveAlarmProgress']>[1][number][] = [];
    let opened = 0;
    let cleared = 0;
    // The alarm's reason: the words of the highest-scoring reading of the run that opens it.
    let best: { score: number; reasons: string[] } | null = null;
    for (const s of scored) {
      const r = step(state, s, timing);
      state = r.state;
      if (state.phase === 'normal') best = null;
      else if (s.anomaly && s.reasons.length && (!best || s.score > best.score)) best = { score: s.score, reasons: s.reasons };
      for (const e of r.effects as AlarmEffect[]) {
        if (e.kind === 'open') {
          opened++;
          const reason = (best?.reasons ?? s.reasons).join('; ') || null;
          effects.push({ ...e, model: s.model, reason });
        } else {
          if (e.kind === 'clear') cleared++;
          effects.push(e);
        }
      }
    }
    const next: AlarmStateRow = {
      device_ref: ref,
      phase: state.phase,
      since_ts: state.since,
      started_ts: state.started,
      peak: state.peak,
      last_ts: rows.at(-1)!.ts,
      alarm_id: saved?.alarm_id ?? null,
    };
    this.repo.saveAlarmProgress(next, effects);
    return { scored: scored.length, opened, cleared, more: rows.length === max };
  }

  list(q: AlarmsQuery): Alarm[] {
    return this.repo.listAlarms(q).map(toAlarm);
  }

  /** `by` is the principal's subject; the first acknowledgement stands (409 for a second one). */
  acknowledge(id: number, by: string, note: string | null, at: number = Date.now()): Alarm {
    const existing = this.repo.alarm(id);
    if (!existing) throw notFound(`alarm ${id}`);
    if (!this.repo.acknowledge(id, at, by, note)) {
      throw new AppError(409, `alarm ${id} was already acknowledged by ${existing.acknowledged_by ?? 'someone'}`);
    }
    return toAlarm(this.repo.alarm(id)!);
  }
}
