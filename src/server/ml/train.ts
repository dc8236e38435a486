import type { LabelledSeries } from './dataset';
import { DEFAULT_WINDOWS, FEATURE_NAMES, featureSeries, fillGaps, type FeatureWindows } from './features';
import { Forest, trainForest, type ForestJson } from './forest';
import { qualityReport, type QualityReport } from './metrics';
import { seededRandom } from '../../shared/random';
import { groupedSplit, shuffle } from './split';

/** Everything that decides the trained model; stored in the model file so a run can be repeated. */
export interface TrainOptions {
  seed: number;
  /** share of the series (per event type) held out for validation */
  testFraction: number;
  nEstimators: number;
  maxFeatures: number;
  maxDepth: number;
  minNumSamples: number;
  /**
   * Rows given to the trees. ml-cart's split search is quadratic in rows, and neighbouring minutes
   * are near-copies, so an even subsample loses little and keeps training to a minute or two.
   */
  maxTrainRows: number;
  /** share of the subsample taken from normal rows */
  normalShare: number;
  /** folds of the grouped cross-validation on the training series that picks the threshold */
  cvFolds: number;
  /** trees per cross-validation forest (fewer than the final forest: it only ranks thresholds) */
  cvEstimators: number;
  /** the score is the mean of the forest's vote share over the last `smoothing` readings */
  smoothing: number;
  /** highest acceptable share of flagged rows on normal instances when picking the threshold */
  maxFalsePositiveRate: number;
  windows: FeatureWindows;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 20240501,
  testFraction: 0.3,
  nEstimators: 40,
  maxFeatures: 0.6,
  maxDepth: 12,
  minNumSamples: 5,
  maxTrainRows: 1600,
  normalShare: 0.7,
  cvFolds: 3,
  cvEstimators: 15,
  smoothing: 3,
  maxFalsePositiveRate: 0.05,
  windows: DEFAULT_WINDOWS,
};

export interface TrainProgress {
  phase: 'features' | 'cross-validation' | 'training' | 'validation' | 'done';
  done: number;
  total: number;
  message: string;
}

export interface ThresholdChoice {
  threshold: number;
  /** what the grouped cross-validation on the training series measured at that threshold */
  cv_mean_balanced_accuracy: number;
  cv_false_positive_rate: number;
  met_false_positive_target: boolean;
}

export interface TrainedModel {
  feature_names: string[];
  windows: FeatureWindows;
  smoothing: number;
  threshold: number;
  threshold_choice: ThresholdChoice;
  options: TrainOptions;
  training: { series: number; train_series: string[]; test_series: string[]; rows_used: number; rows_available: number };
  /** measured on the held-out series, never seen by the forest or the threshold choice */
  validation: Omit<QualityReport, 'instances'> & { instances: QualityReport['instances'] };
  forest: ForestJson;
}

export interface Prepared {
  series: LabelledSeries;
  features: (number[] | null)[];
}

export function prepare(series: readonly LabelledSeries[], w: FeatureWindows): Prepared[] {
  return series.map((s) => ({ series: s, features: featureSeries(fillGaps(s.temperature), fillGaps(s.pressure), w) }));
}

/**
 * Up to `k` rows from each list, evenly spread in time (one from each of k equal slices, seeded), with
 * the quota of short lists handed on to longer ones: every instance weighs about the same, so the two
 * 2,000-row slow events do not drown the 20-row sudden ones (the metric averages over instances too).
 */
function takeBalanced(lists: readonly number[][][], total: number, random: () => number): number[][] {
  const out: number[][] = [];
  const sorted = [...lists].filter((l) => l.length > 0).sort((a, b) => a.length - b.length);
  let left = total;
  sorted.forEach((rows, i) => {
    const k = Math.floor(left / (sorted.length - i));
    if (rows.length <= k) out.push(...rows);
    else {
      const step = rows.length / k;
      for (let j = 0; j < k; j++) out.push(rows[Math.min(rows.length - 1, Math.floor(j * step + random() * step))]!);
    }
    left -= Math.min(k, rows.length);
  });
  return out;
}

