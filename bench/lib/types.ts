/** What every case returns; the report turns it into JSON and a Markdown table. */
export interface CaseResult {
  id: string;
  title: string;
  /** sizes and settings the numbers depend on */
  params: Record<string, unknown>;
  /** subject (ours or the reference) -> metric -> median value */
  subjects: Record<string, Record<string, number | null>>;
  /** ratios, named "<ours> / <reference> <metric>" */
  ratios: Record<string, number>;
  /** every round's raw numbers, for the JSON only */
  rounds?: unknown[];
  notes: string[];
  skipped?: string;
  /** set by the harness: when the case ran and the machine's 1/5/15-minute load then */
  ran_at?: string;
  load_average?: number[];
}

export const BENCH_STATION_ENV = {
  // Rate limits would cap a load generator by design: the bench measures throughput, so they are off.
  READ_RATE_LIMIT: '0',
  INGEST_RATE_LIMIT: '0',
  LOG_LEVEL: 'error',
};
