/**
 * Features for the anomaly model, computed from a device's trailing window of readings.
 *
 * Every feature is invariant under a positive affine change of units (Pa -> psi, °C -> °F): it is a
 * z-score, a ratio of spreads, a correlation or a position inside a range. Raw levels never reach the
 * model, so a forest trained on one set of wells can score another well in other units. Windows are
 * counted in readings (the 3W training data has one reading per minute); docs/ML.md lists them.
 */

export interface FeatureWindows {
  /** readings in the "recent" window (including the current one) */
  short: number;
  /** readings in the medium trend window */
  mid: number;
  /** readings of history used as the device's baseline (excluding the current one) */
  long: number;
  /** fewer readings of history than this and no features are computed (the rule scorer answers) */
  minHistory: number;
}

export const DEFAULT_WINDOWS: FeatureWindows = { short: 5, mid: 30, long: 360, minHistory: 10 };

/** Z-scores and ratios are clipped here so a frozen baseline (spread 0) cannot produce Infinity. */
export const CLIP = 50;

const CHANNEL_FEATURES = [
  'z_long', // current value against the long baseline
  'z_mid', // current value against the last `mid` readings
  'z_recent_long', // mean of the short window against the long baseline
  'slope_short', // slope over the last 10 readings, in baseline spreads per reading
  'slope_mid', // slope over the last `mid` readings, in baseline spreads per reading
  'log_spread_ratio', // log of recent spread over baseline spread
  'step', // last change in units of the baseline's typical step
  'range_pos', // where the current value sits in the baseline's min..max range
  'trend_long', // correlation of value with time over the baseline (-1..1)
  'trend_mid', // correlation of value with time over the last `mid` readings
  // Slow drifts (productivity loss, scaling): the change along a fitted line over the last 30, 60
  // and 120 readings, in units of the baseline's reading-to-reading noise times sqrt(window).
  // A random walk of that noise scores about 1 on all three; a steady drift grows with the window.
  'drift_30',
  'drift_60',
  'drift_120',
  'z_early', // mean of the short window against the earliest 30 readings of the baseline
  'since_big_change', // share of the window since the last step > 5 noise units (1 = none seen)
  'ewma_resid', // value minus its slow exponential average (alpha 0.05), in baseline noise units
  'persistence_mid', // share of the last `mid` changes in the direction of the net change (0.5..1)
] as const;

export const FEATURE_NAMES: readonly string[] = [
  ...CHANNEL_FEATURES.map((f) => `temperature.${f}`),
  ...CHANNEL_FEATURES.map((f) => `pressure.${f}`),
  'cross.corr_diff_mid', // do temperature and pressure move together, step by step?
  'cross.corr_level_mid', // ... and in level over the medium window
  'cross.corr_level_long', // ... and over the whole baseline
  'cross.agree_mid', // tanh(dT)·tanh(dP) of the medium-window changes: + together, − opposite
  'cross.log_change_ratio', // log of |dT| / |dP| (both in baseline spreads): which channel moved
];

const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

/** a / b, with a zero or vanishing denominator mapped to 0 (no change) or ±CLIP (change from nothing). */
function ratio(a: number, b: number, ref: number): number {
  // `ref` (|baseline level| + 1) only scales the test for "vanishing": it guards rounding noise.
  if (b > 1e-12 * ref) return clip(a / b);
  return Math.abs(a) <= 1e-12 * ref ? 0 : Math.sign(a) * CLIP;
}

function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return to > from ? s / (to - from) : 0;
}

/** Population standard deviation, two-pass so a constant series gives exactly 0. */
export function std(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const n = to - from;
  if (n < 2) return 0;
  const m = mean(xs, from, to);
  let s = 0;
  for (let i = from; i < to; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / n);
}

/** Least-squares slope against the index (value units per reading). */
export function slope(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const n = to - from;
  if (n < 2) return 0;
  const mt = (n - 1) / 2;
  const mx = mean(xs, from, to);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mt) * (xs[from + i]! - mx);
    den += (i - mt) ** 2;
  }
  return num / den;
}

