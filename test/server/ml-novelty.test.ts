import { describe, expect, it } from 'vitest';
import { loadLabelledSeries } from '../../src/server/ml/dataset';
import { featureSeries } from '../../src/server/ml/feature-series';
import { FEATURE_NAMES, fillGaps } from '../../src/server/ml/features';
import type { Forest } from '../../src/server/ml/forest';
import { ModelRegistry, type LoadedModel } from '../../src/server/ml/model-store';
import { fitNovelty, noveltyRarity, noveltyScore } from '../../src/server/ml/novelty';
import { MlRepository } from '../../src/server/ml/repository';
import { MlService } from '../../src/server/ml/service';
import { chooseThreshold, trainModel } from '../../src/server/ml/train';
import { toModelFile } from '../../src/server/ml/train-job';
import { seededRandom } from '../../src/shared/random';
import { fixturePath, insertReadings, tempMlDb } from '../fixtures/ml/db';
import { SMALL } from '../fixtures/ml/options';

const F = FEATURE_NAMES.length;

/** Normal rows: every feature noise around 0 (a standard normal, seeded). */
function normalRows(n: number, seed = 1): number[][] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => Array.from({ length: F }, gauss));
}

describe('ml novelty (one-class view of normal rows)', () => {
  const rows = normalRows(5000);
  const m = fitNovelty(rows);

  it('when fitted on normal rows, then about 1 % of them score above 1 and a typical one far below', () => {
    const above = rows.filter((r) => noveltyScore(r, m) > 1).length / rows.length;
    expect(above).toBeGreaterThan(0.005);
    expect(above).toBeLessThanOrEqual(0.011);
    expect(noveltyScore(new Array(F).fill(0), m)).toBeLessThan(0.2);
  });

  it('when one feature is far beyond anything normal rows showed, then the row scores the top and the reason names that feature', () => {
    const odd = new Array(F).fill(0);
    const k = FEATURE_NAMES.indexOf('pressure.drift_120');
    odd[k] = 40;
    expect(noveltyScore(odd, m)).toBeGreaterThan(1);
    // beyond the table's end (the farthest normal row), and still growing with the distance
    const top = Math.ceil(10 * Math.log10(5000)) / 10 / m.anchor;
    expect(noveltyScore(odd, m)).toBeGreaterThan(top);
    const farthest = Math.max(...rows.map((r) => Math.abs(r[k]! - m.median[k]!)));
    expect(noveltyRarity(odd, m)).toEqual({
      name: 'pressure.drift_120',
      share: `${Math.round((40 - m.median[k]!) / farthest)}x further out than any of the 5,000 normal training readings`,
    });
    odd[k] = 80;
    expect(noveltyScore(odd, m) - top).toBeCloseTo(Math.log10((80 - m.median[k]!) / farthest) / m.anchor, 9);
    // the direction does not matter: a distance from the normal median
    odd[k] = -40;
    expect(noveltyRarity(odd, m).name).toBe('pressure.drift_120');
  });

  it('when a feature is moderately out, then its rarity is read from the tail table (about 1 in 100 at 2.58 sd)', () => {
    const row = new Array(F).fill(0);
    row[0] = 2.58; // two-sided: 1 % of a standard normal is this far from 0
    const r = noveltyRarity(row, m);
    expect(r.name).toBe(FEATURE_NAMES[0]);
    const oneIn = Number(/1 in ([\d,]+)/.exec(r.share)![1]!.replace(/,/g, ''));
    expect(oneIn).toBeGreaterThan(60);
    expect(oneIn).toBeLessThan(160);
  });

  it('when the forest alone cannot catch an unseen event within the budget, then the chosen novelty gate lets a lower forest threshold catch it', () => {
    // A normal well the forest finds suspicious (0.9) but that is ordinary for a normal well (novelty 0.3),
    // and an event type the forest never saw: low votes (0.4) on readings unlike any normal one (novelty 3).
    const normal = { id: 'n', truth: new Array(100).fill(0), scores: Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? 0.9 : 0.1)) };
    const event = {
      id: 'e',
      truth: [...new Array(20).fill(0), ...new Array(20).fill(1)],
      scores: [...new Array(20).fill(0.1), ...new Array(20).fill(0.4)],
    };
    const forestOnly = chooseThreshold([normal, event], 0.05);
    expect(forestOnly.threshold).toBeGreaterThan(0.9);
    expect(forestOnly.cv_mean_balanced_accuracy).toBeCloseTo(0.5, 9);
    const gated = chooseThreshold(
      [
        { ...normal, novelty: new Array(100).fill(0.3) },
        { ...event, novelty: [...new Array(20).fill(0.2), ...new Array(20).fill(3)] },
      ],
      0.05,
    );
    expect(gated.cv_mean_balanced_accuracy).toBe(1);
    expect(gated.cv_false_positive_rate).toBe(0);
    expect(gated.threshold).toBeLessThanOrEqual(0.4);
    expect(gated.novelty_threshold).toBeGreaterThan(0.3);
    expect(gated.novelty_threshold).toBeLessThanOrEqual(3);
  });

  it('when training with novelty, then the model carries the novelty model and a gate chosen by the cross-validation', () => {
    const series = loadLabelledSeries(fixturePath('synthetic-wells.csv'));
    const on = trainModel(series, { ...SMALL, novelty: true });
    expect(on.novelty!.median).toHaveLength(F);
    expect(on.novelty_threshold).toBe(on.cv.leave_one_well_out.novelty_threshold);
    // off by default: the shipped model is the forest alone
    const off = trainModel(series, SMALL);
    expect(off.novelty).toBeNull();
    expect(off.novelty_threshold).toBe(0);
    // the forest and its cross-validated votes do not depend on the gate
    expect(JSON.stringify(off.forest)).toBe(JSON.stringify(on.forest));
  });
});