/** A seeded subsample: normal and anomalous rows drawn separately to a fixed mix, balanced per instance. */
function subsample(data: readonly Prepared[], o: TrainOptions, seed: number): { X: number[][]; y: number[]; available: number } {
  const normal: number[][][] = [];
  const anomalous: number[][][] = [];
  let available = 0;
  for (const d of data) {
    const nRows: number[][] = [];
    const aRows: number[][] = [];
    d.features.forEach((f, i) => {
      if (f) (d.series.labels[i] === 1 ? aRows : nRows).push(f);
    });
    normal.push(nRows);
    anomalous.push(aRows);
    available += nRows.length + aRows.length;
  }
  const random = seededRandom(seed);
  const nNormal = Math.round(o.maxTrainRows * o.normalShare);
  const a = takeBalanced(anomalous, o.maxTrainRows - nNormal, random);
  const n = takeBalanced(normal, o.maxTrainRows - a.length, random);
  if (a.length === 0 || n.length === 0) {
    throw new Error('training needs both normal and anomalous rows with enough history (label 0 and non-zero)');
  }
  return { X: [...n, ...a], y: [...n.map(() => 0), ...a.map(() => 1)], available };
}

/** Mean of the last `k` defined scores; rows without features score 0 (the rule scorer's default). */
export function smoothScores(raw: readonly (number | null)[], k: number): number[] {
  return raw.map((_, i) => {
    let s = 0;
    let n = 0;
    for (let j = Math.max(0, i - k + 1); j <= i; j++) {
      const v = raw[j];
      if (v != null) {
        s += v;
        n++;
      }
    }
    return raw[i] == null || n === 0 ? 0 : s / n;
  });
}

/** Raw forest votes per reading (null where the rule scorer answers). */
function rawVotes(forest: Forest, d: Prepared): (number | null)[] {
  const idx: number[] = [];
  d.features.forEach((f, i) => f && idx.push(i));
  const votes = forest.scores(idx.map((i) => d.features[i]!));
  const raw: (number | null)[] = d.features.map(() => null);
  idx.forEach((i, k) => (raw[i] = votes[k]!));
  return raw;
}

const THRESHOLDS = Array.from({ length: 37 }, (_, i) => Math.round((0.05 + i * 0.025) * 1000) / 1000);

/**
 * The threshold with the best cross-validated mean balanced accuracy over event instances among those
 * whose false-positive rate on normal instances meets the target (ties: the higher threshold, fewer
 * alarms); if none meets it, the one with the fewest false positives.
 */
export function chooseThreshold(
  scored: readonly { id: string; truth: readonly number[]; scores: readonly number[] }[],
  maxFpr: number,
): ThresholdChoice {
  let best: ThresholdChoice | null = null;
  let fallback: ThresholdChoice | null = null;
  for (const t of THRESHOLDS) {
    const q = qualityReport(scored.map((s) => ({ id: s.id, truth: s.truth, predicted: s.scores.map((v) => v >= t) })));
    const choice: ThresholdChoice = {
      threshold: t,
      cv_mean_balanced_accuracy: q.mean_balanced_accuracy_event_instances,
      cv_false_positive_rate: q.false_positive_rate_normal_instances,
      met_false_positive_target: q.false_positive_rate_normal_instances <= maxFpr,
    };
    if (choice.met_false_positive_target && (!best || choice.cv_mean_balanced_accuracy >= best.cv_mean_balanced_accuracy)) best = choice;
    if (!fallback || choice.cv_false_positive_rate < fallback.cv_false_positive_rate) fallback = choice;
  }
  return (best ?? fallback)!;
}

/** Splits the training series into k stratified folds (whole series per fold). */
function folds(series: readonly Prepared[], k: number, seed: number): Prepared[][] {
  const random = seededRandom(seed);
  const byStratum = new Map<number, Prepared[]>();
  for (const p of series) {
    let l = byStratum.get(p.series.stratum);
    if (!l) byStratum.set(p.series.stratum, (l = []));
    l.push(p);
  }
  const out: Prepared[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const key of [...byStratum.keys()].sort((a, b) => a - b)) {
    for (const p of shuffle(byStratum.get(key)!, random)) out[next++ % k]!.push(p);
  }
  return out;
}

const forestOptions = (o: TrainOptions, nEstimators: number, seed: number) => ({
  nEstimators,
  maxFeatures: o.maxFeatures,
  maxDepth: o.maxDepth,
  minNumSamples: o.minNumSamples,
  seed,
});

export interface OutOfFoldVotes {
  id: string;
  truth: number[];
  /** raw forest votes per reading from a forest that never saw this series (null: too little history) */
  raw: (number | null)[];
}

