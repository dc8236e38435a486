import { z } from 'zod';
import { deviceIdSchema, timestampSchema } from './telemetry';

/**
 * Oil batch tracking (/api/oil): a batch is a quantity of produced oil followed from the well to
 * delivery through custody stages, with measurements at each stage. Timestamps in are Unix
 * seconds or ISO-8601; out they are `*_ts` (Unix seconds) beside ISO strings.
 */
export const STAGES = ['produced', 'separated', 'stored', 'transported', 'delivered'] as const;
const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

export const STATUSES = ['active', 'on_hold', 'completed', 'rejected'] as const;
const batchStatusSchema = z.enum(STATUSES);
export type BatchStatus = z.infer<typeof batchStatusSchema>;

export const stageIndex = (s: Stage): number => STAGES.indexOf(s);

/**
 * What moving a batch into each stage must record, checked by the station and shown by the UI
 * before the move: the tank it is stored in, the carrier and ticket it travels under, and at
 * delivery the place and the delivered measurement (the net volume the ticket bills).
 */
export const STAGE_NEEDS: Record<Stage, readonly ('location' | 'carrier' | 'ticket' | 'measurement')[]> = {
  produced: [],
  separated: [],
  stored: ['location'],
  transported: ['carrier', 'ticket'],
  delivered: ['location', 'measurement'],
};

/** Public batch ids: text, e.g. the station's own `B-2024-0001` or an operator's ticket-style id. */
const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const batchIdSchema = z.string().regex(BATCH_ID_PATTERN, 'must be 1-64 characters: letters, digits, and _ . : - (starting with a letter or digit)');

/**
 * Physical limits of a measurement. Temperature and API gravity are the ranges over which API MPMS
 * Chapter 11.1 defines the crude-oil correction (-58..302 F, -10..100 API); outside them there is
 * no standard CTL to apply. The volume cap (a VLCC cargo, 2 million bbl) only catches typos.
 */
const LIMITS = {
  maxGrossBbl: 2_000_000,
  minTemperatureF: -58,
  maxTemperatureF: 302,
  minApi: -10,
  maxApi: 100,
} as const;

const number = (what: string) => z.number({ error: `${what} must be a number` });

const measurementFields = {
  gross_volume_bbl: number('gross_volume_bbl')
    .gt(0, 'gross_volume_bbl must be greater than 0')
    .max(LIMITS.maxGrossBbl, `gross_volume_bbl must be at most ${LIMITS.maxGrossBbl} bbl`)
    .describe('gross observed volume in barrels, at temperature_f'),
  temperature_f: number('temperature_f')
    .min(LIMITS.minTemperatureF, `temperature_f must be at least ${LIMITS.minTemperatureF} F`)
    .max(LIMITS.maxTemperatureF, `temperature_f must be at most ${LIMITS.maxTemperatureF} F`)
    .describe('oil temperature in degrees Fahrenheit when the volume was measured'),
  api_gravity: number('api_gravity')
    .min(LIMITS.minApi, `api_gravity must be at least ${LIMITS.minApi}`)
    .max(LIMITS.maxApi, `api_gravity must be at most ${LIMITS.maxApi}`)
    .describe('API gravity at 60 F'),
  bsw_pct: number('bsw_pct').min(0, 'bsw_pct must be at least 0').lt(100, 'bsw_pct must be below 100').describe('basic sediment and water, percent of volume'),
};
const MEASUREMENT_KEYS = Object.keys(measurementFields) as (keyof typeof measurementFields)[];

const optionalMeasurement = {
  gross_volume_bbl: measurementFields.gross_volume_bbl.optional(),
  temperature_f: measurementFields.temperature_f.optional(),
  api_gravity: measurementFields.api_gravity.optional(),
  bsw_pct: measurementFields.bsw_pct.optional(),
};

/** A measurement is the four values together: the net volume needs every one of them. */
function allOrNone(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const given = MEASUREMENT_KEYS.filter((k) => value[k] !== undefined);
  if (given.length === 0 || given.length === MEASUREMENT_KEYS.length) return;
  for (const k of MEASUREMENT_KEYS.filter((k) => value[k] === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [k],
      message: `${k} is required with ${given.join(', ')}: a measurement is gross volume, temperature, API gravity and BS&W together`,
    });
  }
}

// Place names and ticket numbers: short, printable, no quotes or formula characters first.
const locationSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:#/-]{0,63}$/, 'must be 1-64 characters: letters, digits, spaces and _ . : # / - (starting with a letter or digit)');
const ticketSchema = locationSchema;
const carrierSchema = z.enum(['pipeline', 'truck']);

