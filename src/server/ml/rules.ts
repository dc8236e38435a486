import type { RuleFired } from '../../shared/ml';

/**
 * The rule scorer: fixed limits and rate-of-change limits an admin sets per device. It answers when
 * the forest cannot (no model, or too little history), and its hard limits are checked alongside
 * the forest too: a reading beyond a limit the engineer set is never explained away by a model.
 */
export interface Limits {
  temperature_min: number | null;
  temperature_max: number | null;
  pressure_min: number | null;
  pressure_max: number | null;
  temperature_rate_max: number | null;
  pressure_rate_max: number | null;
}

/**
 * The limits every device gets until an admin sets its own (or the `*` row): physically impossible
 * readings, in the units the station's readings use (°C; kPa or Pa, as the demo wells and the 3W
 * data). Below -40 °C or above 250 °C no wellhead or flowline sensor reads a live process; a pressure
 * under 5 (kPa or Pa) is a vacuum no flowing well shows. No upper pressure limit by default: readings
 * in Pa reach 1e7-1e8, so any number would be wrong for one of the units in use. Sites that report
 * bar, MPa or psi set their own `*` row (PUT /api/ml/limits/*).
 */
export const DEFAULT_LIMITS: Limits = {
  temperature_min: -40,
  temperature_max: 250,
  pressure_min: 5,
  pressure_max: null,
  temperature_rate_max: null,
  pressure_rate_max: null,
};

export interface Point {
  ts: number | null;
  temperature: number | null;
  pressure: number | null;
}

export interface RuleResult {
  score: number;
  anomaly: boolean;
  fired: RuleFired[];
}

const MINUTE_MS = 60_000;

/**
 * Change per minute between two readings. Gaps shorter than a minute count as a minute, so one
 * second of sensor jitter is not multiplied by 60 into a false rate alarm.
 */
function ratePerMinute(prev: number, prevTs: number, value: number, ts: number): number | null {
  if (!(ts > prevTs)) return null;
  return Math.abs(value - prev) / Math.max(1, (ts - prevTs) / MINUTE_MS);
}

const fmt = (v: number): string => (Math.abs(v) >= 1e6 ? v.toExponential(3) : String(Math.round(v * 1000) / 1000));

/** A fired limit in words: "temperature 300 is above the limit 250". */
export function ruleReason(f: RuleFired): string {
  switch (f.rule) {
    case 'temperature_min':
    case 'pressure_min':
      return `${f.rule.split('_')[0]} ${fmt(f.value)} is below the limit ${fmt(f.limit)}`;
    case 'temperature_max':
    case 'pressure_max':
      return `${f.rule.split('_')[0]} ${fmt(f.value)} is above the limit ${fmt(f.limit)}`;
    default:
      return `${f.rule.split('_')[0]} changed ${fmt(f.value)} per minute, faster than the limit ${fmt(f.limit)}`;
  }
}

export function scoreByRules(reading: Point, prev: Point | null, limits: Limits): RuleResult {
  const fired: RuleFired[] = [];
  const { temperature: t, pressure: p } = reading;
  if (t != null) {
    if (limits.temperature_min != null && t < limits.temperature_min) fired.push({ rule: 'temperature_min', value: t, limit: limits.temperature_min });
    if (limits.temperature_max != null && t > limits.temperature_max) fired.push({ rule: 'temperature_max', value: t, limit: limits.temperature_max });
  }
  if (p != null) {
    if (limits.pressure_min != null && p < limits.pressure_min) fired.push({ rule: 'pressure_min', value: p, limit: limits.pressure_min });
    if (limits.pressure_max != null && p > limits.pressure_max) fired.push({ rule: 'pressure_max', value: p, limit: limits.pressure_max });
  }
  if (prev && prev.ts != null && reading.ts != null) {
    const checks = [
      ['temperature_rate', t, prev.temperature, limits.temperature_rate_max],
      ['pressure_rate', p, prev.pressure, limits.pressure_rate_max],
    ] as const;
    for (const [rule, now, before, max] of checks) {
      if (now == null || before == null || max == null) continue;
      const rate = ratePerMinute(before, prev.ts, now, reading.ts);
      if (rate !== null && rate > max) fired.push({ rule, value: rate, limit: max });
    }
  }
  return { score: fired.length ? 1 : 0, anomaly: fired.length > 0, fired };
}
