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
] as const;

export const FEATURE_NAMES: readonly string[] = [
  ...CHANNEL_FEATURES.map((f) => `temperature.${f}`),
  ...CHANNEL_FEATURES.map((f) => `pressure.${f}`),
  'cross.corr_diff_mid', // do temperature and pressure move together, step by step?
  'cross.corr_level_mid', // ... and in level over the medium window
];

const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

/** a / b, with a zero or vanishing denominator mapped to 0 (no change) or ±CLIP (change from nothing). */
function ratio(a: number, b: number, ref: number): number {
  // `ref` (|baseline level| + 1) only scales the test for "vanishing": it guards rounding noise.
  if (b > 1e-12 * ref) return clip(a / b);
  return Math.abs(a) <= 1e-12 * ref ? 0 : Math.sign(a) * CLIP;
}

export function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
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

function trend(xs: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 3) return 0;
  const t = Array.from({ length: n }, (_, i) => i);
  return correlation(t, Array.prototype.slice.call(xs, from, to) as number[]);
}

function diffs(xs: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from + 1; i < to; i++) out.push(xs[i]! - xs[i - 1]!);
  return out;
}

/** The ten per-channel features for a window whose last element is the current reading. */
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
  ];
}

/**
 * Features of the last reading of a window. `temperature` and `pressure` hold the device's readings
 * in time order, the current one last (gaps already filled). Returns null without enough history.
 */
export function computeFeatures(
  temperature: readonly number[],
  pressure: readonly number[],
  w: FeatureWindows = DEFAULT_WINDOWS,
): number[] | null {
  const n = Math.min(temperature.length, pressure.length);
  if (n - 1 < w.minHistory) return null;
  const keep = Math.min(n, w.long + 1);
  const t = temperature.slice(temperature.length - keep);
  const p = pressure.slice(pressure.length - keep);
  const midFrom = Math.max(0, keep - w.mid);
  return [
    ...channelFeatures(t, w),
    ...channelFeatures(p, w),
    correlation(diffs(t, midFrom, keep), diffs(p, midFrom, keep)),
    correlation(t.slice(midFrom), p.slice(midFrom)),
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

/** Features for every reading of one series (null where history is too short). */
export function featureSeries(
  temperature: readonly number[],
  pressure: readonly number[],
  w: FeatureWindows = DEFAULT_WINDOWS,
): (number[] | null)[] {
  const out: (number[] | null)[] = [];
  for (let i = 0; i < temperature.length; i++) {
    const from = Math.max(0, i + 1 - (w.long + 1));
    out.push(computeFeatures(temperature.slice(from, i + 1), pressure.slice(from, i + 1), w));
  }
  return out;
}
