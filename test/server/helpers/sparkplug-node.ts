import { connectAsync, type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';

const codec = sparkplugPayload.get('spBv1.0')!;
export const encodeSparkplug = (p: UPayload): Buffer => Buffer.from(codec.encodePayload(p));
export const decodeSparkplug = (b: Uint8Array): UPayload => codec.decodePayload(b);

export interface EdgeNodeOptions {
  group: string;
  node: string;
  devices?: string[];
  /** metric names of the node and of each device (aliases are given in order, per node unique) */
  metrics?: string[];
  username?: string;
  password?: string;
  /** PEM of the CA for an mqtts:// broker */
  ca?: string;
  /** answer NCMD Rebirth by publishing the births again (default true) */
  answerRebirth?: boolean;
}

/**
 * A Sparkplug B edge node like a real gateway: NBIRTH with bdSeq and aliases, DBIRTH per device,
 * NDATA/DDATA by alias with seq 0-255, NDEATH as its will, Rebirth on NCMD. Built on `mqtt` and
 * `sparkplug-payload`, MQTT 3.1.1 so it works with mosquitto and the embedded broker alike.
 */
export class EdgeNode {
  seq = 0;
  bdSeq = 0;
  /** NCMD Rebirth requests received */
  rebirths = 0;
  lastBirthTs = Date.now();
  readonly metrics: string[];
  readonly devices: string[];

  private constructor(
    readonly client: MqttClient,
    readonly o: EdgeNodeOptions,
  ) {
    this.metrics = o.metrics ?? ['Temperature', 'Pressure', 'Status', 'Inputs/Flow rate'];
    this.devices = o.devices ?? [];
  }

  static async connect(url: string, o: EdgeNodeOptions): Promise<EdgeNode> {
    const bdSeq = 0;
    const client = await connectAsync(url, {
      protocolVersion: 4,
      clientId: `edge-${o.group}-${o.node}-${Math.random().toString(36).slice(2, 8)}`,
      clean: true,
      reconnectPeriod: 0,
      username: o.username,
      password: o.password,
      ...(o.ca ? { ca: o.ca } : {}),
      will: {
        topic: `spBv1.0/${o.group}/NDEATH/${o.node}`,
        payload: encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] }),
        qos: 1,
        retain: false,
      },
    });
    const n = new EdgeNode(client, o);
    n.bdSeq = bdSeq;
    await client.subscribeAsync(`spBv1.0/${o.group}/NCMD/${o.node}`, { qos: 0 });
    client.on('message', (_topic, payload) => {
      const cmd = decodeSparkplug(payload);
      if (cmd.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
        n.rebirths++;
        // the same birth values again (a real node would send its current ones)
        if (o.answerRebirth !== false) void n.birth(n.lastBirthTs);
      }
    });
    return n;
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }

  alias(device: string | undefined, name: string): number {
    const base = device === undefined ? 0 : (this.devices.indexOf(device) + 1) * 100;
    return base + this.metrics.indexOf(name) + 1;
  }

  private birthMetrics(device: string | undefined, ts: number): UMetric[] {
    return this.metrics.map((name) => ({
      name,
      alias: this.alias(device, name),
      timestamp: ts,
      ...(name === 'Status' ? { type: 'String' as const, value: 'starting' } : { type: 'Double' as const, value: 0 }),
    }));
  }

  /** NBIRTH (seq 0) and one DBIRTH per device; birth values carry `birthTs` (default: now). */
  async birth(birthTs = Date.now()): Promise<void> {
    this.seq = 0;
    this.lastBirthTs = birthTs;
    const metrics: UMetric[] = [
      { name: 'bdSeq', type: 'UInt64', value: this.bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      ...this.birthMetrics(undefined, birthTs),
    ];
    await this.publish('NBIRTH', undefined, { timestamp: birthTs, seq: this.nextSeq(), metrics });
    for (const d of this.devices) await this.publish('DBIRTH', d, { timestamp: birthTs, seq: this.nextSeq(), metrics: this.birthMetrics(d, birthTs) });
  }

  /** NDATA (device undefined) or DDATA by alias; `skipSeq` leaves a gap in seq before this message. */
  async data(
    device: string | undefined,
    values: Record<string, number | string>,
    ts: number,
    opts: { qos?: 0 | 1; skipSeq?: boolean; aliasOverride?: number } = {},
  ): Promise<void> {
    if (opts.skipSeq) this.nextSeq();
    const metrics: UMetric[] = Object.entries(values).map(([name, value]) => ({
      alias: opts.aliasOverride ?? this.alias(device, name),
      timestamp: ts,
      ...(typeof value === 'string' ? { type: 'String' as const, value } : { type: 'Double' as const, value }),
    }));
    await this.publish(device === undefined ? 'NDATA' : 'DDATA', device, { timestamp: ts, seq: this.nextSeq(), metrics }, opts.qos ?? 0);
  }

  async publish(type: string, device: string | undefined, payload: UPayload, qos: 0 | 1 = 0): Promise<void> {
    const topic = `spBv1.0/${this.o.group}/${type}/${this.o.node}${device === undefined ? '' : `/${device}`}`;
    await this.client.publishAsync(topic, encodeSparkplug(payload), { qos });
  }

  /** DDEATH: one device of this node goes offline while the node stays up. */
  async deviceDeath(device: string): Promise<void> {
    await this.publish('DDEATH', device, { timestamp: Date.now(), seq: this.nextSeq(), metrics: [] });
  }

  /** Cuts the TCP connection without DISCONNECT: the broker publishes the NDEATH will. */
  kill(): void {
    this.client.stream.destroy();
    this.client.end(true);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
