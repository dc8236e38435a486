import { describe, expect, it } from 'vitest';
import { buildTrack } from '../../src/server/batches/track';
import type { BatchRow, EventRow } from '../../src/server/batches/repository';
import { checkTransition } from '../../src/server/batches/rules';
import { correctVolume, ctlCrude, ctlCrudeExact, density60 } from '../../src/server/batches/volume';

describe('CTL and net standard volume', () => {
  it('when oil is at 60 F, then CTL is exactly 1 and NSV only removes BS&W', () => {
    expect(ctlCrude(30, 60)).toBe(1);
    expect(correctVolume({ gross_volume_bbl: 1000, temperature_f: 60, api_gravity: 30, bsw_pct: 2 })).toMatchObject({ ctl: 1, gsv_bbl: 1000, nsv_bbl: 980 });
  });

  it('when 30 API oil is at 80 F, then CTL follows the MPMS 11.1 crude formula worked by hand', () => {
    // rho60 = 141.5 x 999.016 / 161.5 = 875.299 kg/m3; alpha = 341.0957 / 875.299^2 = 4.45208e-4
    // alpha dT = 0.0089042; CTL = exp(-0.0089042 x (1 + 0.8 x 0.0089042)) = exp(-0.0089676) = 0.99107
    expect(density60(30)).toBeCloseTo(875.299, 3);
    expect(ctlCrudeExact(30, 80)).toBeCloseTo(0.991072, 6);
    expect(ctlCrude(30, 80)).toBe(0.99107);
    // GSV = 1000 x 0.99107 = 991.07; NSV = 991.07 x (1 - 0.005) = 986.11465 -> 986.11
    expect(correctVolume({ gross_volume_bbl: 1000, temperature_f: 80, api_gravity: 30, bsw_pct: 0.5 })).toEqual({
      gross_volume_bbl: 1000,
      temperature_f: 80,
      api_gravity: 30,
      bsw_pct: 0.5,
      ctl: 0.99107,
      gsv_bbl: 991.07,
      nsv_bbl: 986.11,
    });
  });

  it('when oil is colder than 60 F, then CTL is above 1 (it expands when warmed to 60 F)', () => {
    expect(ctlCrude(20, 40)).toBeGreaterThan(1);
    expect(ctlCrude(20, 40)).toBe(1.00782);
  });

  it('when oil is lighter, then it expands more with heat (smaller CTL at the same temperature)', () => {
    expect(ctlCrude(45, 100)).toBeLessThan(ctlCrude(25, 100));
  });
});

describe('transition rules', () => {
  const base = { status: 'active' as const, version: 3, isAdmin: false };
  it('when an engineer moves forward one stage, then it is allowed and no override', () => {
    expect(checkTransition({ ...base, current: 'stored', to: 'transported' })).toEqual({ override: false, status: 'active' });
  });
  it('when the batch reaches delivered, then its status becomes completed', () => {
    expect(checkTransition({ ...base, current: 'transported', to: 'delivered' }).status).toBe('completed');
  });
  it('when an engineer skips or reverses, then it is 403; an admin without a reason gets 422; with one it is an override', () => {
    expect(() => checkTransition({ ...base, current: 'produced', to: 'stored' })).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => checkTransition({ ...base, current: 'stored', to: 'produced' })).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => checkTransition({ ...base, isAdmin: true, current: 'produced', to: 'stored' })).toThrow(expect.objectContaining({ status: 422 }));
    expect(checkTransition({ ...base, isAdmin: true, current: 'produced', to: 'stored', reason: 'no separator on this pad' })).toEqual({
      override: true,
      status: 'active',
    });
  });
  it('when the batch is already at the target, or not at the expected stage, then it is 409', () => {
    expect(() => checkTransition({ ...base, current: 'separated', to: 'separated' })).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => checkTransition({ ...base, current: 'separated', to: 'stored', expectedStage: 'produced' })).toThrow(expect.objectContaining({ status: 409 }));
  });
});

