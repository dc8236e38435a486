import type { ReadingRole, SparkplugMetric, SparkplugNode } from '../../../shared/field-mqtt';
import type { BirthRecord, BirthStore } from './repository';
import { decode, extraKey, isControlMetric, roleOf, type DecodedMetric, type DecodedPayload, type MessageType, type Scalar } from './sparkplug';

interface MetricState {
  name: string;
  alias: number | null;
  type: string;
  value: Scalar | null;
  ts: number | null;
}

/** What a birth certificate told us about one edge node or device. */
interface Endpoint {
  online: boolean;
  birthAt: number | null;
  deathAt: number | null;
  metrics: Map<string, MetricState>;
  /** alias -> metric name (aliases are uint64; below 2^53 they are exact as numbers) */
  aliases: Map<number, string>;
}

interface NodeState extends Endpoint {
  group: string;
  node: string;
  bdSeq: number | null;
  /** null until the first message after a birth (or after a restart of the station) */
  lastSeq: number | null;
  rebirths: number;
  lastRebirthAt: number;
  decodeErrors: number;
  devices: Map<string, Endpoint>;
}

export interface HostSettings {
  metricMap: Readonly<Record<string, ReadingRole>>;
  deviceMap: Readonly<Record<string, string>>;
  rebirthIntervalMs: number;
}

/** One Sparkplug message's effect: readings to store, and whether the node must be asked to rebirth. */
export interface HostOutcome {
  readings: Record<string, unknown>[];
  /** why a Rebirth should be requested (sequence gap, unknown alias, data before birth) */
  rebirth?: string;
  /** the payload was not a Sparkplug B protobuf */
  error?: string;
}

const emptyEndpoint = (): Endpoint => ({ online: false, birthAt: null, deathAt: null, metrics: new Map(), aliases: new Map() });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The Sparkplug B host application's memory: per edge node and device the birth certificate's
 * metrics and aliases, bdSeq and seq, online state. It turns NDATA/DDATA (and the values in
 * births) into reading candidates for the telemetry service and says when a Rebirth is due.
 * Births are kept in SQLite too, so data by alias that the broker queued while the station was
 * down can still be decoded after a restart.
 */
export class SparkplugHost {
  private readonly nodes = new Map<string, NodeState>();
  /** metric name -> reading column or extra key: the same few names arrive in every message */
  private readonly placement = new Map<string, { role?: ReadingRole; key: string }>();

  constructor(
    private settings: HostSettings,
    private readonly store: BirthStore,
  ) {
    for (const b of store.loadBirths()) this.restore(b);
  }

  configure(settings: HostSettings): void {
    this.settings = settings;
    this.placement.clear();
  }

  private place(name: string): { role?: ReadingRole; key: string } {
    let p = this.placement.get(name);
    if (!p) {
      if (this.placement.size > 10_000) this.placement.clear();
      p = { role: roleOf(name, this.settings.metricMap), key: extraKey(name) };
      this.placement.set(name, p);
    }
    return p;
  }

  deviceId(group: string, node: string, device?: string): string {
    const path = device === undefined ? `${group}/${node}` : `${group}/${node}/${device}`;
    return this.settings.deviceMap[path] ?? (device === undefined ? `${group}:${node}` : `${group}:${node}:${device}`);
  }

