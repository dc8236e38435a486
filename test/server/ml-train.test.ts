import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLabelledSeries, parseLabelledCsv } from '../../src/server/ml/dataset';
import { computeFeatures, FEATURE_NAMES, fillGaps } from '../../src/server/ml/features';
import { Forest } from '../../src/server/ml/forest';
import { loadModelFile, saveModelFile } from '../../src/server/ml/model-store';
import { formatReport } from '../../src/server/ml/report';
import { groupedSplit } from '../../src/server/ml/split';
import { chooseThreshold, learnGuards, outOfFoldVotes, prepare, DEFAULT_TRAIN_OPTIONS, trainModel } from '../../src/server/ml/train';
import { loadSeriesFromDb } from '../../src/server/ml/dataset-db';
import { toModelFile } from '../../src/server/ml/train-job';
import { fixturePath, insertReadings, tempMlDb } from '../fixtures/ml/db';
import { SMALL } from '../fixtures/ml/options';

const dir = mkdtempSync(join(tmpdir(), 'ml-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ml training', () => {
  const series = loadLabelledSeries(fixturePath('synthetic-wells.csv'));

  it('when a user CSV is loaded, then rows group into one series per device with 0/1 labels', () => {
    expect(series).toHaveLength(10);
    const ev = series.find((s) => s.id === 'event-1')!;
    expect(ev.stratum).toBe(2);
    expect(ev.labels.slice(0, 60).every((l) => l === 0)).toBe(true);
    expect(ev.labels.slice(60).every((l) => l === 1)).toBe(true);
    expect(series.find((s) => s.id === 'normal-0')!.stratum).toBe(0);
  });

  it('when a 3W-style file has empty labels, then those rows are skipped', () => {
    const rows = parseLabelledCsv(
      'instance,well,timestamp,P-PDG,P-TPT,T-TPT,P-MON-CKP,T-JUS-CKP,class\n' +
        'W_1,W,2017-02-18T01:01:46Z,0,1.3e7,117.5,1,1,0\nW_1,W,2017-02-18T01:02:46Z,0,1.3e7,117.6,1,1,\nW_1,W,2017-02-18T01:03:46Z,0,,117.7,1,1,101\n',
    );
    expect(rows.map((r) => r.label)).toEqual([0, 101]);
    expect(rows[1]!.pressure).toBeNull();
  });

  it('when split, then no series is on both sides and both sides hold normal and event series', () => {
    const { train, test } = groupedSplit(series, 0.3, 1);
    const trainIds = new Set(train.map((s) => s.id));
    expect(test.some((s) => trainIds.has(s.id))).toBe(false);
    expect(train.length + test.length).toBe(series.length);
    for (const side of [train, test]) {
      expect(side.some((s) => s.stratum === 0)).toBe(true);
      expect(side.some((s) => s.stratum !== 0)).toBe(true);
    }
  });

  it('when trained twice with the same seed, then the forests are identical', () => {
    const a = trainModel(series, SMALL);
    const b = trainModel(series, SMALL);
    expect(JSON.stringify(a.forest)).toBe(JSON.stringify(b.forest));
    expect(a.threshold).toBe(b.threshold);
    expect(a.cv).toEqual(b.cv);
    expect(a.guards).toEqual(b.guards);
  });

  it('when a trained model is saved and reloaded, then it predicts exactly the same scores', () => {
    const trained = trainModel(series, SMALL);
    const file = toModelFile(trained, 'fixture', null);
    const path = saveModelFile(dir, file);
    const loaded = loadModelFile(path);
    expect(loaded.file.version).toBe(file.version);
    expect(loaded.file.cv.leave_one_well_out.folds).toMatch(/leave one well out/);
    expect(loaded.file.feature_scales).toHaveLength(FEATURE_NAMES.length);
    const s = series.find((x) => x.id === 'event-1')!;
    const t = fillGaps(s.temperature);
    const p = fillGaps(s.pressure);
    const rows = [40, 70, 100].map((i) => computeFeatures(t.slice(0, i + 1), p.slice(0, i + 1), trained.windows)!);
    expect(loaded.forest.scores(rows)).toEqual(new Forest(trained.forest).scores(rows));
    // The synthetic event is obvious: after the drop the forest should call it.
    const [before, , after] = loaded.forest.scores(rows);
    expect(after!).toBeGreaterThan(before!);
  });

  it('when choosing a threshold, then it is the one with the best balanced accuracy within the false-positive budget (ties: the higher)', () => {
    const scored = [
      { id: 'n', truth: [0, 0, 0, 0], scores: [0.1, 0.2, 0.3, 0.62] },
      { id: 'e', truth: [0, 1, 1, 1], scores: [0.1, 0.9, 0.8, 0.5] },
    ];
    // No false positive allowed: above 0.62 the event's 0.5 is missed; 0.8 is the highest with that accuracy.
    const strict = chooseThreshold(scored, 0.0);
    expect(strict.threshold).toBeCloseTo(0.8, 9);
    expect(strict.cv_mean_balanced_accuracy).toBeCloseTo((2 / 3 + 1) / 2, 9);
    // One flagged normal row in four allowed: 0.325..0.5 catch every event row; 0.5 is the highest.
    const loose = chooseThreshold(scored, 0.25);
    expect(loose.threshold).toBeCloseTo(0.5, 9);
    expect(loose.cv_mean_balanced_accuracy).toBe(1);
    expect(loose.met_false_positive_target).toBe(true);
  });

  it('when cross-validated one well out at a time, then every series is scored once, by a forest trained without its well', () => {
    const o = { ...DEFAULT_TRAIN_OPTIONS, ...SMALL, windows: { ...DEFAULT_TRAIN_OPTIONS.windows, ...SMALL.windows } };
    // Two series share a well here: leaving the well out must hold both out together.
    const wells = series.map((x, i) => ({ ...x, group: `well-${Math.floor(i / 2)}` }));
    const folds: number[] = [];
    const votes = outOfFoldVotes(
      prepare(wells, o.windows),
      o,
      1,
      (f) => folds.push(f),
      (x) => x.group,
    );
    expect(votes.map((v) => v.id).sort()).toEqual(wells.map((x) => x.id).sort());
    expect(folds).toHaveLength(new Set(wells.map((x) => x.group)).size);
  });

  it('when trained, then the report has both cross-validations per class and guard limits beyond every normal row', () => {
    const m = trainModel(series, SMALL);
    for (const cv of [m.cv.leave_one_well_out, m.cv.instance_grouped]) {
      expect(cv.per_class['0']!.false_positive_rate).not.toBeNull();
      expect(Object.keys(cv.per_class).some((c) => c !== '0')).toBe(true);
      expect(cv.mean_balanced_accuracy).toBeGreaterThanOrEqual(0);
      // nested: one threshold per fold, each chosen without that fold's scores
      expect(cv.nested!.thresholds.length).toBeGreaterThanOrEqual(2);
      expect(cv.nested!.mean_balanced_accuracy).toBeGreaterThanOrEqual(0);
    }
    const wells = [...new Set(series.map((s) => s.group))].sort();
    expect(m.cv.leave_one_well_out.nested!.per_fold.map((f) => f.fold)).toEqual(wells);
    expect(m.cv.leave_one_well_out.nested!.per_fold.reduce((a, f) => a + f.instances, 0)).toBe(series.length);
    expect(formatReport(toModelFile(m, 'fixture', null))).toContain(`${wells[0]!.padEnd(12)}`);
    expect(m.threshold).toBe(m.cv.leave_one_well_out.threshold);
    const o = { ...DEFAULT_TRAIN_OPTIONS, ...SMALL, windows: { ...DEFAULT_TRAIN_OPTIONS.windows, ...SMALL.windows } };
    const prepared = prepare(series, o.windows);
    expect(learnGuards(prepared)).toEqual(m.guards);
    for (const d of prepared) {
      d.guards.forEach((g, i) => {
        if (g && d.series.labels[i] === 0) expect(g.distance).toBeLessThan(m.guards.distance);
      });
    }
  });

  it("when engineers labelled spans in the station, then --from-db trains on them (a span overrides a reading's own label)", () => {
    const t = tempMlDb();
    try {
      const T0 = Date.UTC(2024, 0, 1);
      const rows = Array.from({ length: 30 }, (_, i) => ({ ts: T0 + i * 60_000, temperature: 90, pressure: 1e7 }));
      insertReadings(t.db, 'well-9', rows);
      insertReadings(t.db, 'well-unlabelled', rows);
      const span = t.db.prepare(
        "INSERT INTO ml_spans (device_id, ts_from, ts_to, kind, label, created_at, created_by) VALUES ('well-9', ?, ?, 'label', ?, 0, 'eng')",
      );
      span.run(T0, T0 + 19 * 60_000, 0);
      span.run(T0 + 20 * 60_000, T0 + 29 * 60_000, 105);
      const got = loadSeriesFromDb(t.db);
      expect(got.map((x) => x.id)).toEqual(['well-9']);
      expect(got[0]!.labels).toEqual([...Array(20).fill(0), ...Array(10).fill(1)]);
      expect(got[0]!.stratum).toBe(5);
    } finally {
      t.close();
    }
  });
});