describe('ml scoring with the novelty gate', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const MIN = 60_000;
  const steady = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ts: T0 + i * MIN, temperature: 90 + 0.05 * Math.sin(i * 0.7), pressure: 1.3e7 + 2000 * Math.cos(i * 1.3) }));

  /** A forest that votes "anomalous" for everything: only the gate stands between it and a flag. */
  function gatedModel(): LoadedModel {
    const file = toModelFile(trainModel(loadLabelledSeries(fixturePath('synthetic-wells.csv')), SMALL), 'fixture', null);
    const normal = steady(600);
    const feats = featureSeries(fillGaps(normal.map((r) => r.temperature)), fillGaps(normal.map((r) => r.pressure)), file.windows).filter(
      (f): f is number[] => f !== null,
    );
    const forest = { scores: (x: number[][]) => x.map(() => 1) } as unknown as Forest;
    return { file: { ...file, threshold: 0.5, novelty: fitNovelty(feats), novelty_threshold: 1.5 }, path: 'memory', forest };
  }

  it('when readings are ordinary for a normal well, then the gate holds the forest back; when they are unlike any, they flag with the reason', () => {
    const t = tempMlDb();
    try {
      const models = new ModelRegistry(t.dir, null);
      models.set(gatedModel());
      const service = new MlService(new MlRepository(t.db), models, () => T0 + 1000 * MIN);
      const history = steady(200);
      // then pressure falls steadily, 40 readings at 300 Pa a reading (the steady wells never drift)
      const drift = Array.from({ length: 40 }, (_, i) => ({ ts: T0 + (200 + i) * MIN, temperature: 90, pressure: 1.3e7 - 300 * (i + 1) }));
      insertReadings(t.db, 'well-n', [...history, ...drift]);
      const scored = service.score('well-n', T0 + 100 * MIN, T0 + 239 * MIN);
      const quiet = scored.filter((r) => r.ts * 1000 < T0 + 200 * MIN);
      expect(quiet.every((r) => r.model === 'rf' && !r.anomaly && r.score < 0.5)).toBe(true);
      const late = scored.filter((r) => r.ts * 1000 >= T0 + 220 * MIN);
      expect(late.every((r) => r.anomaly)).toBe(true);
      expect(late.at(-1)!.reasons.some((x) => x.startsWith('unlike normal wells: ') && x.includes('normal training readings'))).toBe(true);
    } finally {
      t.close();
    }
  });
});
