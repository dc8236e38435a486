import type { LabelledSeries } from './dataset';
import { featureScales, type FeatureScale } from './explain';
import { featureSeries } from './feature-series';
import { DEFAULT_WINDOWS, FEATURE_NAMES, fillGaps, type FeatureWindows } from './features';
import { Forest, trainForest, type ForestJson } from './forest';
import { channelStatsSeries, type GuardLimits } from './guards';
import { qualityReport, type QualityReport } from './metrics';
import { fitNovelty, noveltySeries, type NoveltyModel } from './novelty';
import { seededRandom } from '../../shared/random';
import { smoothedAt } from './smoothing';
import { groupedSplit, shuffle } from './split';

/** Everything that decides the trained model; stored in the model file so a run can be repeated. */
export interface TrainOptions {
  seed: number;
  /**
   * share of the series (per event type) held out for a validation after training; 0 (the default)
   * trains on everything and lets the two cross-validations be the validation
   */
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
  /** folds of the instance-grouped cross-validation (the second figure; leave-one-well-out picks the threshold) */
  cvFolds: number;
  /** trees per cross-validation forest (fewer than the final forest: it only ranks thresholds) */
  cvEstimators: number;
  /** the score is the mean of the forest's vote share over the last `smoothing` readings */
  smoothing: number;
  /** highest acceptable share of flagged rows on normal instances when picking the threshold */
  maxFalsePositiveRate: number;
  /**
   * gate the forest with the novelty model (novelty.ts): a reading is flagged only when the forest's
   * score reaches the threshold and its novelty reaches the novelty threshold, both chosen by the
   * cross-validation (a novelty threshold of 0 is "no gate", so the gate is used only where it pays).
   * Off by default: measured and not shipped (docs/ML.md, "The novelty gate").
   */
  novelty: boolean;
  windows: FeatureWindows;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 20240501,
  testFraction: 0,
  nEstimators: 40,
  maxFeatures: 0.6,
  maxDepth: 12,
  minNumSamples: 5,
  maxTrainRows: 1600,
  normalShare: 0.7,
  cvFolds: 5,
  cvEstimators: 15,
  smoothing: 3,
  maxFalsePositiveRate: 0.05,
  novelty: false,
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
  /** the novelty a flagged reading must also reach (0: no gate); optional: older model files lack it */
  novelty_threshold?: number;
  /** what the cross-validation measured at that threshold (guards included) */
  cv_mean_balanced_accuracy: number;
  cv_false_positive_rate: number;
  met_false_positive_target: boolean;
}

/** One class's figures in a cross-validation: event classes by mean balanced accuracy, class 0 by false positives. */
interface ClassFigures {
  instances: number;
  /** event classes: mean balanced accuracy over their instances */
  mean_balanced_accuracy: number | null;
  /** class 0: share of normal rows flagged; instances with any flagged row */
  false_positive_rate: number | null;
  instances_flagged: number | null;
}

/** A cross-validation's figures at its chosen threshold, overall and per 3W class (0 normal). */
export interface CvSummary {
  folds: string;
  threshold: number;
  novelty_threshold?: number;
  mean_balanced_accuracy: number;
  false_positive_rate: number;
  met_false_positive_target: boolean;
  per_class: Record<string, ClassFigures>;
  per_event_instance: Record<string, number>;
  /**
   * The honest figure: each fold scored at the threshold chosen on the other folds' out-of-fold scores
   * only (the figures above use one threshold chosen on all of them, the fold being scored included).
   * Optional: model files from before it was measured lack it.
   */
  nested?: {
    mean_balanced_accuracy: number;
    false_positive_rate: number;
    thresholds: number[];
    novelty_thresholds?: number[];
    per_fold: FoldFigures[];
  };
}