/** One fold per group, in group order: with the well as the group, leave-one-well-out. */
function groupFolds(series: readonly Prepared[], groupOf: (id: string) => string): Prepared[][] {
  const byGroup = new Map<string, Prepared[]>();
  for (const p of series) {
    const g = groupOf(p.series.id);
    let l = byGroup.get(g);
    if (!l) byGroup.set(g, (l = []));
    l.push(p);
  }
  return [...byGroup.keys()].sort().map((g) => byGroup.get(g)!);
}

/**
 * Grouped k-fold cross-validation on the training series: every series is scored by a forest
 * (`cvEstimators` trees) trained on the other folds only. `seed` decides the folds, subsamples and
 * trees; training uses `o.seed`, and `bench/ml-cv.ts` repeats it with other seeds to compare options.
 * With `groupOf`, one fold per group instead (the bench's leave-one-well-out).
 */
export function outOfFoldVotes(
  train: readonly Prepared[],
  o: TrainOptions,
  seed: number,
  onFold: (done: number, total: number) => void = () => {},
  groupOf?: (id: string) => string,
): OutOfFoldVotes[] {
  const out: OutOfFoldVotes[] = [];
  const parts = groupOf ? groupFolds(train, groupOf) : folds(train, Math.max(2, Math.min(o.cvFolds, train.length)), seed + 1);
  const k = parts.length;
  parts.forEach((held, f) => {
    onFold(f, k);
    const rest = parts.filter((_, j) => j !== f).flat();
    if (held.length === 0) return;
    const sample = subsample(rest, o, seed + 10 + f);
    const forest = new Forest(trainForest(sample.X, sample.y, forestOptions(o, o.cvEstimators, seed + 100 + f)));
    for (const p of held) out.push({ id: p.series.id, truth: p.series.labels, raw: rawVotes(forest, p) });
  });
  return out;
}

/**
 * The pure training core: split, pick a threshold by grouped cross-validation on the training side,
 * train the forest on the training side, and measure it on the held-out side. Deterministic for a
 * given input and options (seeded split, subsample and trees).
 */
export function trainModel(
  all: readonly LabelledSeries[],
  options: Partial<TrainOptions> = {},
  onProgress: (p: TrainProgress) => void = () => {},
): TrainedModel {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options, windows: { ...DEFAULT_WINDOWS, ...options.windows } };
  const { train, test } = groupedSplit(all, o.testFraction, o.seed);
  if (train.length === 0 || test.length === 0) throw new Error('need at least two series of each event type to split into training and validation');
  onProgress({ phase: 'features', done: 0, total: all.length, message: 'computing features' });
  const trainP = prepare(train, o.windows);
  const testP = prepare(test, o.windows);

  // Threshold: scores of each training series come from a forest that never saw that series.
  const cvScored = outOfFoldVotes(trainP, o, o.seed, (f, k) =>
    onProgress({ phase: 'cross-validation', done: f, total: k, message: `fold ${f + 1} of ${k}` }),
  ).map((s) => ({ id: s.id, truth: s.truth, scores: smoothScores(s.raw, o.smoothing) }));
  const choice = chooseThreshold(cvScored, o.maxFalsePositiveRate);

  const sample = subsample(trainP, o, o.seed + 2);
  const forestJson = trainForest(sample.X, sample.y, forestOptions(o, o.nEstimators, o.seed + 3), (done, total) =>
    onProgress({ phase: 'training', done, total, message: `tree ${done} of ${total}` }),
  );
  onProgress({ phase: 'validation', done: 0, total: test.length, message: 'scoring held-out series' });
  const forest = new Forest(forestJson);
  const validation = qualityReport(
    testP.map((p) => ({
      id: p.series.id,
      truth: p.series.labels,
      predicted: smoothScores(rawVotes(forest, p), o.smoothing).map((v) => v >= choice.threshold),
    })),
  );
  onProgress({ phase: 'done', done: 1, total: 1, message: 'trained' });
  return {
    feature_names: [...FEATURE_NAMES],
    windows: o.windows,
    smoothing: o.smoothing,
    threshold: choice.threshold,
    threshold_choice: choice,
    options: o,
    training: {
      series: all.length,
      train_series: train.map((s) => s.id),
      test_series: test.map((s) => s.id),
      rows_used: sample.X.length,
      rows_available: sample.available,
    },
    validation,
    forest: forestJson,
  };
}
