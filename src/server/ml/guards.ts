/**
 * The checks that are never blind to the obvious. A forest only knows the region of feature space it
 * was trained on; far outside it its votes are arbitrary (a 400 °C reading on a 62 °C well voted
 * "normal"). These guards look at the raw readings of one channel against the device's own baseline
 * and flag, whatever the forest says:
 *
 * - distance: the value is far outside what the baseline has shown (robust distance from its median,
 *   in units of its spread, where the spread is at least half the baseline's 5th..95th percentile range);
 * - step: the last change is many times the baseline's typical reading-to-reading change;
 * - frozen: the channel has repeated exactly the same value for many readings after having moved.
 *
 * The distance and step limits are learned at training time from the normal rows (beyond anything
 * normal training data showed), stored in the model file, and have defaults for a station with no
 * model. Physically impossible values are the rule limits' job (rules.ts), which ship with defaults.
 */

export interface GuardLimits {
  /** robust distance from the baseline median (in baseline spreads) above which a value flags */
  distance: number;
  /** last change in units of the baseline's step noise above which a reading flags */
  step: number;
  /** this many identical readings in a row (after the channel had been moving) flag a frozen sensor */
  frozen: number;
}

/** Without a trained model: what the shipped model learned from the 3W normal rows (docs/ML.md). */
export const DEFAULT_GUARDS: GuardLimits = { distance: 4.2, step: 53, frozen: 86 };

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

const median = (sorted: Float64Array): number => {
  const n = sorted.length;
  if (n === 0) return 0;
  const m = n >> 1;
  return n % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
};

/**
 * Stats of the last value of `x` against the `long` readings before it. `raw` is the same channel
 * before gap filling (null = no reading): a dropped channel is carried forward for the features and
 * must not look frozen.
 */
export function channelStats(x: ArrayLike<number>, raw: ArrayLike<number | null>, end: number, long: number): ChannelStats | null {
  const n = end + 1;
  const from = Math.max(0, n - 1 - long);
  const to = n - 1;
  const len = to - from;
  if (len < 2) return null;
  const last = x[to]!;
  const b = new Float64Array(len);
  for (let i = 0; i < len; i++) b[i] = x[from + i]!;
  b.sort();
  const med = median(b);
  // The envelope is the 5th..95th percentile, not min..max: one wild reading in the baseline must not
  // widen it so far that the next wild readings pass (a new level needs 18 of 360 readings to count).
  const lo = b[Math.floor(0.05 * (len - 1))]!;
  const hi = b[Math.ceil(0.95 * (len - 1))]!;
  const dev = new Float64Array(len);
  for (let i = 0; i < len; i++) dev[i] = Math.abs(x[from + i]! - med);
  dev.sort();
  const mad = median(dev) * 1.4826;
  const d = new Float64Array(len - 1);
  for (let i = 1; i < len; i++) d[i - 1] = Math.abs(x[from + i]! - x[from + i - 1]!);
  d.sort();
  let noise = median(d) * 1.4826;
  if (!(noise > 0)) {
    let s = 0;
    for (const v of d) s += v;
    noise = s / d.length;
  }
  // A frozen baseline has no spread at all: a floor of 0.1 % of its level keeps the distance finite
  // (it is the only place a level enters: units with an offset, like °F, only move the floor).
  const floor = 1e-3 * Math.abs(med) + 1e-9;
  const spread = Math.max(mad, (hi - lo) / 2, floor);
  const stepNoise = Math.max(noise, 1e-4 * Math.abs(med) + 1e-9);

  // Frozen: identical raw readings in a row at the end, gaps skipped.
  let run = 0;
  let value: number | null = null;
  let i = to;
  for (; i >= from; i--) {
    const v = raw[i];
    if (v == null) continue;
    if (value === null) value = v;
    if (v !== value) break;
    run++;
  }
  let changes = 0;
  let steps = 0;
  let prev: number | null = null;
  for (let j = from; j <= i; j++) {
    const v = raw[j];
    if (v == null) continue;
    if (prev !== null) {
      steps++;
      if (v !== prev) changes++;
    }
    prev = v;
  }
  return {
    distance: Math.abs(last - med) / spread,
    direction: Math.sign(last - med),
    median: med,
    step: Math.abs(last - x[to - 1]!) / stepNoise,
    frozenRun: run,
    movedBefore: steps >= 10 && changes / steps >= 0.5,
  };
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
