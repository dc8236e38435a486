/**
 * The checks that are never blind to the obvious. A forest only knows the region of feature space it
 * was trained on; far outside it its votes are arbitrary (a 400 °C reading on a 62 °C well voted
 * "normal"). These guards look at the raw readings of one channel against the device's own baseline
 * and flag, whatever the forest says:
 *
 * - distance: the value is far outside what the baseline has shown (robust distance from its median,
 *   in units of its spread: see channelStatsSeries);
 * - step: the last change is many times the baseline's typical reading-to-reading change;
 * - frozen: the channel has repeated exactly the same value for many readings after having moved.
 *
 * The distance and step limits are learned at training time from the normal rows (beyond anything
 * normal training data showed), stored in the model file, and have defaults for a station with no
 * model. Physically impossible values are the rule limits' job (rules.ts), which ship with defaults.
 */

import { SortedWindow } from './sorted-window';

export interface GuardLimits {
  /** robust distance from the baseline median (in baseline spreads) above which a value flags */
  distance: number;
  /** last change in units of the baseline's step noise above which a reading flags */
  step: number;
  /** this many identical readings in a row (after the channel had been moving) flag a frozen sensor */
  frozen: number;
}

/** Without a trained model: what the shipped model learned from the 3W normal rows (docs/ML.md). */
export const DEFAULT_GUARDS: GuardLimits = { distance: 13.7, step: 307, frozen: 86 };

export type Channel = 'temperature' | 'pressure';

export interface ChannelStats {
  /** robust distance of the current value from the baseline median, in spreads */
  distance: number;
  /** signed: + above the baseline, − below */
  direction: number;
  median: number;
  /** last change in step-noise units */
  step: number;
  /** identical readings in a row at the end (1 = the value just changed) */
  frozenRun: number;
  /** did the channel move before the frozen run? (share of changing steps ≥ 0.5) */
  movedBefore: boolean;
}

export interface GuardHit {
  kind: 'distance' | 'step' | 'frozen';
  channel: Channel;
  /** how far past its limit: value / limit (≥ 1 when fired) */
  severity: number;
  reason: string;
}

/**
 * Guard stats of readings `from..x.length-1` of one channel, each against the `long` readings before
 * it. `raw` is the same channel before gap filling (null = no reading): a dropped channel is carried
 * forward for the features and must not look frozen. The windows slide (sorted inserts and removals),
 * so a reading costs a few binary searches, not three sorts of its baseline.
 *
 * - spread: the largest of the interquartile range / 1.349 (a standard deviation for normal noise that
 *   one wild reading cannot inflate), half the baseline's 5th..95th percentile range (one wild reading
 *   in the baseline must not widen it so far that the next wild readings pass: a new level needs 18 of
 *   360 readings to count), and 0.1 % of the median (a frozen baseline has no spread at all; the only
 *   place a level enters, so units with an offset, like °F, only move this floor);
 * - step noise: 1.4826 × the median absolute change between baseline readings (the mean change when
 *   that median is 0, as for slowly varying 60-s means), at least 0.01 % of the median.
 */