  handle(group: string, type: MessageType, nodeId: string, device: string | undefined, raw: Uint8Array, now = Date.now()): HostOutcome {
    let payload: DecodedPayload;
    try {
      payload = decode(raw);
    } catch (err) {
      const node = this.nodes.get(`${group}/${nodeId}`);
      if (node) node.decodeErrors++;
      return { readings: [], error: `not a Sparkplug B payload: ${(err as Error).message}` };
    }
    const key = `${group}/${nodeId}`;
    let node = this.nodes.get(key);
    const metrics = payload.metrics;
    const payloadTs = payload.timestamp ?? now;

    if (type === 'NBIRTH') {
      node ??= this.newNode(group, nodeId);
      const bdSeq = metrics.find((m) => m.name === 'bdSeq');
      node.bdSeq = typeof bdSeq?.value === 'number' ? bdSeq.value : null;
      node.lastSeq = payload.seq ?? 0;
      this.birth(node, metrics, now);
      // A new node session: its devices must be born again before their data means anything.
      for (const d of node.devices.values()) d.online = false;
      this.persist(node, '', node);
      return { readings: this.candidates(node, this.deviceId(group, nodeId), metrics, payloadTs).readings };
    }
    if (type === 'NDEATH') {
      if (!node) return { readings: [] };
      const bdSeqValue = metrics.find((m) => m.name === 'bdSeq')?.value;
      const bdSeq = typeof bdSeqValue === 'number' ? bdSeqValue : undefined;
      // A will from an older session (its bdSeq differs) must not take down the current one.
      if (bdSeq !== undefined && node.bdSeq !== null && bdSeq !== node.bdSeq) return { readings: [] };
      node.online = false;
      node.deathAt = now;
      node.lastSeq = null;
      for (const d of node.devices.values()) if (d.online) Object.assign(d, { online: false, deathAt: now });
      this.store.markDead(group, nodeId, now);
      return { readings: [] };
    }
    if (type === 'NCMD' || type === 'DCMD') return { readings: [] };

    // NDATA, DBIRTH, DDATA, DDEATH: data that only makes sense after the node's birth, in sequence.
    if (!node || node.birthAt === null) {
      node ??= this.newNode(group, nodeId);
      node.decodeErrors++;
      const out = this.candidates(node, this.deviceId(group, nodeId, device), metrics, payloadTs, type === 'DBIRTH' || type === 'NDATA');
      return { readings: out.readings, rebirth: `${type} before NBIRTH` };
    }
    let rebirth: string | undefined;
    const seq = payload.seq;
    if (seq !== undefined) {
      if (node.lastSeq !== null && seq !== (node.lastSeq + 1) % 256) {
        rebirth = `seq ${seq} after ${node.lastSeq}`;
        node.decodeErrors++;
      }
      node.lastSeq = seq;
    }
    // in-sequence data after a death we missed the rebirth of still says the node is there
    node.online = true;

    if (type === 'NDATA') {
      const out = this.candidates(node, this.deviceId(group, nodeId), metrics, payloadTs);
      return this.withUnknown(node, out, rebirth);
    }
    let dev = node.devices.get(device!);
    if (type === 'DBIRTH') {
      dev ??= emptyEndpoint();
      node.devices.set(device!, dev);
      this.birth(dev, metrics, now);
      this.persist(node, device!, dev);
      return { readings: this.candidates(dev, this.deviceId(group, nodeId, device), metrics, payloadTs).readings, rebirth };
    }
    if (type === 'DDEATH') {
      if (dev) Object.assign(dev, { online: false, deathAt: now });
      this.store.markDead(group, nodeId, now, device!);
      return { readings: [], rebirth };
    }
    // DDATA
    if (!dev || dev.birthAt === null) {
      node.decodeErrors++;
      const out = this.candidates(dev ?? emptyEndpoint(), this.deviceId(group, nodeId, device), metrics, payloadTs);
      return { readings: out.readings, rebirth: rebirth ?? `DDATA for ${device} before its DBIRTH` };
    }
    dev.online = true;
    const out = this.candidates(dev, this.deviceId(group, nodeId, device), metrics, payloadTs);
    return this.withUnknown(node, out, rebirth);
  }

  /**
   * Whether a Rebirth may be sent to this node now (at most one per interval), counting it if so.
   * `force` (an admin's request) skips the interval.
   */
  takeRebirth(group: string, nodeId: string, now = Date.now(), force = false): boolean {
    const node = this.nodes.get(`${group}/${nodeId}`) ?? this.newNode(group, nodeId);
    if (!force && now - node.lastRebirthAt < this.settings.rebirthIntervalMs) return false;
    node.lastRebirthAt = now;
    node.rebirths++;
    return true;
  }

  /**
   * Nodes and devices that were born and are now offline, with when they went offline. A device
   * of an offline node is `withNode`: the node's absence covers it.
   */
  absences(): { deviceId: string; what: string; since: number; withNode: boolean }[] {
    const out: { deviceId: string; what: string; since: number; withNode: boolean }[] = [];
    for (const n of this.nodes.values()) {
      if (n.birthAt === null) continue;
      if (!n.online)
        out.push({
          deviceId: this.deviceId(n.group, n.node),
          what: `Sparkplug edge node ${n.group}/${n.node}`,
          since: n.deathAt ?? n.birthAt,
          withNode: false,
        });
      for (const [device, d] of n.devices) {
        if (d.birthAt === null || d.online) continue;
        out.push({
          deviceId: this.deviceId(n.group, n.node, device),
          what: `Sparkplug device ${n.group}/${n.node}/${device}`,
          since: d.deathAt ?? d.birthAt,
          withNode: !n.online,
        });
      }
    }
    return out;
  }

  has(group: string, nodeId: string): boolean {
    return this.nodes.has(`${group}/${nodeId}`);
  }

