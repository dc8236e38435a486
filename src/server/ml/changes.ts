import type { z } from 'zod';
import type { RuleLimits, ruleLimitsInputSchema, Span, SpanCreate, Alarm } from '../../shared/ml';
import { msToIso } from '../../shared/time';
import type { AuditEntry } from '../audit/repository';
import type { Db } from '../db/open';
import { AppError, notFound } from '../http/errors';
import type { AlarmService } from './alarm-service';
import type { LimitsRow, MlRepository } from './repository';
import { DEFAULT_LIMITS } from './rules';
import type { MlService } from './service';

/** Who asks for a change, for the permission checks and the audit row. */
export interface Changer {
  subject: string | null;
  isAdmin: boolean;
  ip: string | null;
}

/** The shipped defaults, shown as the `*` row until an admin sets one (updated_at null: never edited). */
const BUILT_IN: LimitsRow = { device_id: '*', ...DEFAULT_LIMITS, alarm_open_after_s: null, alarm_clear_after_s: null, updated_at: 0, updated_by: null };

function limitsOut(row: LimitsRow, deviceId: string): RuleLimits {
  return {
    device_id: deviceId,
    temperature_min: row.temperature_min ?? null,
    temperature_max: row.temperature_max ?? null,
    pressure_min: row.pressure_min ?? null,
    pressure_max: row.pressure_max ?? null,
    temperature_rate_max: row.temperature_rate_max ?? null,
    pressure_rate_max: row.pressure_rate_max ?? null,
    alarm_open_after_s: row.alarm_open_after_s ?? 300,
    alarm_clear_after_s: row.alarm_clear_after_s ?? 900,
    updated_at: row !== BUILT_IN ? msToIso(row.updated_at) : null,
    updated_by: row.updated_by ?? null,
  };
}

/**
 * What people change in the anomaly check (rule limits, judged spans, alarm acknowledgements).
 * Each change and its audit row commit together in one transaction, or neither does.
 */
export class MlChanges {
  constructor(
    private readonly db: Db,
    private readonly repo: MlRepository,
    private readonly service: MlService,
    private readonly alarms: AlarmService,
    private readonly audit?: { record(e: AuditEntry): void },
  ) {}

  private inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Every row; until an admin sets a `*` row, the shipped defaults answer for it (and are what the scorer uses). */
  allLimits(): RuleLimits[] {
    const rows = this.repo.allLimits();
    if (!rows.some((r) => r.device_id === '*')) rows.unshift(BUILT_IN);
    return rows.map((r) => limitsOut(r, r.device_id));
  }

  limits(deviceId: string): RuleLimits {
    const row = this.repo.limits(deviceId) ?? (deviceId === '*' ? BUILT_IN : undefined);
    if (!row) throw notFound(`rule limits for ${deviceId}`);
    return limitsOut(row, deviceId);
  }

  setLimits(deviceId: string, input: z.output<typeof ruleLimitsInputSchema>, by: Changer): RuleLimits {
    const row: LimitsRow = {
      device_id: deviceId,
      temperature_min: input.temperature_min ?? null,
      temperature_max: input.temperature_max ?? null,
      pressure_min: input.pressure_min ?? null,
      pressure_max: input.pressure_max ?? null,
      temperature_rate_max: input.temperature_rate_max ?? null,
      pressure_rate_max: input.pressure_rate_max ?? null,
      alarm_open_after_s: input.alarm_open_after_s ?? null,
      alarm_clear_after_s: input.alarm_clear_after_s ?? null,
      updated_at: Date.now(),
      updated_by: by.subject,
    };
    this.inTransaction(() => {
      this.repo.putLimits(row);
      this.audit?.record({ actor: by.subject, action: 'ml.limits.set', target: deviceId, ip: by.ip, detail: { ...input } });
    });
    return limitsOut(row, deviceId);
  }

  deleteLimits(deviceId: string, by: Changer): void {
    this.inTransaction(() => {
      if (!this.repo.deleteLimits(deviceId)) throw notFound(`rule limits for ${deviceId}`);
      this.audit?.record({ actor: by.subject, action: 'ml.limits.delete', target: deviceId, ip: by.ip });
    });
  }

  /** Engineers label spans (training labels); only admins mark them normal, since that changes what the station flags. */
  addSpan(input: SpanCreate, by: Changer): Span {
    if (input.kind === 'normal' && !by.isAdmin) {
      throw new AppError(403, 'only an admin may mark a span normal (it changes what the station flags); label it instead');
    }
    return this.inTransaction(() => {
      const added = this.service.addSpan(input, by.subject);
      this.audit?.record({
        actor: by.subject,
        action: input.kind === 'normal' ? 'ml.span.normal' : 'ml.span.label',
        target: input.device_id,
        ip: by.ip,
        detail: { id: added.id, ts_from: added.ts_from, ts_to: added.ts_to, label: added.label, note: added.note },
      });
      return added;
    });
  }

  /** Admins remove any span; an engineer only a label span of their own. */
  deleteSpan(id: number, by: Changer): void {
    const span = this.repo.span(id);
    if (!span) throw notFound(`span ${id}`);
    if (!by.isAdmin && (span.kind === 'normal' || span.created_by !== by.subject)) {
      throw new AppError(403, "only an admin may remove a span marked normal or another user's label");
    }
    this.inTransaction(() => {
      this.repo.deleteSpan(id);
      this.audit?.record({ actor: by.subject, action: 'ml.span.delete', target: span.device_id, ip: by.ip, detail: { id, kind: span.kind } });
    });
  }

  acknowledge(id: number, note: string | null, by: Changer): Alarm {
    const subject = by.subject;
    if (!subject) throw new AppError(401, 'sign in first');
    return this.inTransaction(() => {
      const acked = this.alarms.acknowledge(id, subject, note);
      this.audit?.record({ actor: subject, action: 'alarm.ack', target: String(id), ip: by.ip, detail: { device_id: acked.device_id } });
      return acked;
    });
  }
}
