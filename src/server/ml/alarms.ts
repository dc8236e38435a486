import type { AlarmPhase } from './repository';

/**
 * Alarm hysteresis as a pure state machine. An alarm opens only after the score has stayed above
 * the threshold for `openAfterMs`, and clears only after it has stayed below for `clearAfterMs`;
 * a single noisy reading neither opens nor clears one, so the alarm list does not flap.
 *
 *   normal --high--> pending --high for openAfter--> active (open)
 *   pending --low--> normal
 *   active --low--> clearing --low for clearAfter--> normal (clear)
 *   clearing --high--> active
 */
export interface AlarmTiming {
  openAfterMs: number;
  clearAfterMs: number;
}

export const DEFAULT_TIMING: AlarmTiming = { openAfterMs: 5 * 60_000, clearAfterMs: 15 * 60_000 };

export interface MachineState {
  phase: AlarmPhase;
  /** start of the current high (pending/active) or low (clearing) run, ms */
  since: number | null;
  /** first high reading of the run that opened / will open the alarm, ms */
  started: number | null;
  peak: number;
}

const INITIAL_STATE: MachineState = { phase: 'normal', since: null, started: null, peak: 0 };

export interface ScoredPoint {
  ts: number;
  score: number;
  anomaly: boolean;
}

export type AlarmEffect =
  | { kind: 'open'; started_ts: number; opened_ts: number; peak: number }
  | { kind: 'peak'; score: number }
  | { kind: 'clear'; ts: number };

export function step(state: MachineState, p: ScoredPoint, timing: AlarmTiming): { state: MachineState; effects: AlarmEffect[] } {
  switch (state.phase) {
    case 'normal':
      if (!p.anomaly) return { state, effects: [] };
      return step({ phase: 'pending', since: p.ts, started: p.ts, peak: p.score }, { ...p, score: p.score }, timing);
    case 'pending': {
      if (!p.anomaly) return { state: INITIAL_STATE, effects: [] };
      const peak = Math.max(state.peak, p.score);
      const started = state.started ?? p.ts;
      if (p.ts - started >= timing.openAfterMs) {
        return {
          state: { phase: 'active', since: started, started, peak },
          effects: [{ kind: 'open', started_ts: started, opened_ts: p.ts, peak }],
        };
      }
      return { state: { ...state, peak }, effects: [] };
    }
    case 'active':
      if (p.anomaly) {
        return p.score > state.peak ? { state: { ...state, peak: p.score }, effects: [{ kind: 'peak', score: p.score }] } : { state, effects: [] };
      }
      return step({ ...state, phase: 'clearing', since: p.ts }, p, timing);
    case 'clearing':
      if (p.anomaly) return step({ ...state, phase: 'active', since: state.started }, p, timing);
      if (p.ts - (state.since ?? p.ts) >= timing.clearAfterMs) return { state: INITIAL_STATE, effects: [{ kind: 'clear', ts: p.ts }] };
      return { state, effects: [] };
  }
}

/** Runs a whole series through the machine (tests, replay). */
export function run(
  points: readonly ScoredPoint[],
  timing: AlarmTiming,
  initial: MachineState = INITIAL_STATE,
): { state: MachineState; effects: (AlarmEffect & { at: number })[] } {
  let state = initial;
  const effects: (AlarmEffect & { at: number })[] = [];
  for (const p of points) {
    const r = step(state, p, timing);
    state = r.state;
    for (const e of r.effects) effects.push({ ...e, at: p.ts });
  }
  return { state, effects };
}
