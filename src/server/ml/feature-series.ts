/**
 * The features of features.ts for every reading of a series at once, fast. `computeFeatures` is the
 * readable definition (one window at a time, about 25 passes over the 360-reading baseline per
 * channel, plus copies); this computes the same numbers for reading after reading while sharing the
 * work between neighbouring windows:
 *
 * - the step noise (a median of the baseline's absolute changes) comes from a sliding sorted window,
 *   not a selection over a fresh copy per reading;
 * - the last big change is found through maxima of 32-reading blocks, not a scan of the baseline;
 * - persistence counts come from prefix counts of rising and falling steps;
 * - everything else over the baseline (mean, spread, range, trend, slow average, spread of the steps,
 *   correlation of the levels) is two fused passes per reading.
 *
 * The long-window statistics are not rolling sums on purpose: a rolling variance of pressures in Pa
 * (1e7) keeps rounding residue of values that left the window, so a frozen baseline would get a
 * spread of about 1 Pa instead of exactly 0, and `ratio` would turn "no change" into ±CLIP. Two passes
 * keep the definitions' arithmetic (differences from the window's own mean), so both implementations
 * agree to rounding (a test compares them on series with frozen stretches, jumps and drifts).
 */
import { CLIP, type FeatureWindows, DEFAULT_WINDOWS } from './features';
import { SortedWindow } from './sorted-window';

const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

/** As in features.ts: a / b, with a vanishing denominator mapped to 0 (no change) or ±CLIP. */
function ratio(a: number, b: number, ref: number): number {
  if (b > 1e-12 * ref) return clip(a / b);
  return Math.abs(a) <= 1e-12 * ref ? 0 : Math.sign(a) * CLIP;
}

const BLOCK = 32;

function meanOf(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let k = from; k < to; k++) s += x[k]!;
  return to > from ? s / (to - from) : 0;
}

function stdOf(x: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  const m = meanOf(x, from, to);
  let s = 0;
  for (let k = from; k < to; k++) s += (x[k]! - m) ** 2;
  return Math.sqrt(s / n);
}

/** Least-squares slope over [from, to), as `slope` in features.ts. */
function slopeOf(x: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  const mt = (n - 1) / 2;
  const mx = meanOf(x, from, to);
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    num += (k - mt) * (x[from + k]! - mx);
    den += (k - mt) ** 2;
  }
  return num / den;
}

