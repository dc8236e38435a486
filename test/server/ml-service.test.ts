import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/http/errors';
import { loadLabelledSeries } from '../../src/server/ml/dataset';
import { Forest } from '../../src/server/ml/forest';
import { ModelRegistry, type LoadedModel } from '../../src/server/ml/model-store';
import { MlRepository } from '../../src/server/ml/repository';
import { MlService } from '../../src/server/ml/service';
import { trainModel } from '../../src/server/ml/train';
import { toModelFile } from '../../src/server/ml/train-job';
import { fixturePath, insertReadings, tempMlDb } from '../fixtures/ml/db';
import { SMALL } from '../fixtures/ml/options';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

let model: LoadedModel | null = null;
function smallModel(): LoadedModel {
  if (!model) {
    const file = toModelFile(trainModel(loadLabelledSeries(fixturePath('synthetic-wells.csv')), SMALL), 'fixture', null);
    model = { file, path: 'memory', forest: new Forest(file.forest) };
  }
  return model;
}

function setup(withModel: boolean) {
  const t = tempMlDb();
  const repo = new MlRepository(t.db);
  const models = new ModelRegistry(t.dir, null);
  models.set(withModel ? smallModel() : null);
  return { ...t, repo, service: new MlService(repo, models, () => T0 + 1000 * MIN) };
}

const steady = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ts: T0 + i * MIN, temperature: 90 + 0.01 * Math.sin(i), pressure: 1.3e7 + 500 * Math.cos(i * 1.3) }));

describe('ml predict and score', () => {
  let ctx: ReturnType<typeof setup>;
  afterEach(() => ctx.close());

  describe('with a model', () => {
    beforeEach(() => {
      ctx = setup(true);
    });

    it('when the device has history, then the forest answers with its features and version', () => {
      insertReadings(ctx.db, 'well-1', steady(60));
      const r = ctx.service.predict({ device_id: 'well-1', ts: T0 + 60 * MIN, temperature: 90, pressure: 1.3e7 });
      expect(r.model).toBe('rf');
      expect(r.meta.model_version).toBe(smallModel().file.version);
      expect(r.meta.threshold).toBe(smallModel().file.threshold);
      expect(Object.keys(r.meta.features!)).toContain('pressure.z_long');
      expect(r.meta.history).toBeGreaterThanOrEqual(SMALL.windows!.minHistory);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    });

    it('when a reading drops far below the device history, then it scores higher than a normal one', () => {
      insertReadings(ctx.db, 'well-1', steady(60));
      const normal = ctx.service.predict({ device_id: 'well-1', ts: T0 + 60 * MIN, temperature: 90, pressure: 1.3e7 });
      const drop = ctx.service.predict({ device_id: 'well-1', ts: T0 + 60 * MIN, temperature: 89.5, pressure: 1.2e7 });
      expect(drop.score).toBeGreaterThan(normal.score);
    });

    it('when the device is unknown or has too little history, then the rule scorer answers', () => {
      const unknown = ctx.service.predict({ device_id: 'nobody', temperature: 90, pressure: 1.3e7 });
      expect(unknown.model).toBe('rule');
      expect(unknown.meta.reason).toMatch(/no stored readings/);
      insertReadings(ctx.db, 'well-2', steady(3));
      const short = ctx.service.predict({ device_id: 'well-2', ts: T0 + 3 * MIN, temperature: 90, pressure: 1.3e7 });
      expect(short.model).toBe('rule');
      expect(short.meta.history).toBe(3);
    });

    it('when a stored range is scored, then every reading gets a score in order', () => {
      insertReadings(ctx.db, 'well-1', steady(80));
      const points = ctx.service.score('well-1', T0 + 40 * MIN, T0 + 79 * MIN);
      expect(points).toHaveLength(40);
      expect(points[0]!.ts).toBe((T0 + 40 * MIN) / 1000);
      expect(points.every((p) => p.model === 'rf')).toBe(true);
      // The same reading scored by /predict (history before it + its own values) scores the same.
      const { temperature, pressure } = steady(80)[50]!;
      const p = ctx.service.predict({ device_id: 'well-1', ts: T0 + 50 * MIN, temperature, pressure });
      expect(p.score).toBeCloseTo(points[10]!.score, 12);
    });

    it('when the device of a range is unknown, then it is a 404', () => {
      expect(() => ctx.service.score('ghost', T0, T0 + MIN)).toThrow(AppError);
      try {
        ctx.service.score('ghost', T0, T0 + MIN);
      } catch (e) {
        expect((e as AppError).status).toBe(404);
      }
    });
  });

  describe('without a model', () => {
    beforeEach(() => {
      ctx = setup(false);
    });

    it('when no limits are set, then the rule scorer calls nothing anomalous', () => {
      const r = ctx.service.predict({ temperature: 90, pressure: 1.3e7 });
      expect(r).toMatchObject({ anomaly: false, score: 0, model: 'rule' });
      expect(r.meta.reason).toMatch(/no anomaly model/);
    });

    it('when a limit or a rate of change is exceeded, then the rule says which', () => {
      const now = Date.now();
      ctx.repo.putLimits({
        device_id: '*',
        temperature_min: null,
        temperature_max: 120,
        pressure_min: null,
        pressure_max: null,
        temperature_rate_max: null,
        pressure_rate_max: 1e5,
        alarm_open_after_s: null,
        alarm_clear_after_s: null,
        updated_at: now,
        updated_by: 'test',
      });
      const hot = ctx.service.predict({ temperature: 130, pressure: 1.3e7 });
      expect(hot.anomaly).toBe(true);
      expect(hot.meta.rules_fired).toEqual([{ rule: 'temperature_max', value: 130, limit: 120 }]);
      insertReadings(ctx.db, 'well-1', steady(5));
      const jump = ctx.service.predict({ device_id: 'well-1', ts: T0 + 5 * MIN, temperature: 90, pressure: 1.3e7 - 5e5 });
      expect(jump.meta.rules_fired.map((f) => f.rule)).toEqual(['pressure_rate']);
      // A device's own row replaces the default row.
      ctx.repo.putLimits({ ...ctx.repo.limits('*')!, device_id: 'well-1', pressure_rate_max: null });
      const own = ctx.service.predict({ device_id: 'well-1', ts: T0 + 5 * MIN, temperature: 90, pressure: 1.3e7 - 5e5 });
      expect(own.anomaly).toBe(false);
    });
  });
});
