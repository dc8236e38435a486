import { describe, expect, it } from 'vitest';
import { CLIP, computeFeatures, correlation, FEATURE_NAMES, fillGaps, slope, std } from '../../src/server/ml/features';

const W = { short: 3, mid: 6, long: 12, minHistory: 4 };
const idx = (name: string) => FEATURE_NAMES.indexOf(name);
const noise = (n: number, base: number, amp: number) => Array.from({ length: n }, (_, i) => base + amp * Math.sin(i * 1.7) * Math.cos(i * 0.3));

describe('ml features', () => {
  it('when history is shorter than minHistory, then no features are computed', () => {
    expect(computeFeatures([1, 2, 3, 4], [1, 2, 3, 4], W)).toBeNull();
    expect(computeFeatures([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], W)).not.toBeNull();
  });

  it('when a series is constant, then z-scores, slopes and steps are 0 and nothing is infinite', () => {
    const f = computeFeatures(Array(20).fill(50), Array(20).fill(1e7), W)!;
    expect(f).toHaveLength(FEATURE_NAMES.length);
    for (const v of f) expect(Number.isFinite(v)).toBe(true);
    expect(f[idx('pressure.z_long')]).toBe(0);
    expect(f[idx('pressure.slope_mid')]).toBe(0);
    expect(f[idx('temperature.step')]).toBe(0);
    expect(f[idx('temperature.range_pos')]).toBe(0.5);
  });

  it('when a frozen baseline jumps, then the z-score is clipped, not infinite', () => {
    const p = [...Array(15).fill(1e7), 0.9e7];
    const f = computeFeatures(Array(16).fill(60), p, W)!;
    expect(f[idx('pressure.z_long')]).toBe(-CLIP);
    expect(f[idx('pressure.range_pos')]).toBe(-5);
  });

  it('when a noisy series steps up, then z_long and step are large and positive', () => {
    const p = [...noise(15, 100, 1), 120];
    const f = computeFeatures(noise(16, 60, 0.5), p, W)!;
    expect(f[idx('pressure.z_long')]).toBeGreaterThan(10);
    expect(f[idx('pressure.step')]).toBeGreaterThan(5);
    expect(f[idx('pressure.range_pos')]).toBeGreaterThan(1);
  });

  it('when a series is a straight ramp, then the trend features are 1', () => {
    const ramp = Array.from({ length: 20 }, (_, i) => 10 + 2 * i);
    const f = computeFeatures(ramp, noise(20, 5, 1), W)!;
    expect(f[idx('temperature.trend_long')]).toBeCloseTo(1, 9);
    expect(f[idx('temperature.trend_mid')]).toBeCloseTo(1, 9);
  });

  it('when units change (°C -> °F, Pa -> psi), then every feature stays the same', () => {
    const tC = noise(30, 90, 2).map((v, i) => v + (i > 24 ? 5 : 0));
    const pPa = noise(30, 1.3e7, 5e4).map((v, i) => v - (i > 22 ? 2e5 : 0));
    const a = computeFeatures(tC, pPa, W)!;
    const b = computeFeatures(
      tC.map((c) => c * 1.8 + 32),
      pPa.map((pa) => pa / 6894.757),
      W,
    )!;
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6));
  });

  it('helpers: slope, std, correlation and gap filling on hand-made numbers', () => {
    expect(slope([1, 3, 5, 7])).toBeCloseTo(2, 12);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2, 12);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(correlation([1, 1, 1], [3, 2, 1])).toBe(0);
    expect(fillGaps([null, 2, null, Number.NaN, 5])).toEqual([2, 2, 2, 2, 5]);
    expect(fillGaps([null, null])).toEqual([0, 0]);
  });
});