/** Pearson correlation; 0 when either side is constant (no evidence either way). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return 0;
  const ma = mean(a, 0, n);
  const mb = mean(b, 0, n);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  const r = sab / Math.sqrt(saa * sbb);
  // Near-constant series give noise-level correlations; rounding can also push |r| a hair past 1.
  return Math.max(-1, Math.min(1, r));
}

/**
 * Correlation of the values in [from, to) with their index: the same arithmetic as
 * `correlation(index, values)`, without building either array (it runs for every scored reading).
 */
function trend(xs: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 3) return 0;
  let st = 0;
  for (let i = 0; i < n; i++) st += i;
  const ma = st / n;
  const mb = mean(xs, from, to);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = i - ma;
    const db = xs[from + i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

function diffs(xs: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from + 1; i < to; i++) out.push(xs[i]! - xs[i - 1]!);
  return out;
}

/** The k-th smallest value of `a` (0-based), partially reordering `a` in place (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of |x[i] - x[i-1]| over [from, to), times 1.4826: a step-noise scale that one jump cannot inflate. */
export function diffNoise(xs: ArrayLike<number>, from: number, to: number): number {
  if (to - from < 2) return 0;
  // This runs for every scored reading: a selection (expected linear time) instead of a sort, which
  // was most of the cost of the features. The median is an order statistic, so the value is the same.
  const d = new Float64Array(to - from - 1);
  for (let i = from + 1; i < to; i++) d[i - from - 1] = Math.abs(xs[i]! - xs[i - 1]!);
  const m = d.length >> 1;
  const upper = select(d, m);
  let med = upper;
  if (d.length % 2 === 0) {
    // After selecting m, everything left of it is <= it: the largest of them is the (m-1)-th value.
    let lower = -Infinity;
    for (let i = 0; i < m; i++) if (d[i]! > lower) lower = d[i]!;
    med = (lower + upper) / 2;
  }
  // 60-s means of a slowly varying signal often have a median step of 0 (repeated values): fall back
  // to the mean step so the scale stays positive whenever the series moves at all.
  return med > 0 ? med * 1.4826 : mean(d);
}

/** Change along the least-squares line over the last `k` readings, in units of noise·sqrt(k). */
function drift(x: readonly number[], k: number, noise: number, ref: number): number {
  const n = x.length;
  const m = Math.min(k, n);
  if (m < 3) return 0;
  return ratio(slope(x, n - m, n) * (m - 1), noise * Math.sqrt(m), ref);
}

/** Slow exponential average of the readings before the current one (alpha 0.05, ~20 readings). */
function ewmaBefore(x: readonly number[], from: number, to: number): number {
  let e = x[from]!;
  for (let i = from + 1; i < to; i++) e += 0.05 * (x[i]! - e);
  return e;
}

