/** Mapping logger CSV columns onto reading fields, and turning rows into readings. */
export const TARGETS = ['device_id', 'ts', 'temperature', 'pressure', 'status'] as const;
type Target = (typeof TARGETS)[number];
export type Mapping = Record<Target, string>; // column name, or '' for none

const GUESSES: Record<Target, RegExp> = {
  device_id: /^(device(_?id)?|well(_?id)?|tag|id|name)$/i,
  ts: /^(ts|time(stamp)?|date(_?time)?|datetime|t)$/i,
  temperature: /^(temp(erature)?(_(c|f|k|degc|degf))?|t_c|degc|t-tpt)$/i,
  pressure: /^(press(ure)?(_(kpa|pa|bar|psi|mpa))?|p_kpa|kpa|p-tpt)$/i,
  status: /^(status|state|quality|flag)$/i,
};

export function guessMapping(columns: string[]): Mapping {
  const m = {} as Mapping;
  for (const t of TARGETS) m[t] = columns.find((c) => GUESSES[t].test(c.trim())) ?? '';
  return m;
}

/** Units a logger file may use; the station stores °C and kPa, so values are converted on import. */
export const TEMPERATURE_UNITS = { C: '°C', F: '°F', K: 'K' } as const;
export const PRESSURE_UNITS = { Pa: 'Pa', kPa: 'kPa', bar: 'bar', psi: 'psi', MPa: 'MPa' } as const;
export interface ImportUnits {
  temperature: keyof typeof TEMPERATURE_UNITS;
  pressure: keyof typeof PRESSURE_UNITS;
}

const toCelsius: Record<ImportUnits['temperature'], (v: number) => number> = { C: (v) => v, F: (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 };
const toKpa: Record<ImportUnits['pressure'], (v: number) => number> = {
  Pa: (v) => v / 1000,
  kPa: (v) => v,
  bar: (v) => v * 100,
  psi: (v) => v * 6.894757,
  MPa: (v) => v * 1000,
};

/** A unit named in the column header (`pressure_pa`, `Temp (F)`), else the station's own. */
export function guessUnits(m: Mapping): ImportUnits {
  const t = m.temperature.toLowerCase();
  const p = m.pressure.toLowerCase();
  const pressure = (['mpa', 'kpa', 'bar', 'psi', 'pa'] as const).find((u) => new RegExp(`(^|[^a-z])${u}([^a-z]|$)`).test(p));
  const temperature = /(^|[^a-z])(f|degf)([^a-z]|$)/.test(t) ? 'F' : /(^|[^a-z])k([^a-z]|$)/.test(t) ? 'K' : 'C';
  return {
    temperature,
    pressure: pressure === undefined ? 'kPa' : pressure === 'mpa' ? 'MPa' : pressure === 'kpa' ? 'kPa' : pressure === 'pa' ? 'Pa' : pressure,
  };
}

/** How the file writes its times: the zone of times without one, and whether dates are day-first. */
export interface TimeFormat {
  /** `local` (this computer's zone), `Z`, or an offset like `+03:00` */
  zone: string;
  dayFirst: boolean;
}

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A file's time as the station takes it: Unix seconds, or ISO-8601 with a zone. */
function normaliseTime(raw: string, f: TimeFormat): string | number {
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  let iso = text;
  const dm = f.dayFirst ? DAY_FIRST.exec(text) : null;
  if (dm) {
    const [, d, mo, y, h = '00', mi = '00', s = '00'] = dm;
    iso = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${s.padStart(2, '0')}`;
  }
  if (HAS_ZONE.test(iso) || !(ISO_NO_ZONE.test(iso) || dm)) return iso;
  if (f.zone !== 'local') return `${iso.replace(' ', 'T')}${f.zone}`;
  // this computer's zone at that moment (daylight saving included)
  const local = new Date(iso.replace(' ', 'T'));
  return Number.isNaN(local.getTime()) ? iso : local.toISOString();
}

/** The delimiter of a CSV file: whichever of , ; and tab its header line uses most. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const counts = ([',', ';', '\t'] as const).map((d) => [d, header.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/** Below absolute zero, or a negative absolute pressure: a unit mix-up or a broken sensor, not a reading. */
const implausible = (k: 'temperature' | 'pressure', v: number): string | undefined =>
  k === 'temperature' && v < -273.15 ? 'is below absolute zero' : k === 'pressure' && v < 0 ? 'is a negative absolute pressure' : undefined;

export interface RowOutcome {
  reading: Record<string, unknown>;
  /** problems found here (with the value as written); the row is not sent */
  problems: string[];
}

/** One CSV row as a reading payload in °C and kPa; the station validates the rest, and rejects go to the report. */
export function rowToReading(row: Record<string, string>, m: Mapping, fixedDevice: string, units: ImportUnits, time: TimeFormat): RowOutcome {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  out.device_id = m.device_id ? row[m.device_id]?.trim() : fixedDevice.trim();
  out.ts = m.ts ? normaliseTime(row[m.ts] ?? '', time) : '';
  for (const k of ['temperature', 'pressure'] as const) {
    const raw = m[k] ? row[m[k]]?.trim() : '';
    if (!raw) continue;
    const n = Number(raw);
    if (Number.isNaN(n)) {
      out[k] = raw;
      continue;
    }
    const unit = units[k];
    const value = k === 'temperature' ? toCelsius[units.temperature](n) : toKpa[units.pressure](n);
    const why = implausible(k, value);
    if (why) problems.push(`${k}: ${raw} ${k === 'temperature' ? TEMPERATURE_UNITS[unit as ImportUnits['temperature']] : unit} ${why}`);
    out[k] = Math.round(value * 1e6) / 1e6;
  }
  const status = m.status ? row[m.status]?.trim() : '';
  if (status) out.status = status;
  return { reading: out, problems };
}
