import type { Precision } from '../../shared/influx';
import { safeParseReading, type NewReading } from '../../shared/telemetry';
import type { FieldValue, ParsedLine } from './line-protocol';

/** Digits to drop (or the factor to apply) to turn a timestamp of each precision into ms. */
const DROP_DIGITS: Partial<Record<Precision, number>> = { ns: 6, us: 3, ms: 0 };
const FACTOR: Partial<Record<Precision, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Line-protocol timestamp digits -> epoch ms, truncating sub-millisecond digits as text (exact). */
export function timestampToMs(digits: string, precision: Precision): number {
  const factor = FACTOR[precision];
  if (factor !== undefined) return Number(digits) * factor;
  const drop = DROP_DIGITS[precision] ?? 0;
  if (drop === 0) return Number(digits);
  if (digits.charCodeAt(0) === 45) return Math.floor(Number(digits) / 10 ** drop);
  return digits.length > drop ? Number(digits.slice(0, digits.length - drop)) : 0;
}

export type LineOutcome = { ok: true; reading: NewReading } | { ok: false; error: string };

/**
 * One parsed line -> one reading, validated by the very schema POST /api/telemetry uses:
 * the device comes from the first configured tag present; temperature, pressure and status
 * fields are columns; other fields, and tags other than the device tag, go to `extra`. A
 * `status` tag stands in for a missing status field. The measurement name is not stored.
 */
export function lineToReading(line: ParsedLine, precision: Precision, deviceTags: readonly string[], nowMs: number): LineOutcome {
  let deviceTag: string | undefined;
  for (const tag of deviceTags) {
    if (line.tags[tag] !== undefined) {
      deviceTag = tag;
      break;
    }
  }
  if (deviceTag === undefined) return { ok: false, error: `no device tag: the line needs a ${deviceTags.join(' or ')} tag` };

  const candidate: Record<string, unknown> = {
    device_id: line.tags[deviceTag],
    ts: (line.timestamp === undefined ? nowMs : timestampToMs(line.timestamp, precision)) / 1000,
  };
  let extra: Record<string, FieldValue> | undefined;
  for (const key in line.tags) {
    if (key === deviceTag) continue;
    if (key === 'status') {
      candidate.status = line.tags[key];
      continue;
    }
    (extra ??= {})[key] = line.tags[key]!;
  }
  for (const key in line.fields) {
    const value = line.fields[key]!;
    if (key === 'temperature' || key === 'pressure' || key === 'status') candidate[key] = value;
    else (extra ??= {})[key] = value;
  }
  if (extra) candidate.extra = extra;
  return validate(candidate);
}

function validate(candidate: Record<string, unknown>): LineOutcome {
  const parsed = safeParseReading(candidate);
  if (parsed.success) return { ok: true, reading: parsed.data };
  const error = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
  return { ok: false, error };
}

/**
 * Lines of one request that share a device and timestamp become one reading, fields merged with
 * the later line winning, as InfluxDB merges the fields of one series at one instant. Returns the
 * merged readings and any merge that broke a rule (e.g. more than 32 extra fields).
 */
export function mergeSameInstant(readings: NewReading[], lines: number[]): { readings: NewReading[]; errors: { line: number; error: string }[] } {
  // device -> ts -> index in `out`: no key string built per reading
  const byDevice = new Map<string, Map<number, number>>();
  const out: NewReading[] = [];
  const outLines: number[] = [];
  const merged = new Set<number>();
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    let byTs = byDevice.get(r.device_id);
    if (byTs === undefined) byDevice.set(r.device_id, (byTs = new Map()));
    const at = byTs.get(r.ts);
    if (at === undefined) {
      byTs.set(r.ts, out.length);
      out.push(r);
      outLines.push(lines[i]!);
      continue;
    }
    const prev = out[at]!;
    out[at] = {
      device_id: r.device_id,
      ts: r.ts,
      temperature: r.temperature ?? prev.temperature,
      pressure: r.pressure ?? prev.pressure,
      status: r.status ?? prev.status,
      extra: prev.extra || r.extra ? { ...prev.extra, ...r.extra } : undefined,
    };
    outLines[at] = lines[i]!;
    merged.add(at);
  }
  if (!merged.size) return { readings: out, errors: [] };
  const errors: { line: number; error: string }[] = [];
  const kept: NewReading[] = [];
  for (let i = 0; i < out.length; i++) {
    if (!merged.has(i)) {
      kept.push(out[i]!);
      continue;
    }
    const r = out[i]!;
    const check = validate({ ...stripNullish(r), ts: r.ts / 1000 });
    if (check.ok) kept.push(check.reading);
    else errors.push({ line: outLines[i]!, error: `merged with earlier lines of the same device and time: ${check.error}` });
  }
  return { readings: kept, errors };
}

function stripNullish(r: NewReading): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && v !== null) o[k] = v;
  return o;
}
