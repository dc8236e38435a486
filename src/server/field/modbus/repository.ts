import type { ModbusDeviceConfig } from '../../../shared/field-modbus';
import type { Db } from '../../db/open';

/** A field_modbus_devices row; `config` is the validated device body as JSON. */
interface ModbusDeviceRow {
  id: number;
  name: string;
  device_id: string;
  enabled: 0 | 1;
  config: string;
  created_at: number;
  updated_at: number;
  created_by: string | null;
}

/** The stored device with its body parsed back. */
export interface StoredDevice {
  id: number;
  config: ModbusDeviceConfig;
  created_at: number;
  updated_at: number;
}

const toStored = (row: ModbusDeviceRow): StoredDevice => ({
  id: row.id,
  config: JSON.parse(row.config) as ModbusDeviceConfig,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

/** The SQL of polled Modbus devices. */
export class ModbusRepository {
  private readonly byId;
  private readonly all;
  private readonly byName;
  private readonly byDeviceId;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(private readonly db: Db) {
    this.byId = db.prepare<[number], ModbusDeviceRow>('SELECT * FROM field_modbus_devices WHERE id = ?');
    this.all = db.prepare<[], ModbusDeviceRow>('SELECT * FROM field_modbus_devices ORDER BY name');
    this.byName = db.prepare<[string], { id: number }>('SELECT id FROM field_modbus_devices WHERE name = ?');
    this.byDeviceId = db.prepare<[string], { id: number; name: string }>('SELECT id, name FROM field_modbus_devices WHERE device_id = ?');
    this.insertRow = db.prepare(
      `INSERT INTO field_modbus_devices (name, device_id, enabled, config, created_at, updated_at, created_by)
       VALUES (@name, @device_id, @enabled, @config, @now, @now, @actor)`,
    );
    this.updateRow = db.prepare(
      `UPDATE field_modbus_devices SET name = @name, device_id = @device_id, enabled = @enabled, config = @config, updated_at = @now WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM field_modbus_devices WHERE id = ?');
  }

  /** Runs `fn` in one IMMEDIATE transaction, so its checks and its write see the same table. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get(id: number): StoredDevice | undefined {
    const row = this.byId.get(id);
    return row && toStored(row);
  }

  list(): StoredDevice[] {
    return this.all.all().map(toStored);
  }

  idByName(name: string): number | undefined {
    return this.byName.get(name)?.id;
  }

  ownerOfDeviceId(deviceId: string): { id: number; name: string } | undefined {
    return this.byDeviceId.get(deviceId);
  }

  insert(config: ModbusDeviceConfig, now: number, actor: string): number {
    const info = this.insertRow.run({ ...this.columns(config), now, actor });
    return Number(info.lastInsertRowid);
  }

  update(id: number, config: ModbusDeviceConfig, now: number): boolean {
    return this.updateRow.run({ ...this.columns(config), now, id }).changes === 1;
  }

  delete(id: number): boolean {
    return this.deleteRow.run(id).changes === 1;
  }

  private columns(config: ModbusDeviceConfig) {
    return { name: config.name, device_id: config.device_id, enabled: config.enabled ? 1 : 0, config: JSON.stringify(config) };
  }
}
