import { STAGE_NEEDS, stageIndex, type BatchStatus, type Stage } from '../../shared/batches';
import { AppError } from '../http/errors';

/**
 * The custody rules, as pure functions so they read like the issue: a batch moves forward one
 * stage at a time; skipping or going back needs an admin and a reason; a batch on hold or
 * rejected does not move; delivery completes it.
 */
export interface TransitionRequest {
  current: Stage;
  status: BatchStatus;
  version: number;
  to: Stage;
  expectedStage?: Stage;
  isAdmin: boolean;
  reason?: string;
  /** whether the transition carries a measurement (gross volume, temperature, API gravity, BS&W); the service always says */
  measured?: boolean;
}

const conflict = (detail: string, r: { current: Stage; status: BatchStatus; version: number }) =>
  new AppError(409, detail, { current_stage: r.current, batch_status: r.status, version: r.version });

/** Returns whether this is an override (skip/reverse) and the status after it, or throws 403/409/422. */
export function checkTransition(r: TransitionRequest): { override: boolean; status: BatchStatus } {
  if (r.expectedStage !== undefined && r.expectedStage !== r.current) {
    throw conflict(`the batch is at ${r.current}, not ${r.expectedStage}: someone moved it first; reload and retry`, r);
  }
  if (r.to === r.current) throw conflict(`the batch is already at ${r.current}`, r);
  if (r.status === 'on_hold') throw conflict('the batch is on hold: set its status to active before moving it', r);
  if (r.status === 'rejected') throw conflict('the batch is rejected: an admin must set it active (with a reason) before it moves', r);

  const step = stageIndex(r.to) - stageIndex(r.current);
  const override = step !== 1;
  if (override) {
    const what = step > 1 ? `skips ${step - 1} stage${step > 2 ? 's' : ''}` : 'goes back';
    if (!r.isAdmin) throw new AppError(403, `moving from ${r.current} to ${r.to} ${what}: that needs the admin role and a reason`);
    if (!r.reason) {
      throw new AppError(422, `reason: moving from ${r.current} to ${r.to} ${what}, so a reason is required`, {
        errors: [{ path: 'reason', message: 'required when skipping or reversing a stage' }],
      });
    }
  }
  const missing = STAGE_NEEDS[r.to].filter((need) => need === 'measurement' && r.measured === false);
  if (missing.length) {
    // Custody transfer: the delivered net standard volume is what the run ticket bills and what losses are judged by.
    throw new AppError(422, `gross_volume_bbl: delivering a batch needs the delivered measurement (gross volume, temperature, API gravity, BS&W)`, {
      errors: [{ path: 'gross_volume_bbl', message: 'the delivered measurement is required to deliver a batch' }],
    });
  }
  return { override, status: r.to === 'delivered' ? 'completed' : 'active' };
}

export interface StatusRequest {
  current: Stage;
  status: BatchStatus;
  version: number;
  to: 'active' | 'on_hold' | 'rejected';
  isAdmin: boolean;
  reason?: string;
}

/** Status changes: hold and release by engineers, rejection with a reason, reactivation of a rejected batch by an admin. */
export function checkStatus(r: StatusRequest): { override: boolean; status: BatchStatus } {
  if (r.to === r.status) throw conflict(`the batch is already ${r.status}`, r);
  if (r.to === 'on_hold' && r.status !== 'active') throw conflict(`only an active batch can be put on hold; this one is ${r.status}`, r);
  if (r.to === 'active') {
    if (r.status === 'completed') throw conflict('a completed batch is reopened by an admin moving it back a stage, with a reason', r);
    if (r.status === 'rejected') {
      if (!r.isAdmin) throw new AppError(403, 'reactivating a rejected batch needs the admin role and a reason');
      if (!r.reason) {
        throw new AppError(422, 'reason: reactivating a rejected batch needs a reason', {
          errors: [{ path: 'reason', message: 'required to reactivate a rejected batch' }],
        });
      }
      // A delivered batch cleared of its rejection is simply complete again.
      return { override: true, status: r.current === 'delivered' ? 'completed' : 'active' };
    }
  }
  return { override: false, status: r.to };
}
