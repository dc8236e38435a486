import { neutraliseFormula } from '../csv/formula';

/**
 * CSV for exports (RFC 4180). The export path formats millions of rows, so this is a tight
 * loop over raw row arrays rather than a general CSV library; fields that can hold commas,
 * quotes or line breaks (status, extra JSON) are quoted, quotes doubled. Status is free text and is
 * neutralised against formula injection; device ids cannot start with a formula character and
 * extra is a JSON object (it starts with `{`).
 */
export const CSV_HEADER = 'id,device_id,ts,time,temperature,pressure,status,extra\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Column order of the raw export row: id, device_id, ts (ms), temperature, pressure, status, extra. */
export type RawExportRow = [number, string, number, number | null, number | null, string | null, string | null];

/**
 * ISO-8601 times for rows in time order. `Date#toISOString` is the single most expensive call of
 * an export; consecutive readings mostly share their minute, so the `YYYY-MM-DDTHH:MM:` part is
 * reused and only seconds and milliseconds are formatted. Output is identical to toISOString.
 */
export function createIsoFormatter(): (ms: number) => string {
  let minute = Number.NaN;
  let prefix = '';
  return (ms) => {
    const m = Math.floor(ms / 60_000);
    if (m !== minute) {
      const iso = new Date(ms).toISOString();
      // Years outside 0000-9999 have a longer form; let Date handle those every time.
      if (iso.length !== 24) return iso;
      minute = m;
      prefix = iso.slice(0, 17);
    }
    const inMinute = ms - minute * 60_000;
    const s = Math.floor(inMinute / 1000);
    const milli = inMinute - s * 1000;
    return `${prefix}${s < 10 ? '0' : ''}${s}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  };
}

/** Formats export rows; one formatter per export (it caches the current minute). */
export function createCsvLineFormatter(): (r: RawExportRow) => string {
  const iso = createIsoFormatter();
  return (r) => {
    const ts = r[2];
    return `${r[0]},${csvField(r[1])},${ts / 1000},${iso(ts)},${r[3] ?? ''},${r[4] ?? ''},${
      r[5] === null ? '' : csvField(neutraliseFormula(r[5]))
    },${r[6] === null ? '' : csvField(r[6])}\r\n`;
  };
}
