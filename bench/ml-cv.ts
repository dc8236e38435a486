/**
 * Model selection without touching the held-out instances: repeated grouped cross-validation on the
 * training side of the shipped split. Each repeat is the training run's own threshold choice (grouped
 * k-fold, forests that never saw the scored series, best mean balanced accuracy within the
 * false-positive budget) with other fold/subsample/tree seeds; repeat 0 is exactly what
 * `npm run train` does. One 3-fold run moves by ±0.015 with its seed, so options are compared on the
 * mean of several repeats. The held-out side is split off first and never scored here.
 *
 *   npx tsx bench/ml-cv.ts [--repeats 3] [--normal-share 0.7] [--rows 1600] [--cv-trees 15]
 *        [--max-features 0.6] [--max-depth 12] [--min-samples 5] [--smoothing 3] [--long 360] [--mid 30]
 *        [--by-well]   (leave-one-well-out instead of k folds of instances: the "new well" case)
 *
 * Prints one JSON document: per repeat the threshold and its CV balanced accuracy and false-positive
 * rate, their mean and spread, and each training event instance's balanced accuracy per repeat.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLabelledSeries } from '../src/server/ml/dataset';
import { DEFAULT_WINDOWS } from '../src/server/ml/features';
import { qualityReport } from '../src/server/ml/metrics';
import { groupedSplit } from '../src/server/ml/split';
import { chooseThreshold, DEFAULT_TRAIN_OPTIONS, outOfFoldVotes, prepare, smoothScores, type TrainOptions } from '../src/server/ml/train';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(process.env.ML_TRAIN_DATA ?? join(ROOT, '..', 'shared', 'data', '3w'));
const SEED_STEP = 1000;

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    'normal-share': { type: 'string' },
    rows: { type: 'string' },
    'cv-trees': { type: 'string' },
    'max-features': { type: 'string' },
    'max-depth': { type: 'string' },
    'min-samples': { type: 'string' },
    smoothing: { type: 'string' },
    long: { type: 'string' },
    mid: { type: 'string' },
    'by-well': { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (v: string | undefined, fallback: number): number => (v === undefined ? fallback : Number(v));
const d = DEFAULT_TRAIN_OPTIONS;
const o: TrainOptions = {
  ...d,
  normalShare: num(values['normal-share'], d.normalShare),
  maxTrainRows: num(values.rows, d.maxTrainRows),
  cvEstimators: num(values['cv-trees'], d.cvEstimators),
  maxFeatures: num(values['max-features'], d.maxFeatures),
  maxDepth: num(values['max-depth'], d.maxDepth),
  minNumSamples: num(values['min-samples'], d.minNumSamples),
  smoothing: num(values.smoothing, d.smoothing),
  windows: { ...DEFAULT_WINDOWS, long: num(values.long, DEFAULT_WINDOWS.long), mid: num(values.mid, DEFAULT_WINDOWS.mid) },
};
const repeats = num(values.repeats, 3);
// 3W instances are named WELL-<id>_<start>: one fold per well measures how the model does on a new well.
const byWell = values['by-well'] ? (id: string) => id.split('_')[0]! : undefined;

const started = Date.now();
const { train } = groupedSplit(loadLabelledSeries(DATA), o.testFraction, o.seed);
const prepared = prepare(train, o.windows);
const round = (v: number) => Math.round(v * 1000) / 1000;
const runs = Array.from({ length: repeats }, (_, r) => {
  const scored = outOfFoldVotes(prepared, o, o.seed + r * SEED_STEP, undefined, byWell).map((s) => ({
    id: s.id,
    truth: s.truth,
    scores: smoothScores(s.raw, o.smoothing),
  }));
  const choice = chooseThreshold(scored, o.maxFalsePositiveRate);
  const q = qualityReport(scored.map((s) => ({ id: s.id, truth: s.truth, predicted: s.scores.map((v) => v >= choice.threshold) })));
  return { choice, events: q.instances.filter((i) => i.kind === 'event') };
});
const bas = runs.map((r) => r.choice.cv_mean_balanced_accuracy);
const mean = bas.reduce((a, b) => a + b, 0) / bas.length;
const spread = Math.sqrt(bas.reduce((a, b) => a + (b - mean) ** 2, 0) / bas.length);
process.stdout.write(
  `${JSON.stringify(
    {
      case: 'ml-cv',
      options: { ...o, repeats, folds: byWell ? 'one per well' : `${o.cvFolds} grouped by instance` },
      training_instances: train.length,
      cv_mean_balanced_accuracy: round(mean),
      cv_spread: round(spread),
      cv_false_positive_rate: round(runs.reduce((a, r) => a + r.choice.cv_false_positive_rate, 0) / runs.length),
      repeats: runs.map((r) => ({
        threshold: r.choice.threshold,
        mean_balanced_accuracy: round(r.choice.cv_mean_balanced_accuracy),
        false_positive_rate: round(r.choice.cv_false_positive_rate),
      })),
      per_event_instance: Object.fromEntries(
        runs[0]!.events.map((e) => [e.id, runs.map((r) => round(r.events.find((x) => x.id === e.id)!.balanced_accuracy))]),
      ),
      seconds: Math.round((Date.now() - started) / 1000),
    },
    null,
    2,
  )}\n`,
);
