/**
 * Timestamps arrive as Unix seconds (fractions allowed) or ISO-8601 strings and are stored as
 * integer milliseconds UTC. Readings outside [MIN_TS_MS, now + MAX_FUTURE_MS] are refused: a year
 * 1900 or 3000 stamp is a device clock fault, never data an engineer wants mixed into a trend.
 */
const MIN_TS_MS = Date.UTC(1980, 0, 1);
const MAX_FUTURE_MS = 24 * 3600 * 1000;

// Date-time with a zone (Z or ±hh:mm) or a bare date. A zone-less date-time is ambiguous on a
// wellsite laptop set to local time, so it is refused rather than guessed.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Date.parse rolls impossible dates forward (2026-02-30 becomes 2026-03-02) in V8, so a device
 * with a broken calendar would have its readings filed on the wrong day. The fields of an
 * ISO_8601 match are checked here instead; the zone offset is checked too (at most ±23:59).
 */
function isRealCalendarTime(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  if (text.length === 10) return true;
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  const second = text.charAt(16) === ':' ? Number(text.slice(17, 19)) : 0;
  if (hour > 23 || minute > 59 || second > 59) return false;
  const zone = /([+-])(\d{2}):?(\d{2})$/.exec(text);
  return !zone || (Number(zone[2]) <= 23 && Number(zone[3]) <= 59);
}

/** Parses seconds or ISO-8601 into epoch ms, or returns an error message. */
export function parseTimestamp(value: unknown): number | string {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a finite number of Unix seconds or an ISO-8601 string';
    ms = Math.round(value * 1000);
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (/^-?\d+(?:\.\d+)?$/.test(text)) {
      ms = Math.round(Number(text) * 1000);
    } else if (ISO_8601.test(text)) {
      if (!isRealCalendarTime(text)) return 'is not a real date and time (check the day of the month, hours 0-23, minutes and seconds 0-59)';
      ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(ms)) return 'is not a valid ISO-8601 date-time';
    } else {
      return 'must be Unix seconds or an ISO-8601 date-time with a zone, e.g. 2024-05-01T12:00:00Z';
    }
  } else {
    return 'must be Unix seconds or an ISO-8601 string';
  }
  if (ms < MIN_TS_MS) return `is before ${new Date(MIN_TS_MS).toISOString()}`;
  if (ms > Date.now() + MAX_FUTURE_MS) return 'is more than a day in the future';
  return ms;
}

export const msToSeconds = (ms: number): number => ms / 1000;
export const msToIso = (ms: number): string => new Date(ms).toISOString();
