import type { EventInput } from '../../shared/batches';
import { AuditLog } from '../audit/repository';
import type { Db } from '../db/open';
import { BatchRepository } from './repository';
import { BatchService, type Actor } from './service';

const HOUR = 3_600_000;

interface DemoBatch {
  batch_id: string;
  well: number;
  /** hours before now the batch was produced */
  age: number;
  gross: number;
  events: (EventInput & { at: number })[];
}

const m = (gross: number, temperature_f: number, bsw_pct: number, api_gravity = 34.5) => ({ gross_volume_bbl: gross, temperature_f, api_gravity, bsw_pct });

/**
 * A handful of batches at different stages for `seed --demo`: one just produced, one separated,
 * one held in a tank, one on a truck, one delivered with a flagged loss. Built through the
 * service, so the volumes, versions and audit entries are exactly what the API would store.
 */
function demoBatches(): DemoBatch[] {
  return [
    { batch_id: 'B-DEMO-0001', well: 0, age: 3, gross: 1000, events: [] },
    {
      batch_id: 'B-DEMO-0002',
      well: 1,
      age: 20,
      gross: 850,
      events: [{ type: 'transition', to_stage: 'separated', at: 6, location: 'Separator 1', ...m(838, 92, 0.4) }],
    },
    {
      batch_id: 'B-DEMO-0003',
      well: 2,
      age: 50,
      gross: 1200,
      events: [
        { type: 'transition', to_stage: 'separated', at: 5, location: 'Separator 2', ...m(1181, 95, 0.5) },
        { type: 'transition', to_stage: 'stored', at: 9, location: 'Tank 12', ...m(1176, 78, 0.3) },
        { type: 'status', status: 'on_hold', at: 20, reason: 'lab sample pending: BS&W above the 0.5% contract limit on a grab sample' },
      ],
    },
    {
      batch_id: 'B-DEMO-0004',
      well: 3,
      age: 70,
      gross: 640,
      events: [
        { type: 'transition', to_stage: 'separated', at: 4, location: 'Separator 1', ...m(629, 90, 0.4) },
        { type: 'transition', to_stage: 'stored', at: 8, location: 'Tank 7', ...m(627, 75, 0.3) },
        { type: 'transition', to_stage: 'transported', at: 60, carrier: 'truck', ticket: 'RT-20417', ...m(625, 70, 0.3) },
      ],
    },
    {
      batch_id: 'B-DEMO-0005',
      well: 0,
      age: 120,
      gross: 2000,
      events: [
        { type: 'transition', to_stage: 'separated', at: 6, location: 'Separator 2', ...m(1968, 96, 0.5) },
        { type: 'transition', to_stage: 'stored', at: 10, location: 'Tank 12', ...m(1960, 80, 0.3) },
        { type: 'transition', to_stage: 'transported', at: 72, carrier: 'pipeline', ticket: 'PL-88310', ...m(1955, 72, 0.3) },
        { type: 'transition', to_stage: 'delivered', at: 96, location: 'Cushing terminal', ...m(1921, 68, 0.3) },
        { type: 'note', at: 97, note: 'receipt 1.6% short of the pipeline ticket: meter proving requested' },
      ],
    },
  ];
}

/** Creates the demo batches that do not exist yet; returns how many it created. */
export async function seedDemoBatches(db: Db, options: { wells: readonly string[]; now?: number }): Promise<number> {
  const now = options.now ?? Date.now();
  const repo = new BatchRepository(db);
  const service = new BatchService(repo, { lossTolerancePct: 0.5, audit: new AuditLog(db), now: () => now });
  const seed: Actor = { subject: 'seed', isAdmin: false };
  let created = 0;
  for (const d of demoBatches()) {
    if (repo.find(d.batch_id)) continue;
    const start = now - d.age * HOUR;
    const well = options.wells[d.well % options.wells.length] ?? 'well-001';
    service.create({ batch_id: d.batch_id, well_id: well, ts: start, location: `Pad ${d.well + 1}`, ...m(d.gross, 104, 1.5) }, seed);
    for (const { at, ...event } of d.events) await service.postEvent(d.batch_id, { ...event, ts: start + at * HOUR } as EventInput, seed);
    created++;
  }
  return created;
}