/** One fold of a cross-validation, scored at its nested threshold (chosen on the other folds only). */
interface FoldFigures {
  /** the well left out, or "fold k" */
  fold: string;
  instances: number;
  threshold: number;
  novelty_threshold?: number;
  /** mean balanced accuracy over the fold's event instances (null: none) */
  mean_balanced_accuracy: number | null;
  /** share of the fold's normal-instance rows flagged (null: none) */
  false_positive_rate: number | null;
}

export interface TrainedModel {
  feature_names: string[];
  windows: FeatureWindows;
  smoothing: number;
  /** the forest's threshold; the reading's score is min(forest, threshold × novelty / novelty_threshold) */
  threshold: number;
  /** the novelty a flagged reading must reach as well (0 or absent: the forest alone decides) */
  novelty_threshold?: number;
  threshold_choice: ThresholdChoice;
  /** the one-class view of normal rows that gates the forest (novelty.ts); absent in older model files */
  novelty?: NoveltyModel | null;
  /** the guards' limits, learned from the normal training rows (guards.ts) */
  guards: GuardLimits;
  /** per feature: normal median and 95th-percentile deviation, to name the reasons (explain.ts) */
  feature_scales: FeatureScale[];
  options: TrainOptions;
  training: { series: number; wells: number; train_series: string[]; test_series: string[]; rows_used: number; rows_available: number };
  /** leave-one-well-out (primary: picks the threshold) and instance-grouped cross-validation, guards included */
  cv: { leave_one_well_out: CvSummary; instance_grouped: CvSummary };
  /** measured on held-out series (only with testFraction > 0), never seen by the forest or the threshold choice */
  validation: (Omit<QualityReport, 'instances'> & { instances: QualityReport['instances'] }) | null;
  forest: ForestJson;
}

/** Per reading, the guards' view (null without enough history): the larger of the two channels. */
interface GuardRow {
  distance: number;
  step: number;
  /** identical readings in a row after the channel had been moving (0 when it had not) */
  frozen: number;
}

export interface Prepared {
  series: LabelledSeries;
  features: (number[] | null)[];
  guards: (GuardRow | null)[];
}

function guardRows(s: LabelledSeries, w: FeatureWindows): (GuardRow | null)[] {
  const rawT = s.temperature;
  const rawP = s.pressure;
  const t = fillGaps(rawT);
  const p = fillGaps(rawP);
  const from = Math.min(w.minHistory, t.length);
  const ta = channelStatsSeries(t, rawT, w.long, from);
  const pa = channelStatsSeries(p, rawP, w.long, from);
  return t.map((_, i) => {
    if (i < from) return null;
    const a = ta[i - from];
    const b = pa[i - from];
    if (!a || !b) return null;
    return {
      distance: Math.max(a.distance, b.distance),
      step: Math.max(a.step, b.step),
      frozen: Math.max(a.movedBefore ? a.frozenRun : 0, b.movedBefore ? b.frozenRun : 0),
    };
  });
}

export function prepare(series: readonly LabelledSeries[], w: FeatureWindows): Prepared[] {
  return series.map((s) => ({
    series: s,
    features: featureSeries(fillGaps(s.temperature), fillGaps(s.pressure), w),
    guards: guardRows(s, w),
  }));
}

/**
 * Guard limits beyond anything the normal rows of `data` showed: 1.5 times the largest distance,
 * step and frozen run seen on a normal row, never below a floor (so a calm training set cannot make
 * the guards twitchy).
 */
export function learnGuards(data: readonly Prepared[]): GuardLimits {
  let distance = 0;
  let step = 0;
  let frozen = 0;
  for (const d of data) {
    d.guards.forEach((g, i) => {
      if (!g || d.series.labels[i] !== 0) return;
      distance = Math.max(distance, g.distance);
      step = Math.max(step, g.step);
      frozen = Math.max(frozen, g.frozen);
    });
  }
  return {
    distance: Math.max(3, Math.round(distance * 1.5 * 10) / 10),
    step: Math.max(20, Math.round(step * 1.5)),
    frozen: Math.max(60, Math.ceil(frozen * 1.5)),
  };
}

