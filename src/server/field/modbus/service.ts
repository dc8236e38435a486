import type { ModbusDevice, ModbusDeviceConfig, ReadNow } from '../../../shared/field-modbus';
import type { AuditEntry } from '../../audit/repository';
import { AppError, notFound } from '../../http/errors';
import { sameLineSettings } from './link';
import type { Poller } from './poller';
import type { ModbusRepository, StoredDevice } from './repository';

export interface Actor {
  subject: string;
  ip?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toDevice(d: StoredDevice): ModbusDevice {
  return { id: d.id, ...d.config, created_at: iso(d.created_at), updated_at: iso(d.updated_at) };
}

/**
 * Modbus device use cases. Each change and its audit entry commit in one transaction; the poller
 * picks the change up once it is committed, so a refused change never touches a running poll, and
 * the answer waits for a poll of the old settings still under way.
 */
export class ModbusService {
  constructor(
    private readonly repo: ModbusRepository,
    private readonly poller: Poller,
    private readonly audit: { record(e: AuditEntry): void },
  ) {}

  list(): ModbusDevice[] {
    return this.repo.list().map(toDevice);
  }

  get(id: number): ModbusDevice {
    return toDevice(this.find(id));
  }

  async create(config: ModbusDeviceConfig, actor: Actor): Promise<ModbusDevice> {
    const stored = this.repo.transaction(() => {
      this.checkConflicts(config);
      const id = this.repo.insert(config, Date.now(), actor.subject);
      this.audit.record({ actor: actor.subject, action: 'field.modbus.device.create', target: String(id), ip: actor.ip, detail: summary(config) });
      return this.repo.get(id)!;
    });
    await this.poller.upsert(stored);
    return toDevice(stored);
  }

  async update(id: number, config: ModbusDeviceConfig, actor: Actor): Promise<ModbusDevice> {
    const stored = this.repo.transaction(() => {
      const before = this.find(id);
      this.checkConflicts(config, id);
      this.repo.update(id, config, Date.now());
      this.audit.record({
        actor: actor.subject,
        action: 'field.modbus.device.update',
        target: String(id),
        ip: actor.ip,
        detail: { before: summary(before.config), after: summary(config) },
      });
      return this.repo.get(id)!;
    });
    await this.poller.upsert(stored);
    return toDevice(stored);
  }

  async delete(id: number, actor: Actor): Promise<void> {
    this.repo.transaction(() => {
      const before = this.find(id);
      this.repo.delete(id);
      this.audit.record({ actor: actor.subject, action: 'field.modbus.device.delete', target: String(id), ip: actor.ip, detail: summary(before.config) });
    });
    await this.poller.remove(id);
  }

  readNow(id: number): Promise<ReadNow> {
    const device = this.find(id);
    if (device.config.tags.length === 0) throw new AppError(409, 'this device has no tags to read; add some to its register map first');
    return this.poller.readNow(device);
  }

  private find(id: number): StoredDevice {
    const d = this.repo.get(id);
    if (!d) throw notFound(`Modbus device ${id}`);
    return d;
  }

  /**
   * Names and device ids are unique (two pollers writing one device id would overwrite each
   * other's readings), and devices on one serial port share its line settings.
   */
  private checkConflicts(config: ModbusDeviceConfig, selfId?: number): void {
    const named = this.repo.idByName(config.name);
    if (named !== undefined && named !== selfId)
      throw new AppError(409, `a Modbus device named ${config.name} already exists`, { errors: [{ path: 'name', message: 'already used' }] });
    const owner = this.repo.ownerOfDeviceId(config.device_id);
    if (owner && owner.id !== selfId) {
      throw new AppError(409, `device_id ${config.device_id} is already polled by ${owner.name}`, {
        errors: [{ path: 'device_id', message: `already polled by ${owner.name}` }],
      });
    }
    const t = config.transport;
    if (t.kind !== 'rtu') return;
    for (const other of this.repo.list()) {
      const o = other.config.transport;
      if (other.id === selfId || o.kind !== 'rtu' || o.path !== t.path) continue;
      if (!sameLineSettings(o, t)) {
        throw new AppError(
          409,
          `${t.path} is used by ${other.config.name} at ${o.baud} baud, ${o.data_bits}${o.parity[0]!.toUpperCase()}${o.stop_bits}; devices on one serial line share its settings`,
          {
            errors: [{ path: 'transport', message: `must match ${other.config.name}'s line settings` }],
          },
        );
      }
      if (other.config.unit_id === config.unit_id) {
        throw new AppError(409, `unit ${config.unit_id} on ${t.path} is already polled by ${other.config.name}`, {
          errors: [{ path: 'unit_id', message: `already used on ${t.path}` }],
        });
      }
    }
  }
}

/** What the audit log keeps of a device: enough to see what changed, without the whole map. */
function summary(c: ModbusDeviceConfig): Record<string, unknown> {
  return {
    name: c.name,
    device_id: c.device_id,
    enabled: c.enabled,
    interval_s: c.interval_s,
    transport: c.transport,
    unit_id: c.unit_id,
    tags: c.tags.length,
  };
}
