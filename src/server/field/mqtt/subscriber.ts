import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../../../shared/field-mqtt';
import type { Logger } from '../../logger';
import type { TelemetryService } from '../../telemetry/service';
import { AcksAfterCommit } from './acks-after-commit';
import type { SparkplugHost } from './host';
import { findMapping, jsonCandidates } from './json';
import { NAMESPACE, ncmdTopic, parseTopic, rebirthPayload, stateTopic } from './sparkplug';

/** How long a persistent session outlives the station on an MQTT 5 broker (messages are queued for it). */
const SESSION_EXPIRY_S = 7 * 24 * 3600;
const RATE_WINDOW_S = 10;
const RECEIVE_MAXIMUM = 1000;

export interface Counters {
  messages: number;
  readingsStored: number;
  invalid: number;
  lastInvalid: { topic: string; error: string; at: string } | null;
  /** messages per whole second, the last RATE_WINDOW_S seconds */
  perSecond: Map<number, number>;
}

export const newCounters = (): Counters => ({ messages: 0, readingsStored: 0, invalid: 0, lastInvalid: null, perSecond: new Map() });

export function messagesPerSecond(c: Counters, now = Date.now()): number {
  const current = Math.floor(now / 1000);
  let sum = 0;
  for (const [second, n] of c.perSecond) if (second < current && second >= current - RATE_WINDOW_S) sum += n;
  return sum / RATE_WINDOW_S;
}

export interface SubscriberOptions {
  config: MqttConfig;
  url: string;
  /** the embedded broker (aedes) speaks MQTT 3.1.1 only */
  protocolVersion: 4 | 5;
  username?: string | null;
  password?: string | null;
  host: SparkplugHost;
  telemetry: TelemetryService;
  counters: Counters;
  logger: Logger;
}

/** The station's client id: its persistent session on the broker is kept under it. */
export const stationClientId = (config: MqttConfig) => config.client_id ?? `smart-oilfield-${config.host_id}`.slice(0, 64);

/** Client options: a persistent session (clean start off) so QoS 1 messages wait for the station. */
function clientOptions(
  o: { config: MqttConfig; protocolVersion: 4 | 5; username?: string | null; password?: string | null },
  willAt = Date.now(),
): IClientOptions {
  const { config } = o;
  const options: IClientOptions = {
    clientId: stationClientId(config),
    protocolVersion: o.protocolVersion,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: false,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
    // Receive Maximum: how many QoS 1 messages the broker may have in flight to the station. Their PUBACKs wait for
    // the commit of their turn (acks-after-commit.ts), so a small window (mosquitto's default is 20) would cap each
    // commit at that many messages.
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: RECEIVE_MAXIMUM } } : {}),
  };
  if (config.sparkplug) {
    // Sparkplug 3.0: the host's STATE, retained; the will says offline with the same timestamp.
    options.will = { topic: stateTopic(config.host_id), payload: Buffer.from(JSON.stringify({ online: false, timestamp: willAt })), qos: 1, retain: true };
  }
  return options;
}

/**
 * The station's MQTT client: a Sparkplug B host on spBv1.0/# and a subscriber of the mapped JSON
 * topics. Readings go through the telemetry service (validation, idempotency by (device, ts),
 * the InfluxDB mirror, alarms), stored at the end of the event-loop turn in which they arrived,
 * and only then are their QoS 1 messages acknowledged (acks-after-commit.ts), so a crash loses no
 * acknowledged message; redeliveries are duplicates, not new rows. A bad message is counted and
 * remembered, never thrown.
 */
export class MqttSubscriber {
  readonly client: MqttClient;
  private readonly acks: AcksAfterCommit;
  private readonly birthAt = Date.now();
  connected = false;
  lastError: string | null = null;
  /** set by stop(): errors of a connection being closed on purpose are not news */
  private stopping = false;