/** Rows the guards flag whatever the forest says. */
function guardFlags(d: Prepared, g: GuardLimits): boolean[] {
  return d.guards.map((r) => r !== null && (r.distance > g.distance || r.step > g.step || r.frozen >= g.frozen));
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
function smoothScores(raw: readonly (number | null)[], k: number): number[] {
  return raw.map((v, i) => (v == null ? 0 : smoothedAt(raw, i, k)));
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

/** One series' cross-validated scores; `forced` rows are flagged by the guards whatever the score. */
export interface ScoredSeries {
  id: string;
  truth: readonly number[];
  scores: readonly number[];
  forced?: readonly boolean[];
  /** smoothed novelty per reading (novelty.ts); without it the forest alone decides */
  novelty?: readonly number[];
}

/** Is reading i flagged at forest threshold t and novelty threshold tn (0: no gate)? */
const flaggedAt = (s: ScoredSeries, i: number, t: number, tn: number): boolean =>
  (s.scores[i]! >= t && (tn <= 0 || (s.novelty?.[i] ?? 0) >= tn)) || (s.forced?.[i] ?? false);

const predictAt = (s: ScoredSeries, t: number, tn = 0): boolean[] => s.scores.map((_, i) => flaggedAt(s, i, t, tn));

const THRESHOLDS = Array.from({ length: 37 }, (_, i) => Math.round((0.05 + i * 0.025) * 1000) / 1000);
/** Novelty thresholds tried with each forest threshold (in the model's anchor units); 0 is "no gate". */
const NOVELTY_THRESHOLDS = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5, 3, 4, 6];

/**
 * Mean balanced accuracy over event instances and false-positive rate over normal-instance rows at
 * (t, tn): the numbers `qualityReport` gives, counted without building prediction arrays (the
 * threshold search tries 629 pairs, and the nested figures repeat it per fold).
 */
function figuresAt(scored: readonly ScoredSeries[], t: number, tn: number): { ba: number; fpr: number } {
  let baSum = 0;
  let events = 0;
  let normalRows = 0;
  let normalFp = 0;
  for (const s of scored) {
    let tp = 0;
    let fn = 0;
    let fp = 0;
    let tnRows = 0;
    for (let i = 0; i < s.truth.length; i++) {
      const p = flaggedAt(s, i, t, tn);
      if (s.truth[i] === 1) {
        if (p) tp++;
        else fn++;
      } else if (p) fp++;
      else tnRows++;
    }
    if (tp + fn > 0) {
      events++;
      baSum += fp + tnRows > 0 ? (tp / (tp + fn) + tnRows / (fp + tnRows)) / 2 : tp / (tp + fn);
    } else {
      normalRows += s.truth.length;
      normalFp += fp;
    }
  }
  return { ba: events ? baSum / events : 0, fpr: normalRows ? normalFp / normalRows : 0 };
}

/**
 * The threshold (and, when the series carry novelty, the novelty threshold) with the best
 * cross-validated mean balanced accuracy over event instances among those whose false-positive rate on
 * normal instances meets the target (ties: the higher thresholds, fewer alarms); if none meets it, the
 * one with the fewest false positives.
 */
export function chooseThreshold(scored: readonly ScoredSeries[], maxFpr: number): ThresholdChoice {
  let best: ThresholdChoice | null = null;
  let fallback: ThresholdChoice | null = null;
  const gates = scored.some((s) => s.novelty) ? NOVELTY_THRESHOLDS : [0];
  for (const t of THRESHOLDS) {
    for (const tn of gates) {
      const q = figuresAt(scored, t, tn);
      const choice: ThresholdChoice = {
        threshold: t,
        novelty_threshold: tn,
        cv_mean_balanced_accuracy: q.ba,
        cv_false_positive_rate: q.fpr,
        met_false_positive_target: q.fpr <= maxFpr,
      };
      if (choice.met_false_positive_target && (!best || choice.cv_mean_balanced_accuracy >= best.cv_mean_balanced_accuracy)) best = choice;
      if (!fallback || choice.cv_false_positive_rate < fallback.cv_false_positive_rate) fallback = choice;
    }
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
  /** rows the guards flag, with guard limits learned from the other folds' normal rows */
  forced: boolean[];
  /** novelty per reading against the other folds' normal rows (null: too little history; absent: novelty off) */
  novelty?: (number | null)[];
  /** the fold that scored it, and its name (the well left out, or "fold k") */
  fold: number;
  foldName: string;
}

/** Features of the normal rows (label 0, enough history): what the novelty model and the reasons' scales are fitted on. */
function normalFeatureRows(data: readonly Prepared[]): number[][] {
  const rows: number[][] = [];
  for (const d of data) d.features.forEach((f, i) => f && d.series.labels[i] === 0 && rows.push(f));
  return rows;
}

/** One fold per group, in group order: with the well as the group, leave-one-well-out. */
function groupFolds(series: readonly Prepared[], groupOf: (s: LabelledSeries) => string): Prepared[][] {
  const byGroup = new Map<string, Prepared[]>();
  for (const p of series) {
    const g = groupOf(p.series);
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
  groupOf?: (s: LabelledSeries) => string,
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
    const guards = learnGuards(rest);
    const novelty = o.novelty ? fitNovelty(normalFeatureRows(rest)) : null;
    const foldName = groupOf ? groupOf(held[0]!.series) : `fold ${f + 1}`;
    for (const p of held) {
      out.push({
        id: p.series.id,
        truth: p.series.labels,
        raw: rawVotes(forest, p),
        forced: guardFlags(p, guards),
        ...(novelty ? { novelty: noveltySeries(p.features, novelty) } : {}),
        fold: f,
        foldName,
      });
    }
  });
  return out;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Each fold predicted at the threshold chosen on the other folds' scores (nested: never on the fold itself). */
function nestedFigures(scored: readonly ScoredSeries[], votes: readonly OutOfFoldVotes[], maxFpr: number): NonNullable<CvSummary['nested']> {
  const ids = [...new Set(votes.map((v) => v.fold))].sort((a, b) => a - b);
  const predicted: { id: string; truth: readonly number[]; predicted: boolean[] }[] = [];
  const thresholds: number[] = [];
  const noveltyThresholds: number[] = [];
  const per_fold: FoldFigures[] = [];
  for (const f of ids) {
    const others = scored.filter((_, i) => votes[i]!.fold !== f);
    const c = others.length ? chooseThreshold(others, maxFpr) : { threshold: 0.5, novelty_threshold: 0 };
    const t = c.threshold;
    const tn = c.novelty_threshold ?? 0;
    thresholds.push(t);
    noveltyThresholds.push(tn);
    const mine = scored.flatMap((s, i) => (votes[i]!.fold === f ? [{ id: s.id, truth: s.truth, predicted: predictAt(s, t, tn) }] : []));
    predicted.push(...mine);
    const q = qualityReport(mine);
    per_fold.push({
      fold: votes.find((v) => v.fold === f)!.foldName,
      instances: mine.length,
      threshold: t,
      novelty_threshold: tn,
      mean_balanced_accuracy: q.event_instances ? round3(q.mean_balanced_accuracy_event_instances) : null,
      false_positive_rate: q.normal_instances ? round3(q.false_positive_rate_normal_instances) : null,
    });
  }
  const q = qualityReport(predicted);
  return {
    mean_balanced_accuracy: round3(q.mean_balanced_accuracy_event_instances),
    false_positive_rate: round3(q.false_positive_rate_normal_instances),
    thresholds,
    novelty_thresholds: noveltyThresholds,
    per_fold,
  };
}

/**
 * One cross-validation as training runs it: out-of-fold votes, smoothed as the station smooths them,
 * guards from the other folds, the threshold chosen here (or `fixedThreshold`), and the figures per class.
 * `byWell`: one fold per well (leave-one-well-out), else `o.cvFolds` folds of whole instances.
 */
export function crossValidate(
  data: readonly Prepared[],
  o: TrainOptions,
  seed: number,
  byWell: boolean,
  onFold: (done: number, total: number) => void = () => {},
  fixedThreshold?: number,
): { summary: CvSummary; choice: ThresholdChoice; scored: ScoredSeries[] } {
  const votes = outOfFoldVotes(data, o, seed, onFold, byWell ? (s) => s.group : undefined);
  const scored: ScoredSeries[] = votes.map((v) => ({
    id: v.id,
    truth: v.truth,
    scores: smoothScores(v.raw, o.smoothing),
    forced: v.forced,
    ...(v.novelty ? { novelty: smoothScores(v.novelty, o.smoothing) } : {}),
  }));
  let choice = chooseThreshold(scored, o.maxFalsePositiveRate);
  if (fixedThreshold !== undefined) {
    const q = qualityReport(scored.map((s) => ({ id: s.id, truth: s.truth, predicted: predictAt(s, fixedThreshold) })));
    choice = {
      threshold: fixedThreshold,
      novelty_threshold: 0,
      cv_mean_balanced_accuracy: q.mean_balanced_accuracy_event_instances,
      cv_false_positive_rate: q.false_positive_rate_normal_instances,
      met_false_positive_target: q.false_positive_rate_normal_instances <= o.maxFalsePositiveRate,
    };
  }
  const q = qualityReport(scored.map((s) => ({ id: s.id, truth: s.truth, predicted: predictAt(s, choice.threshold, choice.novelty_threshold ?? 0) })));
  const stratum = new Map(data.map((d) => [d.series.id, d.series.stratum]));
  const per_class: Record<string, ClassFigures> = {};
  const byClass = new Map<number, typeof q.instances>();
  for (const r of q.instances) {
    const c = r.kind === 'normal' ? 0 : (stratum.get(r.id) ?? 0);
    let l = byClass.get(c);
    if (!l) byClass.set(c, (l = []));
    l.push(r);
  }
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    if (c === 0) {
      const rows = list.reduce((a, r) => a + r.rows, 0);
      const flagged = list.reduce((a, r) => a + r.flagged_rows, 0);
      per_class['0'] = {
        instances: list.length,
        mean_balanced_accuracy: null,
        false_positive_rate: round3(rows ? flagged / rows : 0),
        instances_flagged: list.filter((r) => r.flagged_rows > 0).length,
      };
    } else {
      per_class[String(c)] = {
        instances: list.length,
        mean_balanced_accuracy: round3(list.reduce((a, r) => a + r.balanced_accuracy, 0) / list.length),
        false_positive_rate: null,
        instances_flagged: null,
      };
    }
  }
  const wells = new Set(data.map((d) => d.series.group)).size;
  return {
    scored,
    choice,
    summary: {
      folds: byWell ? `leave one well out (${wells} wells)` : `${Math.min(o.cvFolds, data.length)} folds of whole instances`,
      threshold: choice.threshold,
      novelty_threshold: choice.novelty_threshold ?? 0,
      mean_balanced_accuracy: round3(choice.cv_mean_balanced_accuracy),
      false_positive_rate: round3(choice.cv_false_positive_rate),
      met_false_positive_target: choice.met_false_positive_target,
      per_class,
      per_event_instance: Object.fromEntries(q.instances.filter((r) => r.kind === 'event').map((r) => [r.id, round3(r.balanced_accuracy)])),
      nested: nestedFigures(scored, votes, o.maxFalsePositiveRate),
    },
  };
}

/**
 * The pure training core: leave-one-well-out cross-validation picks the threshold (a new wellsite is
 * a well the forest has never seen), instance-grouped cross-validation is the second figure, both
 * with the guards the station applies; then the forest is trained on all training series. With
 * testFraction > 0, series are held out first and measured at the end. Deterministic for a given
 * input and options (seeded folds, subsample and trees).
 */
export function trainModel(
  all: readonly LabelledSeries[],
  options: Partial<TrainOptions> = {},
  onProgress: (p: TrainProgress) => void = () => {},
): TrainedModel {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options, windows: { ...DEFAULT_WINDOWS, ...options.windows } };
  const { train, test } = groupedSplit(all, o.testFraction, o.seed);
  if (train.length < 2) throw new Error('need at least two labelled series to cross-validate');
  if (o.testFraction > 0 && test.length === 0) throw new Error('need at least two series of each event type to split into training and validation');
  onProgress({ phase: 'features', done: 0, total: all.length, message: 'computing features' });
  const trainP = prepare(train, o.windows);
  const testP = prepare(test, o.windows);
  const wells = new Set(train.map((s) => s.group)).size;

  // Threshold: scores of each well come from a forest (and guard limits) that never saw that well.
  // With a single well (a site's own data), leave-one-well-out is impossible: instances it is.
  const byWell = wells >= 2;
  const primary = crossValidate(trainP, o, o.seed, byWell, (f, k) =>
    onProgress({ phase: 'cross-validation', done: f, total: 2 * k, message: `${byWell ? 'leave-one-well-out' : 'grouped'} fold ${f + 1} of ${k}` }),
  );
  const choice = primary.choice;
  const second = byWell
    ? crossValidate(trainP, o, o.seed, false, (f, k) =>
        onProgress({ phase: 'cross-validation', done: k + f, total: 2 * k, message: `instance-grouped fold ${f + 1} of ${k}` }),
      )
    : primary;

  const sample = subsample(trainP, o, o.seed + 2);
  const forestJson = trainForest(sample.X, sample.y, forestOptions(o, o.nEstimators, o.seed + 3), (done, total) =>
    onProgress({ phase: 'training', done, total, message: `tree ${done} of ${total}` }),
  );
  const guards = learnGuards(trainP);
  const normalRows = normalFeatureRows(trainP);
  const noveltyThreshold = choice.novelty_threshold ?? 0;
  const novelty = o.novelty && normalRows.length ? fitNovelty(normalRows) : null;
  let validation: TrainedModel['validation'] = null;
  if (testP.length) {
    onProgress({ phase: 'validation', done: 0, total: test.length, message: 'scoring held-out series' });
    const forest = new Forest(forestJson);
    validation = qualityReport(
      testP.map((p) => ({
        id: p.series.id,
        truth: p.series.labels,
        predicted: predictAt(
          {
            id: p.series.id,
            truth: p.series.labels,
            scores: smoothScores(rawVotes(forest, p), o.smoothing),
            forced: guardFlags(p, guards),
            ...(novelty ? { novelty: smoothScores(noveltySeries(p.features, novelty), o.smoothing) } : {}),
          },
          choice.threshold,
          novelty ? noveltyThreshold : 0,
        ),
      })),
    );
  }
  onProgress({ phase: 'done', done: 1, total: 1, message: 'trained' });
  return {
    feature_names: [...FEATURE_NAMES],
    windows: o.windows,
    smoothing: o.smoothing,
    threshold: choice.threshold,
    novelty_threshold: novelty ? noveltyThreshold : 0,
    threshold_choice: choice,
    novelty,
    guards,
    feature_scales: featureScales(normalRows),
    options: o,
    training: {
      series: all.length,
      wells,
      train_series: train.map((s) => s.id),
      test_series: test.map((s) => s.id),
      rows_used: sample.X.length,
      rows_available: sample.available,
    },
    cv: { leave_one_well_out: primary.summary, instance_grouped: second.summary },
    validation,
    forest: forestJson,
  };
}
