import { FEATURE_NAMES } from './features';
import { noveltyRarity, type NoveltyModel } from './novelty';

/**
 * Why the forest flagged a reading, in words. A forest has no single "reason", so the reasons are the
 * features of the reading that are furthest outside what normal training rows showed: each feature's
 * distance from its normal median in units of its normal 95th-percentile deviation (`FeatureScale`,
 * measured at training time and stored in the model file). Only features an engineer can read are
 * named; the top two beyond their normal range are given.
 */
export interface FeatureScale {
  /** median of the feature over normal training rows */
  median: number;
  /** 95th percentile of |feature − median| over normal training rows */
  p95: number;
}

type Phrase = (ch: string, v: number, r: number) => string;

const fmt = (v: number): string => String(Math.round(v * 10) / 10);
const dir = (v: number, up: string, down: string) => (v >= 0 ? up : down);

const PHRASES: Record<string, Phrase> = {
  z_long: (ch, v) => `${ch} ${fmt(Math.abs(v))} standard deviations ${dir(v, 'above', 'below')} its 6-h baseline`,
  z_recent_long: (ch, v) => `${ch} has stayed ${fmt(Math.abs(v))} standard deviations ${dir(v, 'above', 'below')} its 6-h baseline for 5 readings`,
  slope_short: (ch, v, r) => `${ch} ${dir(v, 'rising', 'falling')} ${fmt(r)}x faster than normal wells do over 10 readings`,
  slope_mid: (ch, v, r) => `${ch} ${dir(v, 'rising', 'falling')} ${fmt(r)}x faster than normal wells do over 30 readings`,
  drift_30: (ch, v, r) => `${ch} ${dir(v, 'rising', 'falling')} steadily over the last 30 readings, ${fmt(r)}x more than normal wander`,
  drift_60: (ch, v, r) => `${ch} ${dir(v, 'rising', 'falling')} steadily over the last 60 readings, ${fmt(r)}x more than normal wander`,
  drift_120: (ch, v, r) => `${ch} ${dir(v, 'rising', 'falling')} steadily over the last 120 readings, ${fmt(r)}x more than normal wander`,
  step: (ch, v, r) => `${ch} ${dir(v, 'jumped up', 'dropped')} ${fmt(r)}x more in one reading than normal`,
  log_spread_ratio: (ch, v) => `${ch} ${fmt(Math.exp(Math.abs(v)))}x ${dir(v, 'noisier', 'quieter')} than its baseline`,
  z_early: (ch, v) => `${ch} has moved ${fmt(Math.abs(v))} standard deviations ${dir(v, 'up', 'down')} from where it was 6 h ago`,
  ewma_resid: (ch, v, r) => `${ch} ${dir(v, 'above', 'below')} its slow average by ${fmt(r)}x the normal gap`,
  range_pos: (ch, v) => `${ch} ${v > 1 ? 'above' : 'below'} everything it read in the last 6 h`,
};

const CROSS: Record<string, Phrase> = {
  'cross.agree_mid': (_ch, v) => `temperature and pressure moving ${v >= 0 ? 'together' : 'in opposite directions'} unlike normal operation`,
  'cross.corr_diff_mid': (_ch, v) => `temperature and pressure changes ${v >= 0 ? 'in step' : 'opposed'}, unlike normal operation`,
};

/** What each feature measures, in words, for the novelty reason ("pressure's steady change over 120 readings"). */
const WHAT: Record<string, string> = {
  z_long: 'distance from its 6-h mean',
  z_mid: 'distance from its 30-reading mean',
  z_recent_long: 'last 5 readings against its 6-h mean',
  slope_short: 'slope over 10 readings',
  slope_mid: 'slope over 30 readings',
  log_spread_ratio: 'recent noise against its 6-h noise',
  step: 'last change',
  range_pos: 'position in its 6-h range',
  trend_long: 'steadiness of its 6-h trend',
  trend_mid: 'steadiness of its 30-reading trend',
  drift_30: 'steady change over 30 readings',
  drift_60: 'steady change over 60 readings',
  drift_120: 'steady change over 120 readings',
  z_early: 'move since 6 h ago',
  since_big_change: 'time since its last jump',
  ewma_resid: 'gap to its slow average',
  persistence_mid: 'share of changes in one direction',
  corr_diff_mid: 'temperature and pressure changing in step',
  corr_level_mid: 'temperature and pressure levels moving together over 30 readings',
  corr_level_long: 'temperature and pressure levels moving together over 6 h',
  agree_mid: 'temperature and pressure moving the same way',
  log_change_ratio: 'which of temperature and pressure moved',
};

/**
 * The novelty gate's reason: the reading's rarest feature and how few normal training readings were
 * as far out, e.g. "unlike normal wells: pressure's steady change over 120 readings is as far out as
 * only 1 in 3,200 normal training readings".
 */
export function noveltyReason(features: readonly number[], model: NoveltyModel): string {
  const r = noveltyRarity(features, model);
  const [ch, f] = r.name.split('.') as [string, string];
  const what = WHAT[f] ?? f;
  return `unlike normal wells: ${ch === 'cross' ? what : `${ch}'s ${what}`} is ${r.share}`;
}

/** Top reasons (at most `max`) for a reading the forest flagged; [] when nothing stands out. */
export function forestReasons(features: readonly number[], scales: readonly FeatureScale[] | undefined, max = 2): string[] {
  if (!scales || scales.length !== features.length) return [];
  const ranked: { r: number; text: string }[] = [];
  features.forEach((v, i) => {
    const name = FEATURE_NAMES[i]!;
    const s = scales[i]!;
    const r = Math.abs(v - s.median) / (s.p95 > 0 ? s.p95 : 1);
    if (!(r > 1)) return;
    const [ch, f] = name.split('.') as [string, string];
    const phrase = ch === 'cross' ? CROSS[name] : PHRASES[f];
    if (phrase) ranked.push({ r, text: phrase(ch, v, r) });
  });
  ranked.sort((a, b) => b.r - a.r);
  return ranked.slice(0, max).map((x) => x.text);
}

/** Per-feature normal median and 95th-percentile deviation, from the normal rows' features. */
export function featureScales(normalRows: readonly (readonly number[])[]): FeatureScale[] {
  return FEATURE_NAMES.map((_, i) => {
    const v = Float64Array.from(normalRows, (r) => r[i]!).sort();
    const med = v.length ? v[v.length >> 1]! : 0;
    const dev = Float64Array.from(v, (x) => Math.abs(x - med)).sort();
    const p95 = dev.length ? dev[Math.min(dev.length - 1, Math.floor(0.95 * dev.length))]! : 0;
    return { median: med, p95 };
  });
}