export function channelStatsSeries(x: ArrayLike<number>, raw: ArrayLike<number | null>, long: number, from: number): (ChannelStats | null)[] {
  const out: (ChannelStats | null)[] = [];
  const n = x.length;
  const win = new SortedWindow();
  const dwin = new SortedWindow();
  // Prefix counts over raw readings: a "step" is a reading with an earlier reading; a "change" one that differs from it.
  const steps = new Int32Array(n + 1);
  const changes = new Int32Array(n + 1);
  let prev: number | null = null;
  for (let j = 0; j < n; j++) {
    const v = raw[j];
    let st = 0;
    let ch = 0;
    if (v != null) {
      if (prev !== null) {
        st = 1;
        ch = v !== prev ? 1 : 0;
      }
      prev = v;
    }
    steps[j + 1] = steps[j]! + st;
    changes[j + 1] = changes[j]! + ch;
  }
  // Window state for reading i: baseline x[lo..i), diffs |x[j]-x[j-1]| for j in (lo, i).
  let lo = 0;
  let hiEnd = 0;
  // Frozen run at reading i: identical raw readings ending at i (nulls skipped), and where it began.
  let run = 0;
  let runValue: number | null = null;
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const want = Math.max(0, i - long);
    // Grow the baseline up to i (exclusive), then drop what fell out of it.
    while (hiEnd < i) {
      win.add(x[hiEnd]!);
      if (hiEnd > lo) dwin.add(Math.abs(x[hiEnd]! - x[hiEnd - 1]!));
      hiEnd++;
    }
    while (lo < want) {
      win.remove(x[lo]!);
      if (lo + 1 < hiEnd) dwin.remove(Math.abs(x[lo + 1]! - x[lo]!));
      lo++;
    }
    const v = raw[i];
    if (v != null) {
      if (v === runValue) run++;
      else {
        run = 1;
        runValue = v;
        runStart = i;
      }
    }
    if (i < from) continue;
    const len = i - lo;
    if (len < 2) {
      out.push(null);
      continue;
    }
    const last = x[i]!;
    const med = win.median();
    const iqrSd = (win.q(0.75, true) - win.q(0.25)) / 1.349;
    const envelope = (win.q(0.95, true) - win.q(0.05)) / 2;
    const floor = 1e-3 * Math.abs(med) + 1e-9;
    const spread = Math.max(iqrSd, envelope, floor);
    let noise = dwin.median() * 1.4826;
    if (!(noise > 0)) noise = dwin.v.length ? dwin.sum / dwin.v.length : 0;
    const stepNoise = Math.max(noise, 1e-4 * Math.abs(med) + 1e-9);
    // The run counted inside the baseline window only; "moved before": changes among raw steps in the
    // baseline before the run began.
    const frozenRun = runValue === null ? 0 : Math.min(run, i - Math.max(lo, runStart) + 1);
    const stepsBefore = steps[runStart]! - steps[lo + 1]!;
    const changesBefore = changes[runStart]! - changes[lo + 1]!;
    out.push({
      distance: Math.abs(last - med) / spread,
      direction: Math.sign(last - med),
      median: med,
      step: Math.abs(last - x[i - 1]!) / stepNoise,
      frozenRun,
      movedBefore: stepsBefore >= 10 && changesBefore / stepsBefore >= 0.5,
    });
  }
  return out;
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return String(Math.round(v * 100) / 100);
};

/** The guards that fire for one channel, each with its reason in words. */
export function guardHits(channel: Channel, value: number | null, s: ChannelStats | null, g: GuardLimits): GuardHit[] {
  if (!s) return [];
  const hits: GuardHit[] = [];
  if (value != null && s.distance > g.distance) {
    hits.push({
      kind: 'distance',
      channel,
      severity: s.distance / g.distance,
      reason: `${channel} ${fmt(value)} is ${fmt(s.distance)}x this device's usual spread ${s.direction > 0 ? 'above' : 'below'} its recent median ${fmt(s.median)} (beyond anything normal training data showed)`,
    });
  }
  if (value != null && s.step > g.step) {
    hits.push({
      kind: 'step',
      channel,
      severity: s.step / g.step,
      reason: `${channel} jumped ${fmt(s.step)}x this device's usual change between readings`,
    });
  }
  if (s.frozenRun >= g.frozen && s.movedBefore) {
    hits.push({
      kind: 'frozen',
      channel,
      severity: s.frozenRun / g.frozen,
      reason: `${channel} has repeated exactly ${fmt(value ?? s.median)} for ${s.frozenRun} readings after moving before: a frozen sensor?`,
    });
  }
  return hits;
}

/**
 * A score for guard hits that keeps growing with how far out the value is, so a posted value that
 * is further out always scores higher: severity 1 (just past the limit) scores 0.5, 3 scores 0.75.
 */
export function guardScore(hits: readonly GuardHit[]): number {
  let s = 0;
  for (const h of hits) s = Math.max(s, h.severity / (h.severity + 1));
  return s;
}
