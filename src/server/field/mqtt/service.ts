import { connectAsync } from 'mqtt';
import {
  mqttConfigSchema,
  type MqttConfig,
  type MqttConfigUpdate,
  type MqttConfigView,
  type MqttConnectionResult,
  type MqttConnectionTest,
  type MqttStatus,
} from '../../../shared/field-mqtt';
import type { AuditEntry } from '../../audit/repository';
import type { KeysRepository } from '../../auth/keys-repository';
import type { Db } from '../../db/open';
import { AppError, notFound } from '../../http/errors';
import type { Logger } from '../../logger';
import type { TelemetryService } from '../../telemetry/service';
import { EmbeddedBroker, STATION_USERNAME } from './broker';
import { SparkplugHost, type HostSettings } from './host';
import { OfflineAlarms } from './offline-alarms';
import type { MqttRepository } from './repository';
import { messagesPerSecond, MqttSubscriber, newCounters, stationClientId } from './subscriber';

export interface MqttFieldDeps {
  db: Db;
  repo: MqttRepository;
  telemetry: TelemetryService;
  keys: KeysRepository;
  /** the configuration from the environment, used until one is saved */
  envConfig: MqttConfig;
  /** where the embedded broker listens: the station's own listen address */
  listenHost: string;
  logger: Logger;
  audit?: { record(e: AuditEntry): void };
}

/** Who asks for a change, for its audit row. */
export interface MqttChanger {
  subject: string | null;
  ip?: string;
}

const hostSettings = (c: MqttConfig): HostSettings => ({ metricMap: c.metric_map, deviceMap: c.device_map, rebirthIntervalMs: c.rebirth_interval_s * 1000 });

/** A broker URL for display: no credentials. */
const displayUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

/**
 * MQTT use cases: the configuration (saved or from the environment), starting and restarting the
 * broker connection and the embedded broker when it changes, status, and Rebirth requests.
 */
