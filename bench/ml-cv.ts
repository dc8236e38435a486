/**
 * Model selection by cross-validation, repeated so that noise is not mistaken for gain. Each repeat is
 * exactly the training run's cross-validation (`crossValidate` in train.ts: out-of-fold forests and
 * guard limits, the station's smoothing, the best mean balanced accuracy within the false-positive
 * budget) with other fold/subsample/tree seeds; repeat 0 is what `npm run train` does.
 *
 *   npx tsx bench/ml-cv.ts [--repeats 3] [--first-repeat 0] [--by-well] [--normal-share 0.7] [--rows 1600] [--cv-trees 15]
 *        [--max-features 0.6] [--max-depth 12] [--min-samples 5] [--smoothing 3] [--long 360] [--mid 30]
 *        [--no-guards] [--novelty] [--threshold T] [--early-normalise N]
 *
 * --by-well: leave-one-well-out (the primary criterion: a new wellsite is a well the model never saw);
 * without it, folds of whole instances (wells may be on both sides). --novelty: the forest gated by
 * the novelty model (novelty.ts), forest and novelty thresholds chosen together. Prints one JSON document: per repeat the
 * thresholds (forest and novelty) and their figures, their mean and spread, per class and per event
 * instance.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLabelledSeries } from '../src/server/ml/dataset';
import { DEFAULT_WINDOWS } from '../src/server/ml/features';
import { groupedSplit } from '../src/server/ml/split';
import { crossValidate, DEFAULT_TRAIN_OPTIONS, prepare, type TrainOptions } from '../src/server/ml/train';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(process.env.ML_TRAIN_DATA ?? join(ROOT, '..', 'shared', 'data', '3w'));
const SEED_STEP = 1000;

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    'first-repeat': { type: 'string', default: '0' },
    'normal-share': { type: 'string' },
    rows: { type: 'string' },
    'cv-trees': { type: 'string' },
    'max-features': { type: 'string' },
    'max-depth': { type: 'string' },
    'min-samples': { type: 'string' },
    smoothing: { type: 'string' },
    long: { type: 'string' },
    mid: { type: 'string' },
    threshold: { type: 'string' },
    'by-well': { type: 'boolean', default: false },
    'no-guards': { type: 'boolean', default: false },
    novelty: { type: 'boolean', default: false },
    'early-normalise': { type: 'string' },
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
  novelty: values.novelty,
  windows: { ...DEFAULT_WINDOWS, long: num(values.long, DEFAULT_WINDOWS.long), mid: num(values.mid, DEFAULT_WINDOWS.mid) },
};
const repeats = num(values.repeats, 3);
const byWell = values['by-well'];
const fixed = values.threshold === undefined ? undefined : Number(values.threshold);

const started = Date.now();
const { train } = groupedSplit(loadLabelledSeries(DATA), o.testFraction, o.seed);
const prepared = prepare(train, o.windows);
if (values['no-guards']) for (const p of prepared) p.guards = p.guards.map(() => null);
// Experiment (not in the station): every feature minus its median over the series' first N scored
// readings, as a new wellsite would calibrate on its own first hours.
const early = num(values['early-normalise'], 0);
if (early > 0) {
  for (const p of prepared) {
    const rows = p.features.filter((f): f is number[] => f !== null).slice(0, early);
    if (rows.length === 0) continue;
    const med = rows[0]!.map((_, k) => {
      const v = rows.map((r) => r[k]!).sort((a, b) => a - b);
      return v[v.length >> 1]!;
    });
    p.features = p.features.map((f) => (f ? f.map((v, k) => v - med[k]!) : null));
  }
}
const round = (v: number) => Math.round(v * 1000) / 1000;
// --first-repeat 1 skips repeat 0 (the training run's own folds, already in default.metrics.json).
const first = num(values['first-repeat'], 0);
const runs = Array.from({ length: repeats }, (_, r) => {
  const summary = crossValidate(prepared, o, o.seed + (first + r) * SEED_STEP, byWell, undefined, fixed).summary;
  // Each repeat on stderr as it ends: a long run on a busy machine still leaves its finished repeats.
  process.stderr.write(
    `repeat ${first + r}: ${JSON.stringify({ threshold: summary.threshold, novelty_threshold: summary.novelty_threshold, mean_balanced_accuracy: summary.mean_balanced_accuracy, false_positive_rate: summary.false_positive_rate, nested: summary.nested, per_class: summary.per_class, seconds: Math.round((Date.now() - started) / 1000) })}\n`,
  );
  return summary;
});
const bas = runs.map((r) => r.mean_balanced_accuracy);
const mean = bas.reduce((a, b) => a + b, 0) / bas.length;
const spread = Math.sqrt(bas.reduce((a, b) => a + (b - mean) ** 2, 0) / bas.length);
const classes = Object.keys(runs[0]!.per_class);
process.stdout.write(
  `${JSON.stringify(
    {
      case: 'ml-cv',
      options: { ...o, repeats, guards: !values['no-guards'], early_normalise: early, folds: runs[0]!.folds },
      instances: train.length,
      cv_mean_balanced_accuracy: round(mean),
      cv_spread: round(spread),
      cv_false_positive_rate: round(runs.reduce((a, r) => a + r.false_positive_rate, 0) / runs.length),
      nested_mean_balanced_accuracy: round(runs.reduce((a, r) => a + (r.nested?.mean_balanced_accuracy ?? 0), 0) / runs.length),
      repeats: runs.map((r) => ({
        threshold: r.threshold,
        novelty_threshold: r.novelty_threshold,
        mean_balanced_accuracy: r.mean_balanced_accuracy,
        false_positive_rate: r.false_positive_rate,
        nested: r.nested,
      })),
      per_class: Object.fromEntries(
        classes.map((c) => [c, runs.map((r) => (c === '0' ? r.per_class[c]!.false_positive_rate : r.per_class[c]!.mean_balanced_accuracy))]),
      ),
      per_event_instance: Object.fromEntries(Object.keys(runs[0]!.per_event_instance).map((id) => [id, runs.map((r) => r.per_event_instance[id])])),
      seconds: Math.round((Date.now() - started) / 1000),
    },
    null,
    2,
  )}\n`,
);
