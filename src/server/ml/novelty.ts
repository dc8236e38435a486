/**
 * How unusual a feature vector is for a NORMAL well: a one-class view, fitted on normal training rows
 * only, that knows nothing of the event types. The forest learns what the training events look like
 * (mostly DHSV closures); on a well it has never seen, many of its low votes fall on ordinary
 * readings. The station flags a reading only when the forest votes for it AND the reading is unusual
 * here, which lets the forest's threshold drop and catch event types it saw once or never.
 *
 * Per feature, the score is how rare the reading's distance from the normal median is among normal
 * training rows: −log10 of the share of normal rows at least as far out (2 = 1 in 100, 4 = 1 in
 * 10,000), read from a table of tail quantiles; beyond the farthest normal row it keeps growing with
 * log10 of how many times that distance it is (at most 2 more: 100 times). The reading's novelty is its rarest feature's score
 * divided by `anchor`, the 99th percentile of that maximum over the normal rows themselves: 1 means
 * "as unusual as the most unusual 1 % of normal readings". Features are unit-free (features.ts), so
 * the score is too.
 */
import { FEATURE_NAMES } from './features';

/** Table steps per decade of tail share: entry k holds the deviation that 10^(−k/STEPS) of normal rows reach. */
const STEPS = 10;

export interface NoveltyModel {
  /** per feature: median over the normal training rows */
  median: number[];
  /**
   * per feature: tails[i][k] = the deviation |x − median| reached by the ceil(N·10^(−k/10)) most
   * distant normal rows (non-decreasing in k; the last entry is the largest deviation seen)
   */
  tails: number[][];
  /** normal rows it was fitted on (N) */
  rows: number;
  /** 99th percentile of the raw novelty (rarest feature's score) over the normal rows: the unit */
  anchor: number;
}

/** Fits the model on normal rows' features (rows × FEATURE_NAMES). */
export function fitNovelty(normalRows: readonly (readonly number[])[]): NoveltyModel {
  const n = normalRows.length;
  if (n === 0) throw new Error('the novelty model needs normal rows');
  const width = normalRows[0]!.length;
  const median: number[] = [];
  const tails: number[][] = [];
  const kMax = Math.ceil(STEPS * Math.log10(n));
  for (let i = 0; i < width; i++) {
    const v = Float64Array.from(normalRows, (r) => r[i]!).sort();
    const med = v[n >> 1]!;
    const dev = Float64Array.from(v, (x) => Math.abs(x - med)).sort();
    const t: number[] = [];
    for (let k = 0; k <= kMax; k++) {
      const m = Math.max(1, Math.ceil(n * 10 ** (-k / STEPS) - 1e-9));
      t.push(dev[n - m]!);
    }
    median.push(med);
    tails.push(t);
  }
  const model: NoveltyModel = { median, tails, rows: n, anchor: 1 };
  const raw = Float64Array.from(normalRows, (r) => rarest(r, model).score).sort();
  model.anchor = Math.max(raw[Math.min(n - 1, Math.floor(0.99 * n))]!, 1e-6);
  return model;
}

/** Beyond the farthest normal row, the score grows by log10 of the multiple, up to this much. */
const BEYOND_MAX = 2;

/** How many times the farthest normal row's distance `d` is (Infinity for a feature constant in normal rows). */
const beyond = (d: number, t: readonly number[]): number => d / t[t.length - 1]!;

/** One feature's rarity: −log10 of the share of normal rows at least as far from the median. */
function featureScore(x: number, median: number, t: readonly number[]): number {
  const d = Math.abs(x - median);
  // The largest k whose tail deviation is below d: more than 10^(−k/10) of normal rows are not this far.
  if (!(d > t[0]!)) return 0;
  let lo = 0;
  let hi = t.length - 1;
  if (d > t[hi]!) return hi / STEPS + Math.min(BEYOND_MAX, Math.log10(beyond(d, t)));
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < d) lo = mid;
    else hi = mid;
  }
  // t[lo] < d <= t[hi], hi = lo + 1: interpolate inside the step
  return (lo + (d - t[lo]!) / (t[hi]! - t[lo]!)) / STEPS;
}

/** The rarest feature of a row: its index and score (before dividing by the anchor). */
function rarest(f: readonly number[], m: NoveltyModel): { feature: number; score: number } {
  let best = 0;
  let at = 0;
  for (let i = 0; i < m.median.length; i++) {
    const s = featureScore(f[i]!, m.median[i]!, m.tails[i]!);
    if (s > best) {
      best = s;
      at = i;
    }
  }
  return { feature: at, score: best };
}

/** The row's novelty in anchor units (1: as unusual as the top 1 % of normal training readings). */
export function noveltyScore(f: readonly number[], m: NoveltyModel): number {
  return rarest(f, m).score / m.anchor;
}

/** Novelty of every row (null where there are no features). */
export function noveltySeries(features: readonly (readonly number[] | null)[], m: NoveltyModel): (number | null)[] {
  return features.map((f) => (f ? noveltyScore(f, m) : null));
}

/**
 * The rarest feature of a reading in words, for the reasons: which feature, and how few normal
 * training readings were as far out ("1 in 20,000"; beyond all of them: "6x further out than any of
 * the N normal training readings").
 */
export function noveltyRarity(f: readonly number[], m: NoveltyModel): { name: string; share: string } {
  const r = rarest(f, m);
  const t = m.tails[r.feature]!;
  const name = FEATURE_NAMES[r.feature] ?? `feature ${r.feature}`;
  const all = m.rows.toLocaleString('en-US');
  if (r.score > (t.length - 1) / STEPS) {
    const x = beyond(Math.abs(f[r.feature]! - m.median[r.feature]!), t);
    if (!Number.isFinite(x)) return { name, share: `off the one value all ${all} normal training readings held` };
    if (x < 1.1) return { name, share: `further out than all ${all} normal training readings` };
    return { name, share: `${x >= 10 ? Math.round(x) : Math.round(x * 10) / 10}x further out than any of the ${all} normal training readings` };
  }
  const oneIn = 10 ** r.score;
  const rounded = oneIn >= 100 ? Number(oneIn.toPrecision(2)) : Math.round(oneIn);
  return { name, share: `as far out as only 1 in ${rounded.toLocaleString('en-US')} normal training readings` };
}
