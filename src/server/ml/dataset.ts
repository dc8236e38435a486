import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseTimestamp } from '../../shared/time';

/**
 * Labelled training data, one series per instance (a 3W instance, or one device of a user's CSV).
 * The split, the features and the metrics all work per series: rows of one instance are never
 * separated, because neighbouring minutes of one well are nearly copies of each other.
 */
export interface LabelledSeries {
  id: string;
  /** the well (3W `well` column) or device: leave-one-well-out cross-validation holds out one group at a time */
  group: string;
  /** event type for stratifying the split: 0 for an all-normal series, else the main event type */
  stratum: number;
  ts: number[];
  temperature: (number | null)[];
  pressure: (number | null)[];
  /** 0 normal, 1 anomalous (any non-zero source label: event steady state or transient) */
  labels: (0 | 1)[];
}

class DatasetError extends Error {
  override name = 'DatasetError';
}

interface Row {
  id: string;
  group?: string;
  ts: number;
  temperature: number | null;
  pressure: number | null;
  label: number;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Reads a 3W file (`instance, timestamp, P-TPT, T-TPT, class`) or a user file (`device_id, ts, temperature, pressure, label`). */
export function parseLabelledCsv(text: string, source = 'csv'): Row[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  if (records.length === 0) return [];
  const cols = Object.keys(records[0]!);
  const is3w = cols.includes('instance') && cols.includes('P-TPT') && cols.includes('T-TPT') && cols.includes('class');
  const isUser = ['device_id', 'ts', 'temperature', 'pressure', 'label'].every((c) => cols.includes(c));
  if (!is3w && !isUser) {
    throw new DatasetError(
      `${source}: expected columns device_id, ts, temperature, pressure, label (or the 3W columns instance, timestamp, P-TPT, T-TPT, class); got ${cols.join(', ')}`,
    );
  }
  const rows: Row[] = [];
  records.forEach((r, i) => {
    const labelText = is3w ? r.class : r.label;
    // The 3W README: a minute whose source has no label is left empty; it is neither normal nor event.
    if (labelText === undefined || labelText.trim() === '') return;
    const label = Number(labelText);
    if (!Number.isInteger(label) || label < 0) throw new DatasetError(`${source} line ${i + 2}: label must be a non-negative integer`);
    const tsRaw = is3w ? r.timestamp : r.ts;
    const ts = parseTimestamp(tsRaw !== undefined && /^-?\d+(\.\d+)?$/.test(tsRaw) ? Number(tsRaw) : tsRaw);
    if (typeof ts === 'string') throw new DatasetError(`${source} line ${i + 2}: ts ${ts}`);
    const id = (is3w ? r.instance : r.device_id) ?? '';
    if (!id) throw new DatasetError(`${source} line ${i + 2}: missing ${is3w ? 'instance' : 'device_id'}`);
    rows.push({
      id,
      // 3W instance names are WELL-<id>_<start>; the `well` column says it outright when present.
      group: is3w ? r.well || id.split('_')[0]! : id,
      ts,
      temperature: num(is3w ? r['T-TPT'] : r.temperature),
      pressure: num(is3w ? r['P-TPT'] : r.pressure),
      label,
    });
  });
  return rows;
}

/** Groups rows by instance/device, sorted by time, with 0/1 labels and a stratum per series. */
export function groupSeries(rows: readonly Row[]): LabelledSeries[] {
  // A series' group is its rows' group (a 3W well), else the series itself (one device of a user's file).
  const byId = new Map<string, Row[]>();
  for (const r of rows) {
    let list = byId.get(r.id);
    if (!list) byId.set(r.id, (list = []));
    list.push(r);
  }
  return [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, list]) => {
      list.sort((a, b) => a.ts - b.ts);
      const counts = new Map<number, number>();
      for (const r of list) if (r.label !== 0) counts.set(r.label % 100, (counts.get(r.label % 100) ?? 0) + 1);
      const stratum = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
      return {
        id,
        group: list[0]!.group ?? id,
        stratum,
        ts: list.map((r) => r.ts),
        temperature: list.map((r) => r.temperature),
        pressure: list.map((r) => r.pressure),
        labels: list.map((r) => (r.label === 0 ? 0 : 1) as 0 | 1),
      };
    });
}

/** A CSV file, or every `*.csv` in a folder (the 3W data comes as one file per event type). */
export function loadLabelledSeries(path: string): LabelledSeries[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.toLowerCase().endsWith('.csv'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new DatasetError(`no .csv files in ${path}`);
  const rows = files.flatMap((f) => parseLabelledCsv(readFileSync(f, 'utf8'), f));
  if (rows.length === 0) throw new DatasetError(`no labelled rows in ${path}`);
  return groupSeries(rows);
}