// Free text: no control characters other than tab and line breaks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const textSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(1000, 'must be at most 1000 characters')
  .refine((v) => !CONTROL_CHARS.test(v), 'must not contain control characters');

export const batchCreateSchema = z
  .strictObject({
    batch_id: batchIdSchema
      .refine((id) => id.toLowerCase() !== 'export', 'export is reserved (GET /api/oil/batches/export is the CSV)')
      .optional()
      .describe('your own id; omitted: the station issues B-<year>-<NNNN>'),
    well_id: deviceIdSchema.describe('the producing well or pad; the same id as its telemetry device_id, if it has one'),
    ts: timestampSchema.optional().describe('when the batch was produced (default: now)'),
    location: locationSchema.optional().describe('pad or well site name'),
    ...optionalMeasurement,
    note: textSchema.optional(),
  })
  .superRefine(allOrNone);
export type BatchCreate = z.output<typeof batchCreateSchema>;

const expectations = {
  expected_stage: stageSchema.optional().describe('refuse (409) unless the batch is still at this stage'),
  expected_version: z.number().int().min(1).optional().describe('refuse (409) unless the batch is still at this version'),
};

export const transitionEventSchema = z
  .strictObject({
    type: z.literal('transition'),
    to_stage: stageSchema,
    ts: timestampSchema.optional(),
    location: locationSchema.optional().describe('separator, tank (required for stored), terminal or refinery (required for delivered)'),
    carrier: carrierSchema.optional().describe('required for transported'),
    ticket: ticketSchema.optional().describe('run ticket or bill of lading; required for transported'),
    ...optionalMeasurement,
    reason: textSchema.optional().describe('required when an admin skips or reverses a stage'),
    note: textSchema.optional(),
    ...expectations,
  })
  .superRefine(allOrNone)
  .superRefine((e, ctx) => {
    if ((e.to_stage === 'stored' || e.to_stage === 'delivered') && !e.location) {
      ctx.addIssue({
        code: 'custom',
        path: ['location'],
        message:
          e.to_stage === 'stored' ? 'location (the tank) is required to store a batch' : 'location (terminal or refinery) is required to deliver a batch',
      });
    }
    if (e.to_stage === 'transported') {
      if (!e.carrier) ctx.addIssue({ code: 'custom', path: ['carrier'], message: 'carrier (pipeline or truck) is required to transport a batch' });
      if (!e.ticket)
        ctx.addIssue({ code: 'custom', path: ['ticket'], message: 'ticket (run ticket or bill of lading number) is required to transport a batch' });
    } else if (e.carrier || e.ticket) {
      ctx.addIssue({ code: 'custom', path: [e.carrier ? 'carrier' : 'ticket'], message: 'carrier and ticket belong to the transported stage only' });
    }
  });

const measurementEventSchema = z.strictObject({
  type: z.literal('measurement'),
  ts: timestampSchema.optional(),
  ...measurementFields,
  location: locationSchema.optional(),
  note: textSchema.optional(),
  expected_version: expectations.expected_version,
});

const noteEventSchema = z.strictObject({
  type: z.literal('note'),
  ts: timestampSchema.optional(),
  note: textSchema,
});

/** `completed` is not set by hand: it follows the transition to delivered. */
const statusEventSchema = z
  .strictObject({
    type: z.literal('status'),
    status: z.enum(['active', 'on_hold', 'rejected']),
    ts: timestampSchema.optional(),
    reason: textSchema.optional(),
    expected_version: expectations.expected_version,
  })
  .superRefine((e, ctx) => {
    if (e.status !== 'active' && !e.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `reason is required to put a batch ${e.status === 'on_hold' ? 'on hold' : 'in rejected'}` });
  });

export const eventInputSchema = z.discriminatedUnion('type', [transitionEventSchema, measurementEventSchema, noteEventSchema, statusEventSchema], {
  error: 'type must be one of transition, measurement, note, status',
});
export type EventInput = z.output<typeof eventInputSchema>;

const measurementSchema = z.object({
  gross_volume_bbl: z.number(),
  temperature_f: z.number(),
  api_gravity: z.number(),
  bsw_pct: z.number(),
  ctl: z.number().describe('correction for the effect of temperature on liquid, API MPMS 11.1 (see docs/BATCHES.md)'),
  gsv_bbl: z.number().describe('gross standard volume at 60 F = gross x CTL'),
  nsv_bbl: z.number().describe('net standard volume = GSV x (1 - BS&W/100)'),
});
export type Measurement = z.infer<typeof measurementSchema>;