  view(): SparkplugNode[] {
    return [...this.nodes.values()]
      .sort((a, b) => (a.group === b.group ? a.node.localeCompare(b.node) : a.group.localeCompare(b.group)))
      .map((n) => ({
        group: n.group,
        node: n.node,
        device_id: this.deviceId(n.group, n.node),
        online: n.online,
        bd_seq: n.bdSeq,
        last_seq: n.lastSeq,
        last_birth: iso(n.birthAt),
        last_death: iso(n.deathAt),
        rebirths_requested: n.rebirths,
        decode_errors: n.decodeErrors,
        metrics: metricsView(n),
        devices: [...n.devices.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([device, d]) => ({
            device,
            device_id: this.deviceId(n.group, n.node, device),
            online: d.online,
            last_birth: iso(d.birthAt),
            last_death: iso(d.deathAt),
            metrics: metricsView(d),
          })),
      }));
  }

  private withUnknown(node: NodeState, out: { readings: Record<string, unknown>[]; unknownAliases: number }, rebirth: string | undefined): HostOutcome {
    if (out.unknownAliases) {
      node.decodeErrors++;
      return { readings: out.readings, rebirth: rebirth ?? `${out.unknownAliases} metric(s) with an unknown alias` };
    }
    return { readings: out.readings, rebirth };
  }

  private newNode(group: string, node: string): NodeState {
    const state: NodeState = {
      ...emptyEndpoint(),
      group,
      node,
      bdSeq: null,
      lastSeq: null,
      rebirths: 0,
      lastRebirthAt: -Infinity,
      decodeErrors: 0,
      devices: new Map(),
    };
    this.nodes.set(`${group}/${node}`, state);
    return state;
  }

  private birth(target: Endpoint, metrics: DecodedMetric[], now: number): void {
    target.metrics = new Map();
    target.aliases = new Map();
    for (const m of metrics) {
      if (!m.name) continue;
      if (m.alias !== undefined) target.aliases.set(m.alias, m.name);
      target.metrics.set(m.name, { name: m.name, alias: m.alias ?? null, type: m.type, value: m.value ?? null, ts: m.timestamp ?? null });
    }
    target.online = true;
    target.birthAt = now;
  }

  private persist(node: NodeState, device: string, e: Endpoint): void {
    this.store.saveBirth({ group: node.group, node: node.node, device, bdSeq: node.bdSeq, bornAt: e.birthAt ?? Date.now(), metrics: [...e.metrics.values()] });
  }

  private restore(b: BirthRecord): void {
    const node = this.nodes.get(`${b.group}/${b.node}`) ?? this.newNode(b.group, b.node);
    const target = b.device === '' ? node : (node.devices.get(b.device) ?? emptyEndpoint());
    if (b.device !== '') node.devices.set(b.device, target);
    else node.bdSeq = b.bdSeq;
    target.birthAt = b.bornAt;
    target.deathAt = b.diedAt;
    target.online = b.diedAt === null || b.diedAt < b.bornAt;
    for (const m of b.metrics) {
      target.metrics.set(m.name, m);
      if (m.alias !== null) target.aliases.set(m.alias, m.name);
    }
  }

  /**
   * Metrics -> reading candidates, one per instant (each metric keeps its own timestamp). Metrics
   * by an alias the birth did not give are left out and counted. Historical values are stored
   * but do not move the live value shown for the metric.
   */
  private candidates(target: Endpoint, deviceId: string, metrics: DecodedMetric[], payloadTs: number, namedOnly = false) {
    const byTs = new Map<number, Record<string, unknown>>();
    let unknownAliases = 0;
    for (const m of metrics) {
      let name = m.name;
      const alias = m.alias;
      if (!name && alias !== undefined && !namedOnly) name = target.aliases.get(alias);
      if (!name) {
        unknownAliases++;
        continue;
      }
      if (isControlMetric(name)) continue;
      const value = m.value;
      const ts = m.timestamp ?? payloadTs;
      if (!m.isHistorical) {
        const prev = target.metrics.get(name);
        if (!prev) target.metrics.set(name, { name, alias: alias ?? null, type: m.type, value: value ?? null, ts });
        else if (prev.ts === null || ts >= prev.ts) {
          prev.value = value ?? null;
          prev.ts = ts;
        }
      }
      if (value === undefined) continue;
      let reading = byTs.get(ts);
      if (!reading) byTs.set(ts, (reading = { device_id: deviceId, ts: ts / 1000 }));
      const { role, key } = this.place(name);
      if (role === 'status') reading.status = String(value);
      else if (role) reading[role] = value;
      else ((reading.extra ??= {}) as Record<string, Scalar>)[key] = value;
    }
    return { readings: [...byTs.values()], unknownAliases };
  }
}

function metricsView(e: Endpoint): SparkplugMetric[] {
  return [...e.metrics.values()]
    .filter((m) => !isControlMetric(m.name))
    .map((m) => ({ name: m.name, alias: m.alias, type: m.type, value: m.value, ts: m.ts === null ? null : m.ts / 1000 }));
}
