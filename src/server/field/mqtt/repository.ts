import type { Db } from '../../db/open';
import { mqttConfigSchema, type MqttConfig } from '../../../shared/field-mqtt';
import type { Scalar } from './sparkplug';

export interface BirthRecord {
  group: string;
  node: string;
  /** '' for the edge node itself */
  device: string;
  bdSeq: number | null;
  bornAt: number;
  diedAt: number | null;
  metrics: { name: string; alias: number | null; type: string; value: Scalar | null; ts: number | null }[];
}

export interface BirthStore {
  loadBirths(): BirthRecord[];
  saveBirth(b: Omit<BirthRecord, 'diedAt'>): void;
  /** a node's death (device undefined) takes its devices with it */
  markDead(group: string, node: string, at: number, device?: string): void;
}

/** The saved MQTT configuration and the Sparkplug births: everything of this feature in SQLite. */
export class MqttRepository implements BirthStore {
  private readonly saveBirthStmt;
  private readonly deadNodeStmt;
  private readonly deadDeviceStmt;

  constructor(private readonly db: Db) {
    this.saveBirthStmt = db.prepare(
      `INSERT INTO sparkplug_births (group_id, node_id, device, bd_seq, metrics, born_at, died_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (group_id, node_id, device) DO UPDATE SET bd_seq = excluded.bd_seq, metrics = excluded.metrics, born_at = excluded.born_at, died_at = NULL`,
    );
    this.deadNodeStmt = db.prepare(`UPDATE sparkplug_births SET died_at = ? WHERE group_id = ? AND node_id = ?`);
    this.deadDeviceStmt = db.prepare(`UPDATE sparkplug_births SET died_at = ? WHERE group_id = ? AND node_id = ? AND device = ?`);
  }

  /** The saved configuration, or undefined when none was saved (then the environment's applies). */
  loadConfig(): MqttConfig | undefined {
    const row = this.db.prepare(`SELECT config FROM mqtt_config WHERE id = 1`).get() as { config: string } | undefined;
    return row ? mqttConfigSchema.parse(JSON.parse(row.config)) : undefined;
  }

  saveConfig(config: MqttConfig): void {
    this.db
      .prepare(
        `INSERT INTO mqtt_config (id, config, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(config), Date.now());
  }

  loadBirths(): BirthRecord[] {
    const rows = this.db.prepare(`SELECT * FROM sparkplug_births ORDER BY group_id, node_id, device`).all() as {
      group_id: string;
      node_id: string;
      device: string;
      bd_seq: number | null;
      metrics: string;
      born_at: number;
      died_at: number | null;
    }[];
    return rows.map((r) => ({
      group: r.group_id,
      node: r.node_id,
      device: r.device,
      bdSeq: r.bd_seq,
      bornAt: r.born_at,
      diedAt: r.died_at,
      metrics: JSON.parse(r.metrics) as BirthRecord['metrics'],
    }));
  }

  saveBirth(b: Omit<BirthRecord, 'diedAt'>): void {
    this.saveBirthStmt.run(b.group, b.node, b.device, b.bdSeq, JSON.stringify(b.metrics), b.bornAt);
  }

  markDead(group: string, node: string, at: number, device?: string): void {
    if (device === undefined) this.deadNodeStmt.run(at, group, node);
    else this.deadDeviceStmt.run(at, group, node, device);
  }
}
