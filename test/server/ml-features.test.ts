import { describe, expect, it } from 'vitest';
import { CLIP, computeFeatures, correlation, diffNoise, FEATURE_NAMES, fillGaps, slope, std } from '../../src/server/ml/features';

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

  describe('drift features', () => {
    const WIDE = { short: 5, mid: 30, long: 200, minHistory: 10 };
    const jitter = (n: number, amp: number) => Array.from({ length: n }, (_, i) => amp * Math.sin(i * 2.1) * Math.cos(i * 0.7));

    it('when a series drifts steadily under its noise, then the drift grows with the window', () => {
      // 0.02 per reading under jitter of 0.1: invisible step to step, 2.4 over 120 readings.
      const t = jitter(201, 0.1).map((v, i) => 50 + v + 0.02 * i);
      const f = computeFeatures(
        t,
        jitter(201, 5).map((v) => 1e4 + v),
        WIDE,
      )!;
      const d30 = f[idx('temperature.drift_30')]!;
      const d120 = f[idx('temperature.drift_120')]!;
      expect(d30).toBeGreaterThan(0);
      expect(d120).toBeGreaterThan(2 * d30);
      expect(d120).toBeGreaterThan(2);
      // the flat pressure has no drift to speak of
      expect(Math.abs(f[idx('pressure.drift_120')]!)).toBeLessThan(1);
    });

    it('when the level moved since the start of the baseline, then z_early is large; a flat one gives about 0', () => {
      const flat = jitter(120, 0.1).map((v) => 20 + v);
      const moved = flat.map((v, i) => (i < 60 ? v : v + 3));
      const W2 = { short: 5, mid: 30, long: 119, minHistory: 10 };
      expect(computeFeatures(moved, flat, W2)![idx('temperature.z_early')]).toBeGreaterThan(10);
      expect(Math.abs(computeFeatures(flat, flat, W2)![idx('temperature.z_early')]!)).toBeLessThan(1);
    });

    it('when a big step happened k readings ago, then since_big_change is k over the window; without one it is 1', () => {
      const base = jitter(60, 0.1).map((v) => 100 + v);
      const stepped = base.map((v, i) => (i >= 50 ? v + 10 : v));
      const W3 = { short: 5, mid: 30, long: 59, minHistory: 10 };
      // step at index 50, current reading is index 59: 9 readings ago, window of 59 changes
      expect(computeFeatures(stepped, base, W3)![idx('temperature.since_big_change')]).toBeCloseTo(9 / 59, 12);
      expect(computeFeatures(base, base, W3)![idx('temperature.since_big_change')]).toBe(1);
      // ... and right after the step the reading sits far above its slow average
      expect(computeFeatures(stepped.slice(0, 52), base.slice(0, 52), W3)![idx('temperature.ewma_resid')]).toBeGreaterThan(10);
    });

    it('when a series only rises, then persistence_mid is 1; when it alternates, 0.5', () => {
      const ramp = Array.from({ length: 40 }, (_, i) => i * 1.5);
      const zigzag = Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : 0));
      const f = computeFeatures(ramp, zigzag, WIDE)!;
      expect(f[idx('temperature.persistence_mid')]).toBe(1);
      expect(f[idx('pressure.persistence_mid')]).toBe(0.5);
    });

    it('when temperature and pressure move together or apart, then agree_mid has that sign and log_change_ratio says which moved more', () => {
      const up = Array.from({ length: 60 }, (_, i) => 10 + (i >= 40 ? (i - 40) * 0.5 : 0) + 0.01 * Math.sin(i * 2.1));
      const down = up.map((v) => 30 - v);
      const flat = jitter(60, 0.01).map((v) => 5 + v);
      const together = computeFeatures(
        up,
        up.map((v) => v * 3),
        WIDE,
      )!;
      const apart = computeFeatures(up, down, WIDE)!;
      expect(together[idx('cross.agree_mid')]).toBeGreaterThan(0.5);
      expect(apart[idx('cross.agree_mid')]).toBeLessThan(-0.5);
      expect(computeFeatures(up, flat, WIDE)![idx('cross.log_change_ratio')]).toBeGreaterThan(1);
      expect(computeFeatures(flat, up, WIDE)![idx('cross.log_change_ratio')]).toBeLessThan(-1);
    });

    it('helpers: the step noise is 1.4826 x the median absolute change, and one jump does not inflate it', () => {
      expect(diffNoise([0, 1, 3, 4, 6], 0, 5)).toBeCloseTo(1.5 * 1.4826, 12);
      expect(diffNoise([0, 1, 2, 3, 100, 101, 102], 0, 7)).toBeCloseTo(1.4826, 12);
      // repeated values (median step 0) fall back to the mean step, so a moving series never has 0 noise
      expect(diffNoise([5, 5, 5, 5, 6], 0, 5)).toBeCloseTo(0.25, 12);
    });
  });
});
