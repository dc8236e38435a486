import { readFileSync } from 'node:fs';
import { RandomForestClassifier } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { Forest, type ForestJson, trainForest } from '../../src/server/ml/forest';

describe('ml forest (flattened trees)', () => {
  it("when the shipped model scores rows, then the votes are exactly the library trees' votes", () => {
    const model = JSON.parse(readFileSync(new URL('../../resources/models/default.json', import.meta.url), 'utf8')) as {
      forest: ForestJson;
      feature_scales: { median: number; p95: number }[];
    };
    let s = 17;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    };
    // Rows around the normal medians, out to many times their normal range, so every branch is taken.
    const rows = Array.from({ length: 3000 }, (_, r) => model.feature_scales.map((f) => f.median + rnd() * f.p95 * (1 + (r % 7) * 3)));
    const lib = RandomForestClassifier.load(model.forest).predictionValues(rows);
    const expected = rows.map((_, i) => lib.getRow(i).filter((v) => v === 1).length / lib.columns);
    const got = new Forest(model.forest).scores(rows);
    expect(got).toEqual(expected);
    expect(new Set(got).size).toBeGreaterThan(5);
  });

  it('when a forest was just trained (leaves still matrices, as in cross-validation), then it votes as the library does', () => {
    const X = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 13) / 13]);
    const y = X.map((r) => (r[0]! + r[2]! > 0.8 ? 1 : 0));
    const json = trainForest(X, y, { nEstimators: 10, maxFeatures: 0.7, maxDepth: 6, minNumSamples: 3, seed: 5 });
    const lib = RandomForestClassifier.load(json).predictionValues(X);
    const expected = X.map((_, i) => lib.getRow(i).filter((v) => v === 1).length / lib.columns);
    expect(new Forest(json).scores(X)).toEqual(expected);
    expect(expected.some((v) => v > 0.5)).toBe(true);
  });
});
