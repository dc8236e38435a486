/** Small statistics helpers: the report uses medians of rounds and percentiles of samples. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const ratio = (a: number, b: number) => (b === 0 ? NaN : Math.round((a / b) * 1000) / 1000);

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Monotonic milliseconds. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A well-spread pseudo-random index in 0..n-1 for the i-th sample (Knuth's multiplicative hash): repeatable runs. */
export const pick = (i: number, n: number) => (i * 2_654_435_761) % n;

/** Runs `fn` n times and returns each run's milliseconds. */
export function timed(n: number, fn: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    fn(i);
    out.push(now() - t);
  }
  return out;
}
