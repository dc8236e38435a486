import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config';
import { loadMigrations, migrate, MigrationError } from '../../src/server/db/migrate';
import { openDatabase } from '../../src/server/db/open';
import { seedDatabase } from '../../src/server/seed/seed';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'oilfield-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('database', () => {
  it('when opened, then WAL, foreign keys and the seed indexes are in place', () => {
    const db = openDatabase(join(tempDir(), 'processed', 'oilfield.db'));
    migrate(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetry'`).pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['ix_telemetry_ts']));
    // (device, ts) is the clustered primary key itself since migration 012
    const key = db.prepare(`SELECT name FROM pragma_table_info('telemetry') WHERE pk > 0 ORDER BY pk`).pluck().all();
    expect(key).toEqual(['device_ref', 'ts']);
    expect(db.pragma('user_version', { simple: true })).toBe(loadMigrations().length);
    db.close();
  });

  it('when the database comes from a newer station, then it is refused with a clear error', () => {
    const db = openDatabase(join(tempDir(), 'x.db'));
    db.pragma('user_version = 999');
    expect(() => migrate(db)).toThrow(MigrationError);
    expect(() => migrate(db)).toThrow(/newer than this station understands/);
    db.close();
  });

  it('when a migration fails, then nothing of it is applied and the version does not move', () => {
    const db = openDatabase(join(tempDir(), 'x.db'));
    const bad = [{ version: 1, name: '001_bad', sql: 'CREATE TABLE a (x); CREATE TABLE a (y);' }];
    expect(() => migrate(db, bad)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'`).pluck().get()).toBe(0);
    db.close();
  });
});

describe('seed', () => {
  it('when seeding without --demo, then one sample reading and no users or keys exist', async () => {
    const db = openDatabase(join(tempDir(), 'x.db'));
    migrate(db);
    const report = await seedDatabase(db, { demo: false });
    expect(report.sample).toBe(true);
    expect(db.prepare('SELECT COUNT(*) FROM telemetry').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get()).toBe(0);
    db.close();
  });

  it('when seeding with --demo twice, then demo users, keys and telemetry exist once', async () => {
    const db = openDatabase(join(tempDir(), 'x.db'));
    migrate(db);
    const first = await seedDatabase(db, { demo: true, days: 1 });
    const second = await seedDatabase(db, { demo: true, days: 1 });
    expect(first.users).toEqual(['admin', 'user']);
    expect(first.keys).toEqual(['demo-key-123', 'demo-key-456']);
    expect(first.readings).toBeGreaterThan(4 * 1400);
    expect(second.users).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(2);
    expect(db.prepare(`SELECT COUNT(DISTINCT device_ref) FROM telemetry`).pluck().get()).toBe(5);
    db.close();
  });
});

describe('config', () => {
  it('when a variable is invalid, then start-up fails naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('when nothing is set, then the station listens on loopback port 8000 with data under ./data', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8000);
    expect(c.databasePath).toMatch(/data\/processed\/oilfield\.db$/);
  });

  it('when settings.json exists, then the environment still wins over it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ PORT: 9001, HOST: '0.0.0.0' }));
    const c = loadConfig({ DATA_DIR: dir, PORT: '9002' });
    expect(c.port).toBe(9002);
    expect(c.host).toBe('0.0.0.0');
  });
});
