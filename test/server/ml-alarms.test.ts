import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../src/server/http/errors';
import { AlarmService } from '../../src/server/ml/alarm-service';
import { run, type ScoredPoint } from '../../src/server/ml/alarms';
import { ModelRegistry } from '../../src/server/ml/model-store';
import { MlRepository } from '../../src/server/ml/repository';
import { MlService } from '../../src/server/ml/service';
import { insertReadings, tempMlDb } from '../fixtures/ml/db';

const MIN = 60_000;
const timing = { openAfterMs: 3 * MIN, clearAfterMs: 5 * MIN };
/** One point per minute from a string: '1' anomalous, '0' normal. */
const series = (pattern: string): ScoredPoint[] => [...pattern].map((c, i) => ({ ts: i * MIN, score: c === '1' ? 0.9 : 0.1, anomaly: c === '1' }));

describe('alarm hysteresis', () => {
  it('when the score is high for less than the open delay, then no alarm opens', () => {
    expect(run(series('0011100110000'), timing).effects).toEqual([]);
  });

  it('when the score stays high for the open delay, then one alarm opens at the first reading past it', () => {
    const { effects, state } = run(series('0011111'), timing);
    expect(effects).toEqual([{ kind: 'open', started_ts: 2 * MIN, opened_ts: 5 * MIN, peak: 0.9, at: 5 * MIN }]);
    expect(state.phase).toBe('active');
  });

  it('when short normal gaps interrupt an open alarm, then it neither clears nor reopens (no flapping)', () => {
    const { effects } = run(series('1111' + '0010001000' + '1'), timing);
    expect(effects.map((e) => e.kind)).toEqual(['open']);
  });

  it('when the score stays normal for the clear delay, then the alarm clears once', () => {
    const { effects, state } = run(series('1111' + '000000' + '0000'), timing);
    expect(effects.map((e) => [e.kind, e.at / MIN])).toEqual([
      ['open', 3],
      ['clear', 9],
    ]);
    expect(state.phase).toBe('normal');
  });
});

describe('alarm service on a real database', () => {
  const t = tempMlDb();
  afterEach(() => undefined);

  it('when readings break a rule for long enough, then an alarm opens, clears, and is acknowledged once', () => {
    const repo = new MlRepository(t.db);
    const models = new ModelRegistry(t.dir, null);
    models.set(null);
    const service = new MlService(repo, models);
    const alarms = new AlarmService(repo, service);
    repo.putLimits({
      device_id: 'well-9',
      temperature_min: null,
      temperature_max: 100,
      pressure_min: null,
      pressure_max: null,
      temperature_rate_max: null,
      pressure_rate_max: null,
      alarm_open_after_s: 120,
      alarm_clear_after_s: 300,
      updated_at: 0,
      updated_by: 'test',
    });
    const temps = [90, 90, 105, 106, 107, 108, 90, 109, 90, 90, 90, 90, 90, 90, 90];
    const t0 = Date.UTC(2024, 0, 1);
    insertReadings(
      t.db,
      'well-9',
      temps.slice(0, 9).map((temperature, i) => ({ ts: t0 + i * MIN, temperature, pressure: 1e7 })),
    );
    expect(alarms.check('well-9')).toMatchObject({ scored: 9, opened: 1, cleared: 0 });
    // Calling again scores nothing twice.
    expect(alarms.check('well-9')).toMatchObject({ scored: 0, opened: 0 });
    insertReadings(
      t.db,
      'well-9',
      temps.slice(9).map((temperature, i) => ({ ts: t0 + (i + 9) * MIN, temperature, pressure: 1e7 })),
    );
    expect(alarms.check('well-9')).toMatchObject({ scored: 6, opened: 0, cleared: 1 });

    const [alarm] = alarms.list({ device_id: 'well-9', limit: 10 });
    expect(alarm).toMatchObject({ state: 'cleared', model: 'rule', started_ts: (t0 + 2 * MIN) / 1000, opened_ts: (t0 + 4 * MIN) / 1000, peak_score: 1 });
    expect(alarm!.reason).toBe('temperature 105 is above the limit 100');
    expect(alarms.list({ state: 'open', limit: 10 })).toEqual([]);

    const acked = alarms.acknowledge(alarm!.id, 'engineer', 'checked the gauge');
    expect(acked).toMatchObject({ acknowledged_by: 'engineer', note: 'checked the gauge' });
    expect(alarms.list({ acknowledged: false, limit: 10 })).toEqual([]);
    try {
      alarms.acknowledge(alarm!.id, 'someone-else', null);
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).status).toBe(409);
    }
    t.close();
  });
});
