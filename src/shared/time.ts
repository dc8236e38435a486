/**
 * Timestamps arrive as Unix seconds (fractions allowed) or ISO-8601 strings and are stored as
 * integer milliseconds UTC. Readings outside [MIN_TS_MS, now + MAX_FUTURE_MS] are refused: a year
 * 1900 or 3000 stamp is a device clock fault, never data an engineer wants mixed into a trend.
 */
export const MIN_TS_MS = Date.UTC(1980, 0, 1);
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

// Date-time with a zone (Z or ±hh:mm) or a bare date. A zone-less date-time is ambiguous on a
// wellsite laptop set to local time, so it is refused rather than guessed.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

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