/** The per-channel features for a window whose last element is the current reading. */
function channelFeatures(x: readonly number[], w: FeatureWindows): number[] {
  const n = x.length;
  const last = x[n - 1]!;
  const histFrom = Math.max(0, n - 1 - w.long);
  const histTo = n - 1;
  const muL = mean(x, histFrom, histTo);
  const sdL = std(x, histFrom, histTo);
  const ref = Math.abs(muL) + 1;
  const midFrom = Math.max(histFrom, histTo - w.mid);
  const muM = mean(x, midFrom, histTo);
  const sdM = std(x, midFrom, histTo);
  const shortFrom = Math.max(0, n - w.short);
  const slopeShort = slope(x, Math.max(0, n - 10), n);
  const slopeMid = slope(x, Math.max(0, n - w.mid), n);
  const sdRecent = std(x, Math.max(0, n - 10), n);
  const stepSd = std(diffs(x, histFrom, histTo));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = histFrom; i < histTo; i++) {
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  const noise = diffNoise(x, histFrom, histTo);
  const earlyTo = Math.min(histTo, histFrom + 30);
  let bigAt = -1;
  for (let i = n - 1; i > histFrom; i--) {
    if (Math.abs(x[i]! - x[i - 1]!) > 5 * noise && (noise > 1e-12 * ref || x[i] !== x[i - 1])) {
      bigAt = i;
      break;
    }
  }
  const midN = Math.min(w.mid, n - 1);
  const net = x[n - 1]! - x[n - 1 - midN]!;
  let along = 0;
  for (let i = n - midN; i < n; i++) if ((x[i]! - x[i - 1]!) * net > 0) along++;
  let spreadRatio = 0;
  if (sdL > 1e-12 * ref) spreadRatio = Math.log((sdRecent + 1e-9 * sdL) / sdL);
  else if (sdRecent > 1e-12 * ref) spreadRatio = Math.log(CLIP);
  return [
    ratio(last - muL, sdL, ref),
    ratio(last - muM, sdM, ref),
    ratio(mean(x, shortFrom, n) - muL, sdL, ref),
    ratio(slopeShort, sdL, ref),
    ratio(slopeMid, sdL, ref),
    clip(spreadRatio),
    ratio(last - x[n - 2]!, stepSd, ref),
    hi - lo > 1e-12 * ref ? Math.max(-5, Math.min(6, (last - lo) / (hi - lo))) : last === lo ? 0.5 : last > lo ? 6 : -5,
    trend(x, histFrom, histTo),
    trend(x, Math.max(0, n - w.mid), n),
    drift(x, 30, noise, ref),
    drift(x, 60, noise, ref),
    drift(x, 120, noise, ref),
    ratio(mean(x, shortFrom, n) - mean(x, histFrom, earlyTo), std(x, histFrom, earlyTo), ref),
    bigAt < 0 ? 1 : (n - 1 - bigAt) / Math.max(1, n - 1 - histFrom),
    ratio(last - ewmaBefore(x, histFrom, histTo), noise, ref),
    midN > 0 && net !== 0 ? Math.max(0.5, along / midN) : 0.5,
  ];
}

/** Change of the short window's mean against the start of the medium window, in baseline spreads. */
function midChange(x: readonly number[], w: FeatureWindows): number {
  const n = x.length;
  const histTo = n - 1;
  const histFrom = Math.max(0, histTo - w.long);
  const midFrom = Math.max(0, n - w.mid);
  const sd = std(x, histFrom, histTo);
  const ref = Math.abs(mean(x, histFrom, histTo)) + 1;
  return ratio(mean(x, Math.max(0, n - w.short), n) - mean(x, midFrom, Math.min(n, midFrom + w.short)), sd, ref);
}

/**
 * Features of the last reading of a window. `temperature` and `pressure` hold the device's readings
 * in time order, the current one last (gaps already filled). Returns null without enough history.
 * This is the readable definition; scoring and training use `featureSeries` (feature-series.ts),
 * which gives the same numbers for a whole series at a fraction of the cost.
 */
export function computeFeatures(temperature: readonly number[], pressure: readonly number[], w: FeatureWindows = DEFAULT_WINDOWS): number[] | null {
  const n = Math.min(temperature.length, pressure.length);
  if (n - 1 < w.minHistory) return null;
  const keep = Math.min(n, w.long + 1);
  const t = temperature.slice(temperature.length - keep);
  const p = pressure.slice(pressure.length - keep);
  const midFrom = Math.max(0, keep - w.mid);
  const dT = midChange(t, w);
  const dP = midChange(p, w);
  return [
    ...channelFeatures(t, w),
    ...channelFeatures(p, w),
    correlation(diffs(t, midFrom, keep), diffs(p, midFrom, keep)),
    correlation(t.slice(midFrom), p.slice(midFrom)),
    correlation(t.slice(0, keep - 1), p.slice(0, keep - 1)),
    Math.tanh(dT / 3) * Math.tanh(dP / 3),
    Math.log((Math.abs(dT) + 0.1) / (Math.abs(dP) + 0.1)),
  ];
}

/**
 * Missing values (null, NaN) are carried forward from the last good reading: a dropped sample is
 * not an anomaly. Leading gaps take the first good value; an all-missing channel becomes zeros.
 */
export function fillGaps(values: readonly (number | null | undefined)[]): number[] {
  const first = values.find((v) => v != null && Number.isFinite(v)) ?? 0;
  let prev = first;
  return values.map((v) => {
    if (v != null && Number.isFinite(v)) prev = v;
    return prev;
  });
}
