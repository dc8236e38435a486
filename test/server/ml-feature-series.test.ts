import { describe, expect, it } from 'vitest';
import { featureSeries } from '../../src/server/ml/feature-series';
import { CLIP, computeFeatures, FEATURE_NAMES } from '../../src/server/ml/features';

/** A seeded series with what real wells do: noise, a slow drift, a frozen stretch, a jump and a repeated value. */
function wellLike(n: number, level: number, noise: number, seed: number): number[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = level + noise * rnd() + (i > 300 ? (i - 300) * noise * 0.05 : 0);
    if (i >= 120 && i < 260) v = level; // frozen stretch longer than `mid`
    if (i >= 500) v -= level * 0.4; // a collapse
    if (i % 37 === 0) v = out[i - 1] ?? v; // repeated readings
    out.push(v);
  }
  return out;
}

describe('ml feature series (the fast path)', () => {
  const W = { short: 5, mid: 30, long: 120, minHistory: 10 };

  it('when a whole series is computed at once, then every reading has the features of its own window', () => {
    const t = wellLike(700, 88.4, 0.3, 7);
    const p = wellLike(700, 1.68e7, 4e3, 11);
    const fast = featureSeries(t, p, W);
    for (let i = 0; i < t.length; i++) {
      const from = Math.max(0, i - W.long);
      const ref = computeFeatures(t.slice(from, i + 1), p.slice(from, i + 1), W);
      if (!ref) {
        expect(fast[i]).toBeNull();
        continue;
      }
      const f = fast[i]!;
      expect(f).toHaveLength(FEATURE_NAMES.length);
      // Same definitions, other summation order: equal to rounding, and the ±CLIP / 0 cliffs on the same side.
      ref.forEach((v, k) => expect(Math.abs(f[k]! - v), `${FEATURE_NAMES[k]} at ${i}`).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(v))));
    }
  });

  it('when a frozen baseline is scored, then "no change" stays exactly 0 and a change from nothing exactly ±CLIP', () => {
    const p = [...Array(200).fill(1.68e7), 1.68e7, 1.6e7];
    const t = Array(202).fill(60);
    const f = featureSeries(t, p, W);
    const idx = (name: string) => FEATURE_NAMES.indexOf(name);
    expect(f[200]![idx('pressure.z_long')]).toBe(0);
    expect(f[200]![idx('temperature.step')]).toBe(0);
    expect(f[201]![idx('pressure.z_long')]).toBe(-CLIP);
  });

  it('when scoring starts mid-series, then the readings before start are null and the rest are unchanged', () => {
    const t = wellLike(400, 70, 0.2, 3);
    const p = wellLike(400, 9e6, 2e3, 5);
    const all = featureSeries(t, p, W);
    const tail = featureSeries(t, p, W, 250);
    expect(tail.slice(0, 250).every((f) => f === null)).toBe(true);
    for (let i = 250; i < 400; i++) tail[i]!.forEach((v, k) => expect(v).toBeCloseTo(all[i]![k]!, 9));
  });
});
