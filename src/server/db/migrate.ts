import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsDir } from '../paths';
import type { Db } from './open';
import { LayoutMoveStopped, moveLegacyTelemetry, moveLegacyTelemetryAsync, type LayoutProgress } from './telemetry-layout';

export { LayoutMoveStopped, type LayoutProgress };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Reads `NNN_name.sql` files in version order; gaps or duplicate numbers are a packaging bug. */
export function loadMigrations(dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.name} is out of sequence (expected ${i + 1})`);
  });
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction, tracked by `PRAGMA user_version`.
 * A database written by a newer station is refused: downgrading would silently misread it.
 * Then finishes any data move a migration left to be done in batches (the telemetry layout of
 * 012), reporting through `onProgress`; such a move resumes where a killed one stopped.
 * In one go: for commands with nobody to answer meanwhile. The station uses `migrateAsync`.
 */
export function migrate(db: Db, migrations = loadMigrations(), onProgress?: (p: LayoutProgress) => void): { from: number; to: number } {
  const versions = applyMigrations(db, migrations);
  moveLegacyTelemetry(db, onProgress);
  return versions;
}

/**
 * The same, with the event loop turning between the move's batches: the station process reports
 * progress to the window while it runs, and stops between two batches (LayoutMoveStopped, nothing
 * lost) when `signal` aborts.
 */
export async function migrateAsync(
  db: Db,
  options: { migrations?: Migration[]; onProgress?: (p: LayoutProgress) => void; signal?: AbortSignal } = {},
): Promise<{ from: number; to: number }> {
  const versions = applyMigrations(db, options.migrations ?? loadMigrations());
  await moveLegacyTelemetryAsync(db, options.onProgress, { signal: options.signal });
  return versions;
}

function applyMigrations(db: Db, migrations: Migration[]): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new MigrationError(
      `database schema version ${from} is newer than this station understands (${latest}); install a newer SMART Oilfield or open another DATA_DIR`,
    );
  }
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latest };
}
