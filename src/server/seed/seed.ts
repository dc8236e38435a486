import type { Db } from '../db/open';
import type { NewReading } from '../../shared/telemetry';
import { hashPassword } from '../auth/passwords';
import { AuditLog } from '../audit/repository';
import { KeysRepository } from '../auth/keys-repository';
import { UsersRepository } from '../auth/users-repository';
import { TelemetryRepository } from '../telemetry/repository';
import { demoReadings } from './demo-telemetry';
import { seedDemoBatches } from '../batches/demo';

/** The seed's demo accounts and keys: created only on request (`seed --demo`), never silently. */
const DEMO_USERS = [
  { username: 'admin', password: 'adminpass', role: 'admin' },
  { username: 'user', password: 'userpass', role: 'user' },
] as const;
const DEMO_KEYS = [
  { name: 'demo admin key', key: 'demo-key-123', role: 'admin' },
  { name: 'demo user key', key: 'demo-key-456', role: 'user' },
] as const;
const DEMO_WELLS = ['well-001', 'well-002', 'well-003', 'well-004'];

export interface SeedReport {
  sample: boolean;
  users: string[];
  keys: string[];
  readings: number;
  /** demo oil batches created (docs/BATCHES.md) */
  batches: number;
}

/** What `npm run seed` does: one sample reading, so a fresh station has something to show; `demo` adds the rest. */
export async function seedDatabase(db: Db, options: { demo: boolean; days?: number; now?: number }): Promise<SeedReport> {
  const repo = new TelemetryRepository(db);
  const now = options.now ?? Date.now();
  const report: SeedReport = { sample: false, users: [], keys: [], readings: 0, batches: 0 };
  const sample: NewReading = { device_id: 'device-001', ts: Math.floor(now / 1000) * 1000, temperature: 72.5, pressure: 1013.2, status: 'ok' };
  report.sample = repo.write([sample]).inserted === 1;
  if (!options.demo) return report;

  const users = new UsersRepository(db);
  for (const u of DEMO_USERS) {
    if (users.findByName(u.username)) continue;
    users.insert(u.username, await hashPassword(u.password), u.role);
    report.users.push(u.username);
  }
  const keys = new KeysRepository(db);
  for (const k of DEMO_KEYS) {
    if (keys.findByKey(k.key)) continue;
    keys.insert({ name: k.name, key: k.key, prefix: k.key.slice(0, 8), role: k.role, devices: null, createdBy: null });
    report.keys.push(k.key);
  }

  let batch: NewReading[] = [];
  const flush = () => {
    const out = repo.write(batch);
    report.readings += out.inserted + out.replaced;
    batch = [];
  };
  for (const r of demoReadings({ wells: DEMO_WELLS, days: options.days ?? 7, intervalSeconds: 60, endMs: Math.floor(now / 60_000) * 60_000 })) {
    batch.push(r);
    if (batch.length === 5000) flush();
  }
  if (batch.length) flush();
  report.batches = await seedDemoBatches(db, { wells: DEMO_WELLS, now });
  new AuditLog(db).record({ actor: 'seed', action: 'seed.demo', detail: { readings: report.readings } });
  return report;
}
