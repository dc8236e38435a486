import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { MqttConfig } from '../../../shared/field-mqtt';
import type { KeysRepository } from '../../auth/keys-repository';
import { scopeMatcher } from '../../auth/scope';
import type { Logger } from '../../logger';
import type { SparkplugHost } from './host';
import { candidateDevices, findMapping, jsonCandidates } from './json';
import { NAMESPACE, parseTopic } from './sparkplug';

/** Who a connected client is: the station's own host client, or an API key. */
type Grant = { kind: 'station' } | { kind: 'key'; keyId: number; role: string; allowed: (deviceId: string) => boolean };

/** The username the station's own client uses (key ids are numbers, so it cannot collide). */
export const STATION_USERNAME = 'station';

const grants = new WeakMap<Client, Grant>();

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export interface EmbeddedBrokerDeps {
  config: MqttConfig;
  /** the station's listen address: 127.0.0.1 unless LAN access is on */
  listenHost: string;
  keys: KeysRepository;
  host: SparkplugHost;
  logger: Logger;
  /** no key may connect under it: that would take over the station's own session */
  stationClientId: string;
}

/**
 * The station's own MQTT broker (aedes, MQTT 3.1.1), for wellsites without one. Clients sign in
 * with a station API key (username = key id, password = key secret). Device keys publish only
 * Sparkplug and mapped JSON topics of devices in their scope, as on the HTTP API; admin keys
 * publish anything; user keys may only subscribe. The station's own client has a secret of its own.
 */
export class EmbeddedBroker {
  readonly stationPassword = randomBytes(32).toString('base64url');
  refused = 0;
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly deps: EmbeddedBrokerDeps) {}

  get clients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const grant = this.authenticate(username, password);
        if (typeof grant !== 'string' && grant.kind === 'key' && client.id === this.deps.stationClientId) {
          this.refused++;
          return done(authError("that client id is the station's own", 2), false);
        }
        if (typeof grant === 'string') {
          this.refused++;
          return done(authError(grant, grant.startsWith('not allowed') ? 5 : 4), false);
        }
        grants.set(client, grant);
        done(null, true);
      },
      authorizePublish: (client, packet, done) => {
        // client null: the broker itself (a will is checked when the client connects)
        const refusal = client ? this.mayPublish(grants.get(client), packet.topic, packet.payload as Buffer) : undefined;
        if (refusal) {
          this.refused++;
          this.deps.logger.warn({ topic: packet.topic, refusal }, 'embedded mqtt broker refused a publish');
          return done(new Error(refusal));
        }
        done(null);
      },
      authorizeSubscribe: (client, sub, done) => {
        const refusal = this.maySubscribe(grants.get(client), sub.topic);
        if (refusal) {
          this.refused++;
          this.deps.logger.warn({ filter: sub.topic, refusal }, 'embedded mqtt broker refused a subscription');
          // a null subscription answers SUBACK 0x80 (failure) and keeps the client connected
          return done(null, null);
        }
        done(null, sub);
      },
    });
    this.aedes = aedes;
    const server = createServer(aedes.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.config.embedded_port, this.deps.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.deps.logger.info({ host: this.deps.listenHost, port: this.port }, 'embedded mqtt broker listening');
  }

  private authenticate(username: string | undefined, password: Buffer | undefined): Grant | string {
    if (!username || !password) return 'sign in with an API key: username = key id, password = key secret';
    if (username === STATION_USERNAME) {
      const expected = Buffer.from(this.stationPassword);
      return password.length === expected.length && timingSafeEqual(password, expected) ? { kind: 'station' } : 'bad username or password';
    }
    if (!/^[1-9]\d{0,15}$/.test(username)) return 'bad username or password';
    const row = this.deps.keys.findByKey(password.toString('utf8'));
    if (!row || row.id !== Number(username) || row.revoked_at !== null) return 'bad username or password';
    this.deps.keys.markUsed(row.id);
    const devices = row.devices ? (JSON.parse(row.devices) as string[]) : undefined;
    return { kind: 'key', keyId: row.id, role: row.role, allowed: scopeMatcher(devices) };
  }

  /** Why a client may not publish this message, or undefined when it may. */
  private mayPublish(grant: Grant | undefined, topic: string, payload: Buffer): string | undefined {
    if (!grant) return 'not signed in';
    if (grant.kind === 'station' || grant.role === 'admin') return undefined;
    if (grant.role !== 'device') return `a ${grant.role} key may not publish; use a device key`;
    const { config, host } = this.deps;
    const sp = parseTopic(topic);
    if (sp?.kind === 'message') {
      if (sp.type === 'NCMD' || sp.type === 'DCMD') return 'a device key may not send commands';
      // the node's own messages (births, deaths, node data) are the node's device id; D* messages the device's
      const deviceId = host.deviceId(sp.group, sp.node, sp.type.startsWith('D') ? sp.device : undefined);
      return grant.allowed(deviceId) ? undefined : `this key may not write device ${deviceId}`;
    }
    if (sp || topic.startsWith(`${NAMESPACE}/`)) return 'a device key may publish Sparkplug node and device messages only';
    const mapping = findMapping(config.json, topic);
    if (!mapping) return `no JSON mapping takes topic ${topic.slice(0, 100)}`;
    const out = jsonCandidates(mapping, topic, payload);
    // an undecodable message carries no device: the station counts it as invalid and stores nothing
    if (!out.ok) return undefined;
    const refused = [...new Set(candidateDevices(out.candidates))].filter((d) => !grant.allowed(d));
    return refused.length ? `this key may not write device${refused.length > 1 ? 's' : ''} ${refused.slice(0, 10).join(', ')}` : undefined;
  }

  /** Device keys may listen for commands and host STATE only; user and admin keys may read anything. */
  private maySubscribe(grant: Grant | undefined, filter: string): string | undefined {
    if (!grant) return 'not signed in';
    if (grant.kind === 'station' || grant.role !== 'device') return undefined;
    const levels = filter.split('/');
    if (levels[0] === NAMESPACE && levels[1] === 'STATE') return undefined;
    if (levels[0] === NAMESPACE && (levels[2] === 'NCMD' || levels[2] === 'DCMD') && levels[1] && levels[3] && !/[+#]/.test(levels[1] + levels[3])) {
      const nodeId = this.deps.host.deviceId(levels[1], levels[3]);
      if (grant.allowed(nodeId)) return undefined;
    }
    return 'a device key may subscribe to its own node commands (spBv1.0/group/NCMD/node, DCMD) and spBv1.0/STATE/# only';
  }

  async stop(): Promise<void> {
    const { server, aedes } = this;
    this.server = undefined;
    this.aedes = undefined;
    // stop accepting first, then let aedes disconnect its clients, so the server can finish closing
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
  }
}