export class MqttField {
  private config: MqttConfig;
  private source: 'env' | 'saved';
  private readonly host: SparkplugHost;
  private readonly offline: OfflineAlarms;
  private readonly counters = newCounters();
  private subscriber: MqttSubscriber | undefined;
  private broker: EmbeddedBroker | undefined;
  private lastError: string | null = null;
  /** one start or stop at a time: a PUT during start-up waits for it */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MqttFieldDeps) {
    const saved = deps.repo.loadConfig();
    this.config = saved ?? deps.envConfig;
    this.source = saved ? 'saved' : 'env';
    this.host = new SparkplugHost(hostSettings(this.config), deps.repo);
    this.offline = new OfflineAlarms(deps.db, this.host, () => this.config.offline_alarm_s, deps.logger);
  }

  view(): MqttConfigView {
    const { password, ...rest } = this.config;
    return { ...rest, password_set: password !== null, source: this.source };
  }

  /** Saves a whole new configuration and applies it at once (reconnects, starts or stops the broker). */
  async update(update: MqttConfigUpdate, by: MqttChanger): Promise<MqttConfigView> {
    const next = mqttConfigSchema.parse({ ...update, password: update.password === undefined ? this.config.password : update.password });
    // the saved configuration and its audit row commit together
    this.deps.db.transaction(() => {
      this.deps.repo.saveConfig(next);
      this.deps.audit?.record({
        actor: by.subject,
        action: 'field.mqtt.update',
        ip: by.ip,
        detail: { mode: next.mode, url: next.url ? displayUrl(next.url) : null, host_id: next.host_id },
      });
    })();
    this.config = next;
    this.source = 'saved';
    this.host.configure(hostSettings(next));
    await this.restart();
    return this.view();
  }

  start(): Promise<void> {
    return this.restart();
  }

  private restart(): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        await this.stopNow();
        await this.startNow();
      } catch (err) {
        this.lastError = (err as Error).message;
        this.deps.logger.error({ err: (err as Error).message }, 'mqtt could not start');
      }
    });
    return this.chain;
  }

  private async startNow(): Promise<void> {
    const config = this.config;
    this.lastError = null;
    if (config.mode === 'off') return;
    this.offline.start();
    const { telemetry, logger } = this.deps;
    if (config.mode === 'embedded') {
      const broker = new EmbeddedBroker({
        config,
        listenHost: this.deps.listenHost,
        keys: this.deps.keys,
        host: this.host,
        logger,
        stationClientId: stationClientId(config),
      });
      this.broker = broker;
      await broker.start();
      this.subscriber = new MqttSubscriber({
        config,
        url: `mqtt://127.0.0.1:${broker.port}`,
        protocolVersion: 4,
        username: STATION_USERNAME,
        password: broker.stationPassword,
        host: this.host,
        telemetry,
        counters: this.counters,
        logger,
      });
      return;
    }
    this.subscriber = new MqttSubscriber({
      config,
      url: config.url!,
      protocolVersion: 5,
      username: config.username,
      password: config.password,
      host: this.host,
      telemetry,
      counters: this.counters,
      logger,
    });
  }

  private async stopNow(): Promise<void> {
    const { subscriber, broker } = this;
    this.subscriber = undefined;
    this.broker = undefined;
    this.offline.stop();
    if (subscriber) await subscriber.stop();
    if (broker) await broker.stop();
  }

  /** Disconnects (the host's STATE goes offline) and stops the embedded broker. */
  stop(): Promise<void> {
    this.chain = this.chain.then(() =>
      this.stopNow().catch((err: unknown) => this.deps.logger.error({ err: (err as Error).message }, 'mqtt did not stop cleanly')),
    );
    return this.chain;
  }

  status(): MqttStatus {
    const c = this.counters;
    const { config, subscriber, broker } = this;
    return {
      mode: config.mode,
      connected: subscriber?.connected ?? false,
      broker: config.mode === 'external' && config.url ? displayUrl(config.url) : broker ? `mqtt://${this.deps.listenHost}:${broker.port}` : null,
      last_error: this.lastError ?? subscriber?.lastError ?? null,
      messages: c.messages,
      messages_per_s: messagesPerSecond(c),
      readings_stored: c.readingsStored,
      invalid_messages: c.invalid,
      last_invalid: c.lastInvalid,
      embedded: broker
        ? { listening: broker.listening, host: this.deps.listenHost, port: broker.port, clients: broker.clients, refused: broker.refused }
        : null,
      nodes: this.host.view(),
    };
  }

  /** Online state by station device id, for the Sparkplug nodes and devices the host knows. */
  presence(): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const n of this.host.view()) {
      if (n.last_birth) out.set(n.device_id, n.online);
      for (const d of n.devices) if (d.last_birth) out.set(d.device_id, n.online && d.online);
    }
    return out;
  }

  /** An admin's Rebirth request: sent at once (the per-interval limit is for automatic ones). */
  rebirth(group: string, node: string, by: MqttChanger): void {
    if (!this.subscriber?.connected) throw new AppError(409, 'the station is not connected to an MQTT broker');
    if (!this.host.has(group, node)) throw notFound(`Sparkplug edge node ${group}/${node}`);
    this.subscriber.requestRebirth(group, node, true);
    this.deps.audit?.record({ actor: by.subject, action: 'field.mqtt.rebirth', ip: by.ip, detail: { group, node } });
  }
}

/** Connects to a broker once with the given settings and disconnects: the Settings "test" button. */
export async function testConnection(t: MqttConnectionTest): Promise<MqttConnectionResult> {
  const started = Date.now();
  try {
    // MQTT 3.1.1: every broker speaks it, the embedded one (aedes) only that
    const client = await connectAsync(t.url, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...(t.username ? { username: t.username } : {}),
      ...(t.password ? { password: t.password } : {}),
      ...(t.ca ? { ca: t.ca } : {}),
    });
    await client.endAsync();
    return { ok: true, detail: `connected to ${displayUrl(t.url)}`, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, detail: (err as Error).message || 'connection failed', ms: Date.now() - started };
  }
}
