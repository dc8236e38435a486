/** Mapping logger CSV columns onto reading fields, and turning rows into readings. */
export const TARGETS = ['device_id', 'ts', 'temperature', 'pressure', 'status'] as const;
type Target = (typeof TARGETS)[number];
export type Mapping = Record<Target, string>; // column name, or '' for none

const GUESSES: Record<Target, RegExp> = {
  device_id: /^(device(_?id)?|well(_?id)?|tag|id|name)$/i,
  ts: /^(ts|time(stamp)?|date(_?time)?|datetime|t)$/i,
  temperature: /^(temp(erature)?(_c)?|t_c|degc)$/i,
  pressure: /^(press(ure)?(_kpa)?|p_kpa|kpa)$/i,
  status: /^(status|state|quality|flag)$/i,
};

export function guessMapping(columns: string[]): Mapping {
  const m = {} as Mapping;
  for (const t of TARGETS) m[t] = columns.find((c) => GUESSES[t].test(c.trim())) ?? '';
  return m;
}

/** One CSV row as a reading payload; the station validates it, and rejects go to the report. */
export function rowToReading(row: Record<string, string>, m: Mapping, fixedDevice: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  out.device_id = m.device_id ? row[m.device_id]?.trim() : fixedDevice.trim();
  const ts = m.ts ? (row[m.ts]?.trim() ?? '') : '';
  out.ts = /^-?\d+(\.\d+)?$/.test(ts) ? Number(ts) : ts;
  for (const k of ['temperature', 'pressure'] as const) {
    const raw = m[k] ? row[m[k]]?.trim() : '';
    if (raw) out[k] = Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  const status = m.status ? row[m.status]?.trim() : '';
  if (status) out.status = status;
  return out;
}