describe('track view', () => {
  const H = 3_600_000;
  const t0 = Date.UTC(2024, 4, 1, 6);
  const batch: BatchRow = {
    id: 1,
    batch_id: 'B-T',
    well_id: 'well-001',
    current_stage: 'delivered',
    status: 'completed',
    stage_since: t0 + 30 * H,
    version: 6,
    created_at: t0,
    updated_at: t0 + 30 * H,
    created_by: 'engineer',
    note: null,
  };
  let id = 0;
  const ev = (kind: EventRow['kind'], stage: EventRow['stage'], hours: number, gross?: number, bsw?: number): EventRow => {
    const m = gross === undefined ? null : correctVolume({ gross_volume_bbl: gross, temperature_f: 60, api_gravity: 30, bsw_pct: bsw! });
    return {
      id: ++id,
      batch_id: 'B-T',
      ts: t0 + hours * H,
      recorded_at: t0 + hours * H,
      kind,
      stage,
      from_stage: null,
      status: 'active',
      from_status: null,
      location: null,
      carrier: null,
      ticket: null,
      gross_volume_bbl: m?.gross_volume_bbl ?? null,
      temperature_f: m?.temperature_f ?? null,
      api_gravity: m?.api_gravity ?? null,
      bsw_pct: m?.bsw_pct ?? null,
      ctl: m?.ctl ?? null,
      gsv_bbl: m?.gsv_bbl ?? null,
      nsv_bbl: m?.nsv_bbl ?? null,
      override: 0,
      reason: null,
      note: null,
      actor: 'engineer',
    };
  };
  // At 60 F CTL = 1, so NSV = gross x (1 - BS&W/100): 980.00, 980.04, 976.04 (then re-measured 977.04), 973.05, 958.08.
  const events = [
    ev('created', 'produced', 0, 1000, 2),
    ev('transition', 'separated', 4, 982, 0.2),
    ev('transition', 'stored', 6, 978, 0.2),
    ev('measurement', 'stored', 10, 979, 0.2),
    ev('transition', 'transported', 24, 975, 0.2),
    ev('note', 'transported', 25),
    ev('transition', 'delivered', 30, 960, 0.2),
  ];

  it('when stages are measured, then changes compare NSV of consecutive stages and flag losses beyond the tolerance', () => {
    const t = buildTrack(batch, events, 0.5, t0 + 40 * H);
    expect(t.volumes.map((v) => [v.stage, v.nsv_bbl])).toEqual([
      ['produced', 980],
      ['separated', 980.04],
      ['stored', 977.04],
      ['transported', 973.05],
      ['delivered', 958.08],
    ]);
    expect(t.changes).toEqual([
      { from_stage: 'produced', to_stage: 'separated', gross_change_bbl: -18, net_change_bbl: 0.04, net_change_pct: 0.004, loss_flagged: false },
      { from_stage: 'separated', to_stage: 'stored', gross_change_bbl: -3, net_change_bbl: -3, net_change_pct: -0.306, loss_flagged: false },
      { from_stage: 'stored', to_stage: 'transported', gross_change_bbl: -4, net_change_bbl: -3.99, net_change_pct: -0.408, loss_flagged: false },
      { from_stage: 'transported', to_stage: 'delivered', gross_change_bbl: -15, net_change_bbl: -14.97, net_change_pct: -1.538, loss_flagged: true },
    ]);
    expect(t.total_net_change_bbl).toBe(-21.92);
  });

  it('when a stricter tolerance is configured, then smaller losses are flagged too', () => {
    const t = buildTrack(batch, events, 0.3, t0 + 40 * H);
    expect(t.changes.map((c) => c.loss_flagged)).toEqual([false, true, true, true]);
  });

  it('when the batch moved through stages, then each visit lasts until the next transition and the finished last stage has no duration', () => {
    const t = buildTrack(batch, events, 0.5, t0 + 40 * H);
    expect(t.stages.map((s) => [s.stage, s.duration_seconds, s.ongoing])).toEqual([
      ['produced', 4 * 3600, false],
      ['separated', 2 * 3600, false],
      ['stored', 18 * 3600, false],
      ['transported', 6 * 3600, false],
      ['delivered', null, false],
    ]);
    expect(t.timeline.map((e) => e.kind)).toEqual(['created', 'transition', 'transition', 'measurement', 'transition', 'note', 'transition']);
  });

  it('when the batch is still moving, then its current stage runs to as_of', () => {
    const moving = { ...batch, current_stage: 'transported' as const, status: 'active' as const };
    const t = buildTrack(moving, events.slice(0, 6), 0.5, t0 + 27 * H);
    expect(t.stages.at(-1)).toMatchObject({ stage: 'transported', duration_seconds: 3 * 3600, ongoing: true, left_ts: null });
  });
});
