import type { Measurement } from '../../shared/batches';

/**
 * Net standard volume of crude oil, the custody figure stages are compared by.
 *
 *   GSV = gross observed volume x CTL          (volume at 60 F)
 *   NSV = GSV x (1 - BS&W / 100)               (volume of dry oil at 60 F)
 *
 * CTL is the API MPMS Chapter 11.1 correction for crude oils (the Table 6A form):
 *   rho60 = 141.5 x 999.016 / (API + 131.5)    kg/m3, density at 60 F from API gravity
 *   alpha = K0 / rho60^2 + K1 / rho60          K0 = 341.0957, K1 = 0 (crude oil)
 *   dT    = t - 60                             degrees F
 *   CTL   = exp(-alpha dT (1 + 0.8 alpha dT))
 *
 * This is a simplification of the 2004 edition, stated plainly: no ITS-90 temperature shift
 * (its delta-60 term), no pressure correction (CPL = 1, oil at atmospheric pressure), no tank
 * shell correction (CTSh = 1), and none of the standard's intermediate rounding and truncation
 * steps. It should match the printed 4-decimal Table 6A to within about 1e-4, which we have not
 * checked against the licensed tables. We round CTL to 5 decimals and volumes to 0.01 bbl, and
 * compute each step from the rounded one before, so every figure can be checked by hand.
 */
const WATER_DENSITY_60F = 999.016;
const K0_CRUDE = 341.0957;
const K1_CRUDE = 0;

const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

export function density60(apiGravity: number): number {
  return (141.5 * WATER_DENSITY_60F) / (apiGravity + 131.5);
}

/** CTL for crude oil at `temperatureF` with the given API gravity at 60 F, unrounded. */
export function ctlCrudeExact(apiGravity: number, temperatureF: number): number {
  const rho = density60(apiGravity);
  const alpha = K0_CRUDE / (rho * rho) + K1_CRUDE / rho;
  const dT = temperatureF - 60;
  return Math.exp(-alpha * dT * (1 + 0.8 * alpha * dT));
}

export const ctlCrude = (apiGravity: number, temperatureF: number): number => round(ctlCrudeExact(apiGravity, temperatureF), 5);

export interface RawMeasurement {
  gross_volume_bbl: number;
  temperature_f: number;
  api_gravity: number;
  bsw_pct: number;
}

export function correctVolume(m: RawMeasurement): Measurement {
  const ctl = ctlCrude(m.api_gravity, m.temperature_f);
  const gsv = round(m.gross_volume_bbl * ctl, 2);
  const nsv = round(gsv * (1 - m.bsw_pct / 100), 2);
  return {
    gross_volume_bbl: m.gross_volume_bbl,
    temperature_f: m.temperature_f,
    api_gravity: m.api_gravity,
    bsw_pct: m.bsw_pct,
    ctl,
    gsv_bbl: gsv,
    nsv_bbl: nsv,
  };
}

/** Rounds a derived volume (differences of stored volumes) the same way. */
export const roundBbl = (v: number): number => round(v, 2);
export const roundPct = (v: number): number => round(v, 3);