  constructor(private readonly o: SubscriberOptions) {
    this.client = connect(o.url, clientOptions(o, this.birthAt));
    this.acks = new AcksAfterCommit(this.client, () => this.scheduleFlush());
    this.client.handleMessage = (packet, done) => {
      this.onMessage(packet.topic, packet.payload as Buffer);
      done();
    };
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => (this.connected = false));
    this.client.on('error', (err) => {
      if (this.stopping) return;
      // the client retries every second: log a failure once, not every retry
      if (err.message !== this.lastError) o.logger.warn({ err: err.message, broker: o.url }, 'mqtt client error');
      this.lastError = err.message;
    });
  }

  private onConnect(): void {
    this.connected = true;
    this.lastError = null;
    const { config } = this.o;
    const topics: Record<string, { qos: 1 }> = {};
    if (config.sparkplug) topics[`${NAMESPACE}/#`] = { qos: 1 };
    for (const m of config.json) topics[m.topic] = { qos: 1 };
    // Subscribed on every connect: a broker that lost its sessions (restarted without persistence) has forgotten them.
    if (Object.keys(topics).length) {
      this.client.subscribe(topics, (err) => {
        if (err) this.lastError = `subscribe failed: ${err.message}`;
      });
    }
    if (config.sparkplug) {
      this.client.publish(stateTopic(config.host_id), JSON.stringify({ online: true, timestamp: this.birthAt }), { qos: 1, retain: true });
    }
    this.o.logger.info({ broker: this.o.url }, 'mqtt connected');
  }

  onMessage(topic: string, payload: Uint8Array): void {
    const c = this.o.counters;
    c.messages++;
    const second = Math.floor(Date.now() / 1000);
    c.perSecond.set(second, (c.perSecond.get(second) ?? 0) + 1);
    if (c.perSecond.size > RATE_WINDOW_S + 2) for (const s of c.perSecond.keys()) if (s < second - RATE_WINDOW_S) c.perSecond.delete(s);
    try {
      if (this.o.config.sparkplug && topic.startsWith(`${NAMESPACE}/`)) return this.onSparkplug(topic, payload);
      const mapping = findMapping(this.o.config.json, topic);
      if (!mapping) return;
      const out = jsonCandidates(mapping, topic, payload);
      if (!out.ok) return this.invalid(topic, out.error);
      this.ingest(topic, out.candidates);
    } catch (err) {
      this.invalid(topic, `could not be processed: ${(err as Error).message}`);
      this.o.logger.error({ err, topic }, 'mqtt message failed');
    }
  }

  private onSparkplug(topic: string, payload: Uint8Array): void {
    const parsed = parseTopic(topic);
    if (!parsed) return this.invalid(topic, 'not a Sparkplug B topic (spBv1.0/group/TYPE/node[/device])');
    if (parsed.kind === 'state') return this.onState(parsed.hostId, payload);
    const out = this.o.host.handle(parsed.group, parsed.type, parsed.node, parsed.device, payload);
    if (out.error) this.invalid(topic, out.error);
    if (out.readings.length) this.ingest(topic, out.readings);
    if (out.rebirth) {
      this.o.logger.info({ group: parsed.group, node: parsed.node, reason: out.rebirth }, 'sparkplug rebirth needed');
      this.requestRebirth(parsed.group, parsed.node, false);
    }
  }

  /**
   * Sparkplug 3.0: a host that sees itself declared offline (its will from a connection the broker
   * noticed dead only after the new one said online) says online again, or edge nodes would hold
   * their data for a host they think is gone.
   */
  private onState(hostId: string, payload: Uint8Array): void {
    if (hostId !== this.o.config.host_id || this.stopping || !this.client.connected) return;
    let state: unknown;
    try {
      state = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return;
    }
    if ((state as { online?: unknown }).online === false) {
      this.client.publish(stateTopic(hostId), JSON.stringify({ online: true, timestamp: this.birthAt }), { qos: 1, retain: true });
    }
  }

  /** Publishes Node Control/Rebirth to the node, at most once per interval unless forced. */
  requestRebirth(group: string, node: string, force: boolean): boolean {
    if (!this.o.host.takeRebirth(group, node, Date.now(), force)) return false;
    this.client.publish(ncmdTopic(group, node), Buffer.from(rebirthPayload()), { qos: 0 });
    return true;
  }

  /**
   * Queues a message's readings; they are stored together with every other message handled in
   * this turn of the event loop (mqtt.js hands over one packet per tick, so one TCP read's worth
   * of messages shares a transaction). One commit per message cost ~250 us, eight times the rows.
   */
  private ingest(topic: string, candidates: readonly unknown[]): void {
    this.pending.push({ topic, candidates });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private readonly pending: { topic: string; candidates: readonly unknown[] }[] = [];
  private flushScheduled = false;

  /**
   * Stores the queued readings in one transaction, then acknowledges the messages of this turn
   * (also those that carried no reading: PUBACKs go out in the order the messages came), and
   * counts what the schema refused, per message.
   */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0);
    if (!batch.length) return this.acks.release();
    const all = batch.flatMap((m) => m.candidates);
    let result;
    try {
      result = this.o.telemetry.ingestBatch(all);
    } catch (err) {
      this.lastError = `storing ${all.length} reading(s) failed: ${(err as Error).message}`;
      this.o.logger.error({ err }, 'mqtt readings could not be stored');
      this.acks.drop();
      return;
    }
    this.acks.release();
    this.o.counters.readingsStored += result.stored;
    if (!result.rejected.length) return;
    // rejected indexes are into `all`: give each refusal back to the message it came from
    let start = 0;
    let r = 0;
    for (const m of batch) {
      const end = start + m.candidates.length;
      const mine = [];
      while (r < result.rejected.length && result.rejected[r]!.index < end) mine.push(result.rejected[r++]!);
      const first = mine[0];
      if (first) {
        const why = first.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        this.invalid(m.topic, `${mine.length} of ${m.candidates.length} reading(s) refused: ${why}`);
      }
      start = end;
    }
  }

  private invalid(topic: string, error: string): void {
    const c = this.o.counters;
    c.invalid++;
    c.lastInvalid = { topic: topic.slice(0, 256), error: error.slice(0, 500), at: new Date().toISOString() };
  }

  /** Says offline on STATE (a clean disconnect sends no will), then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    // what arrived so far is stored and acknowledged while the connection is still up
    this.flush();
    const { config } = this.o;
    if (config.sparkplug && this.client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.client.publish(stateTopic(config.host_id), JSON.stringify({ online: false, timestamp: this.birthAt }), { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.client.endAsync(false).catch(() => this.client.end(true));
    // what arrived meanwhile is stored before the database closes (unacknowledged: the broker sends it again, a duplicate)
    this.flush();
  }
}