/** Correlation of a[k] and b[k] over [from, to), as `correlation` in features.ts. */
function corrOf(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 3) return 0;
  const ma = meanOf(a, from, to);
  const mb = meanOf(b, from, to);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = from; k < to; k++) {
    const da = a[k]! - ma;
    const db = b[k]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Correlation of the values over [from, to) with their position, as `trend` in features.ts. */
function trendOf(x: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  if (n < 3) return 0;
  const ma = (n - 1) / 2;
  const mb = meanOf(x, from, to);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    const da = k - ma;
    const db = x[from + k]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** One channel's series with what neighbouring windows share: steps, block maxima, prefix counts, the noise window. */
class ChannelSeries {
  /** d[k] = x[k] - x[k-1] (d[0] = 0) */
  readonly d: Float64Array;
  private readonly ad: Float64Array;
  private readonly blockMax: Float64Array;
  /** rising[k] / falling[k]: steps d[j] > 0 / < 0 for j < k */
  private readonly rising: Int32Array;
  private readonly falling: Int32Array;
  private readonly noiseWin = new SortedWindow();
  /** the noise window holds ad[j] for j in [wFrom, wTo) */
  private wFrom = 0;
  private wTo = 0;

  constructor(readonly x: ArrayLike<number>) {
    const n = x.length;
    this.d = new Float64Array(n);
    this.ad = new Float64Array(n);
    this.blockMax = new Float64Array(Math.ceil(n / BLOCK));
    this.rising = new Int32Array(n + 1);
    this.falling = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) {
      const dk = k > 0 ? x[k]! - x[k - 1]! : 0;
      this.d[k] = dk;
      this.ad[k] = Math.abs(dk);
      const b = k >> 5;
      if (this.ad[k]! > this.blockMax[b]!) this.blockMax[b] = this.ad[k]!;
      this.rising[k + 1] = this.rising[k]! + (dk > 0 ? 1 : 0);
      this.falling[k + 1] = this.falling[k]! + (dk < 0 ? 1 : 0);
    }
  }

  /** `diffNoise(x, from, to)`: 1.4826 × the median |change| over the baseline [from, to), else the mean |change|. */
  noise(from: number, to: number): number {
    if (to - from < 2) return 0;
    const lo = from + 1;
    // Windows only move forward while a series is scored; anything else starts the window afresh.
    if (lo < this.wFrom || to < this.wTo || this.wTo < lo) {
      this.noiseWin.v.length = 0;
      this.noiseWin.sum = 0;
      this.wFrom = lo;
      this.wTo = lo;
    }
    while (this.wTo < to) this.noiseWin.add(this.ad[this.wTo++]!);
    while (this.wFrom < lo) this.noiseWin.remove(this.ad[this.wFrom++]!);
    const med = this.noiseWin.median();
    if (med > 0) return med * 1.4826;
    return this.noiseWin.exactSum() / this.noiseWin.v.length;
  }

  /** The latest j in [from, to] with |d[j]| > limit, else -1 (whole blocks under the limit are skipped). */
  lastBigChange(from: number, to: number, limit: number): number {
    let j = to;
    while (j >= from) {
      const b = j >> 5;
      const start = b * BLOCK;
      if (j === start + BLOCK - 1 && start >= from && this.blockMax[b]! <= limit) {
        j = start - 1;
        continue;
      }
      if (this.ad[j]! > limit) return j;
      j--;
    }
    return -1;
  }

  /** Steps d[j] for j in [from, to) going the way of `sign`. */
  along(from: number, to: number, sign: number): number {
    const c = sign > 0 ? this.rising : this.falling;
    return c[to]! - c[from]!;
  }
}

/** The baseline [from, to)'s statistics, in two passes. */
interface Baseline {
  mean: number;
  std: number;
  lo: number;
  hi: number;
  trend: number;
  ewma: number;
  stepStd: number;
}

function baseline(c: ChannelSeries, from: number, to: number): Baseline {
  const x = c.x;
  const d = c.d;
  const n = to - from;
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let e = x[from]!;
  let sd = 0;
  for (let k = from; k < to; k++) {
    const v = x[k]!;
    s += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (k > from) {
      e += 0.05 * (v - e);
      sd += d[k]!;
    }
  }
  const mean = n > 0 ? s / n : 0;
  const m = n - 1;
  const dMean = m > 0 ? sd / m : 0;
  const ma = (n - 1) / 2;
  let s2 = 0;
  let sab = 0;
  let saa = 0;
  let sdd = 0;
  for (let k = from; k < to; k++) {
    const dev = x[k]! - mean;
    const dk = k - from - ma;
    s2 += dev * dev;
    sab += dk * dev;
    saa += dk * dk;
    if (k > from) sdd += (d[k]! - dMean) ** 2;
  }
  return {
    mean,
    std: n >= 2 ? Math.sqrt(s2 / n) : 0,
    lo,
    hi,
    trend: n >= 3 && saa > 0 && s2 > 0 ? Math.max(-1, Math.min(1, sab / Math.sqrt(saa * s2))) : 0,
    ewma: e,
    stepStd: m >= 2 ? Math.sqrt(sdd / m) : 0,
  };
}

/** Change along the least-squares line over the last `k` readings up to i, in units of noise·sqrt(k). */
function drift(x: ArrayLike<number>, from: number, i: number, k: number, noise: number, ref: number): number {
  const m = Math.min(k, i - from + 1);
  if (m < 3) return 0;
  return ratio(slopeOf(x, i + 1 - m, i + 1) * (m - 1), noise * Math.sqrt(m), ref);
}

/** The 17 per-channel features of reading i against the baseline [from, i), in FEATURE_NAMES order. */
function channelAt(c: ChannelSeries, b: Baseline, from: number, i: number, w: FeatureWindows, out: number[]): void {
  const x = c.x;
  const last = x[i]!;
  const ref = Math.abs(b.mean) + 1;
  const midFrom = Math.max(from, i - w.mid);
  const muM = meanOf(x, midFrom, i);
  const sdM = stdOf(x, midFrom, i);
  const shortFrom = Math.max(from, i + 1 - w.short);
  const recentFrom = Math.max(from, i - 9);
  const sdRecent = stdOf(x, recentFrom, i + 1);
  const noise = c.noise(from, i);
  const earlyTo = Math.min(i, from + 30);
  const bigAt = c.lastBigChange(from + 1, i, 5 * noise);
  const midN = Math.min(w.mid, i - from);
  const net = x[i]! - x[i - midN]!;
  const along = net === 0 ? 0 : c.along(i - midN + 1, i + 1, net);
  let spreadRatio = 0;
  if (b.std > 1e-12 * ref) spreadRatio = Math.log((sdRecent + 1e-9 * b.std) / b.std);
  else if (sdRecent > 1e-12 * ref) spreadRatio = Math.log(CLIP);
  const recentMean = meanOf(x, shortFrom, i + 1);
  const span = b.hi - b.lo;
  out.push(
    ratio(last - b.mean, b.std, ref),
    ratio(last - muM, sdM, ref),
    ratio(recentMean - b.mean, b.std, ref),
    ratio(slopeOf(x, recentFrom, i + 1), b.std, ref),
    ratio(slopeOf(x, Math.max(from, i + 1 - w.mid), i + 1), b.std, ref),
    clip(spreadRatio),
    ratio(last - x[i - 1]!, b.stepStd, ref),
    span > 1e-12 * ref ? Math.max(-5, Math.min(6, (last - b.lo) / span)) : last === b.lo ? 0.5 : last > b.lo ? 6 : -5,
    b.trend,
    trendOf(x, Math.max(from, i + 1 - w.mid), i + 1),
    drift(x, from, i, 30, noise, ref),
    drift(x, from, i, 60, noise, ref),
    drift(x, from, i, 120, noise, ref),
    ratio(recentMean - meanOf(x, from, earlyTo), stdOf(x, from, earlyTo), ref),
    bigAt < 0 ? 1 : (i - bigAt) / Math.max(1, i - from),
    ratio(last - b.ewma, noise, ref),
    midN > 0 && net !== 0 ? Math.max(0.5, along / midN) : 0.5,
  );
}

/** Change of the short window's mean against the start of the medium window, in baseline spreads. */
function midChange(x: ArrayLike<number>, b: Baseline, from: number, i: number, w: FeatureWindows): number {
  const midFrom = Math.max(from, i + 1 - w.mid);
  const a = meanOf(x, Math.max(from, i + 1 - w.short), i + 1) - meanOf(x, midFrom, Math.min(i + 1, midFrom + w.short));
  return ratio(a, b.std, Math.abs(b.mean) + 1);
}

/** Correlation of the two channels' levels over the baseline, from their means. */
function levelCorr(t: ArrayLike<number>, p: ArrayLike<number>, bt: Baseline, bp: Baseline, from: number, to: number): number {
  if (to - from < 3) return 0;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = from; k < to; k++) {
    const da = t[k]! - bt.mean;
    const db = p[k]! - bp.mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/**
 * Features of readings `start..` of a series (gaps already filled), each against the `w.long`
 * readings before it, exactly as `computeFeatures` on that window; null before `start` and where the
 * history is shorter than `w.minHistory`.
 */
export function featureSeries(
  temperature: ArrayLike<number>,
  pressure: ArrayLike<number>,
  w: FeatureWindows = DEFAULT_WINDOWS,
  start = 0,
): (number[] | null)[] {
  const n = Math.min(temperature.length, pressure.length);
  const out: (number[] | null)[] = new Array(n).fill(null);
  const t = new ChannelSeries(temperature);
  const p = new ChannelSeries(pressure);
  for (let i = Math.max(start, w.minHistory); i < n; i++) {
    const from = Math.max(0, i - w.long);
    const bt = baseline(t, from, i);
    const bp = baseline(p, from, i);
    const f: number[] = [];
    channelAt(t, bt, from, i, w, f);
    channelAt(p, bp, from, i, w, f);
    const midFrom = Math.max(from, i + 1 - w.mid);
    const dT = midChange(temperature, bt, from, i, w);
    const dP = midChange(pressure, bp, from, i, w);
    f.push(
      corrOf(t.d, p.d, midFrom + 1, i + 1),
      corrOf(temperature, pressure, midFrom, i + 1),
      levelCorr(temperature, pressure, bt, bp, from, i),
      Math.tanh(dT / 3) * Math.tanh(dP / 3),
      Math.log((Math.abs(dT) + 0.1) / (Math.abs(dP) + 0.1)),
    );
    out[i] = f;
  }
  return out;
}
