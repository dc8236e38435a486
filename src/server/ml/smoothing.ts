/**
 * The mean of the defined values among the last `k` up to index `i` (0 when there are none). Training
 * smooths the forest's votes and the novelty with it, and scoring does the same, so a threshold chosen
 * in cross-validation means the same thing at the station.
 */
export function smoothedAt(values: readonly (number | null)[], i: number, k: number): number {
  let s = 0;
  let n = 0;
  for (let j = Math.max(0, i - k + 1); j <= i; j++) {
    const v = values[j];
    if (v != null) {
      s += v;
      n++;
    }
  }
  return n ? s / n : 0;
}
