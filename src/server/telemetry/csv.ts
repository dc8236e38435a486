/**
 * CSV for exports (RFC 4180). The export path formats millions of rows, so this is a tight
 * loop over raw row arrays rather than a general CSV library; fields that can hold commas,
 * quotes or line breaks (status, extra JSON) are quoted, quotes doubled.
 */
export const CSV_HEADER = 'id,device_id,ts,time,temperature,pressure,status,extra\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Column order of the raw export row: id, device_id, ts (ms), temperature, pressure, status, extra. */
export type RawExportRow = [number, string, number, number | null, number | null, string | null, string | null];

export function csvLine(r: RawExportRow): string {
  const ts = r[2];
  return `${r[0]},${csvField(r[1])},${ts / 1000},${new Date(ts).toISOString()},${r[3] ?? ''},${r[4] ?? ''},${
    r[5] === null ? '' : csvField(r[5])
  },${r[6] === null ? '' : csvField(r[6])}\r\n`;
}