const eventKindSchema = z.enum(['created', 'transition', 'measurement', 'note', 'status']);

export const eventSchema = z.object({
  id: z.number().int(),
  batch_id: z.string(),
  kind: eventKindSchema,
  ts: z.number().describe('Unix seconds'),
  time: z.string().describe('ISO-8601 UTC'),
  recorded_at: z.string().describe('when the station stored it (ISO)'),
  stage: stageSchema.describe('the stage after this event'),
  from_stage: stageSchema.nullable(),
  status: batchStatusSchema.describe('the status after this event'),
  from_status: batchStatusSchema.nullable(),
  location: z.string().nullable(),
  carrier: carrierSchema.nullable(),
  ticket: z.string().nullable(),
  measurement: measurementSchema.nullable(),
  override: z.boolean().describe('an admin skipped or reversed a stage'),
  reason: z.string().nullable(),
  note: z.string().nullable(),
  actor: z.string(),
});
export type BatchEvent = z.infer<typeof eventSchema>;

const stageMeasurementSchema = measurementSchema.extend({
  stage: stageSchema,
  ts: z.number(),
  time: z.string(),
});

export const batchSchema = z.object({
  batch_id: z.string(),
  well_id: z.string(),
  current_stage: stageSchema,
  status: batchStatusSchema,
  version: z.number().int().describe('grows by one with every event; send it back as expected_version'),
  stage_since_ts: z.number(),
  stage_since: z.string(),
  created_ts: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
  note: z.string().nullable(),
  last_measurement: stageMeasurementSchema.nullable(),
});
export type Batch = z.infer<typeof batchSchema>;

const MAX_BATCH_PAGE = 1000;

const filterShape = {
  current_stage: stageSchema.optional(),
  status: batchStatusSchema.optional(),
  well: deviceIdSchema.optional().describe('well_id'),
  created_from: timestampSchema.optional(),
  created_to: timestampSchema.optional(),
};
const orderedRange = {
  check: (q: { created_from?: number; created_to?: number }) => q.created_from === undefined || q.created_to === undefined || q.created_from <= q.created_to,
  params: { message: 'created_from must not be after created_to', path: ['created_from'] },
};

/** Filters of the list and of the CSV export. */
export const batchFilterSchema = z.strictObject(filterShape).refine(orderedRange.check, orderedRange.params);
export type BatchFilter = z.output<typeof batchFilterSchema>;

export const batchListQuerySchema = z
  .strictObject({
    ...filterShape,
    limit: z.coerce.number().int().min(1).max(MAX_BATCH_PAGE).default(50),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  })
  .refine(orderedRange.check, orderedRange.params);
export type BatchListQuery = z.output<typeof batchListQuerySchema>;

export const batchPageSchema = z.object({
  items: z.array(batchSchema),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
});
export type BatchPage = z.infer<typeof batchPageSchema>;

export const eventCreatedSchema = z.object({ event: eventSchema, batch: batchSchema });

const stageVisitSchema = z.object({
  stage: stageSchema,
  entered_ts: z.number(),
  entered_at: z.string(),
  left_ts: z.number().nullable(),
  left_at: z.string().nullable(),
  duration_seconds: z.number().nullable().describe('null for the final stage of a finished batch'),
  ongoing: z.boolean().describe('the batch is still here: the duration runs to as_of'),
});

const volumeChangeSchema = z.object({
  from_stage: stageSchema,
  to_stage: stageSchema,
  gross_change_bbl: z.number(),
  net_change_bbl: z.number().describe('NSV at to_stage minus NSV at from_stage; negative is a loss'),
  net_change_pct: z.number().describe('net_change_bbl as a percentage of NSV at from_stage'),
  loss_flagged: z.boolean().describe('the net loss exceeds loss_tolerance_pct'),
});

export const trackSchema = z.object({
  batch: batchSchema,
  timeline: z.array(eventSchema).describe('every event, oldest first'),
  stages: z.array(stageVisitSchema).describe('time spent in each stage, in the order visited'),
  volumes: z.array(stageMeasurementSchema).describe('the last measurement taken at each stage, in stage order'),
  changes: z.array(volumeChangeSchema).describe('between consecutive measured stages'),
  total_net_change_bbl: z.number().nullable(),
  loss_tolerance_pct: z.number(),
  as_of_ts: z.number(),
  as_of: z.string(),
});
export type Track = z.infer<typeof trackSchema>;
