import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload';
import { StationProcess } from '../../test/reliability/helpers/station-process';
import { hasMosquitto, TestMosquitto } from '../../test/server/helpers/mosquitto';
import type { BenchEnv } from '../lib/env';
import { median, percentile, ratio, round, sleep } from '../lib/stats';
import { BENCH_STATION_ENV, type CaseResult } from '../lib/types';

const codec = sparkplugPayload.get('spBv1.0')!;
const BARE = fileURLToPath(new URL('../sparkplug-bare-subscriber.ts', import.meta.url));
const NODES = 4;
const DEVICES_PER_NODE = 5;
const METRICS = 20;
/** the paced phase that measures latency: messages per second over all nodes */
const PACED_RATE = 1000;

const metricNames = Array.from({ length: METRICS }, (_, i) => (i === 0 ? 'Temperature' : i === 1 ? 'Pressure' : `Inputs/Sensor ${i}`));

/** The simulated edge nodes: one MQTT connection each, births once, then DDATA by alias. */
class Nodes {
  private seq = new Map<MqttClient, number>();
  private constructor(
    readonly clients: MqttClient[],
    readonly group: string,
  ) {}

  static async connect(url: string, group: string): Promise<Nodes> {
    const clients = await Promise.all(
      Array.from({ length: NODES }, (_, n) =>
        connectAsync(url, { protocolVersion: 4, clientId: `bench-${group}-${n}-${process.pid}`, clean: true, reconnectPeriod: 0 }),
      ),
    );
    const nodes = new Nodes(clients, group);
    const birthTs = Date.now() - 86_400_000;
    for (const [n, c] of clients.entries()) {
      nodes.seq.set(c, 0);
      await c.publishAsync(
        `spBv1.0/${group}/NBIRTH/N${n}`,
        Buffer.from(codec.encodePayload({ timestamp: birthTs, seq: nodes.next(c), metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }] })),
        { qos: 1 },
      );
      for (let d = 0; d < DEVICES_PER_NODE; d++) {
        const metrics: UMetric[] = metricNames.map((name, i) => ({ name, alias: d * 100 + i + 1, type: 'Double', value: 0, timestamp: birthTs }));
        await c.publishAsync(`spBv1.0/${group}/DBIRTH/N${n}/D${d}`, Buffer.from(codec.encodePayload({ timestamp: birthTs, seq: nodes.next(c), metrics })), {
          qos: 1,
        });
      }
    }
    return nodes;
  }

  next(c: MqttClient): number {
    const s = this.seq.get(c)!;
    this.seq.set(c, (s + 1) % 256);
    return s;
  }

  /** One DDATA of 20 metrics by alias, all stamped `ts`. */
  ddata(node: number, device: number, ts: number, i: number): { client: MqttClient; topic: string; payload: Buffer } {
    const client = this.clients[node]!;
    const metrics: UMetric[] = metricNames.map((_, m) => ({
      alias: device * 100 + m + 1,
      type: 'Double',
      value: 50 + ((i * 7 + m) % 100) / 10,
      timestamp: ts,
    }));
    return {
      client,
      topic: `spBv1.0/${this.group}/DDATA/N${node}/D${device}`,
      payload: Buffer.from(codec.encodePayload({ timestamp: ts, seq: this.next(client), metrics })),
    };
  }

  /** Publishes `count` messages as fast as QoS 1 allows (500 in flight per batch); ts in the past, one ms apart per device. */
  async blast(count: number, tsBase: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => this.ddata(i % NODES, Math.floor(i / NODES) % DEVICES_PER_NODE, tsBase + i, i));
    for (let i = 0; i < messages.length; i += 500) {
      await Promise.all(messages.slice(i, i + 500).map((m) => m.client.publishAsync(m.topic, m.payload, { qos: 1 })));
    }
  }

  /** Publishes `count` messages at PACED_RATE, each stamped with the moment it is sent. */
  async paced(count: number): Promise<void> {
    const started = Date.now();
    const lastTs = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / PACED_RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const node = i % NODES;
      const device = Math.floor(i / NODES) % DEVICES_PER_NODE;
      // unique per device: never two messages of one device in one millisecond
      const ts = Math.max(Date.now(), (lastTs.get(`${node}/${device}`) ?? 0) + 1);
      lastTs.set(`${node}/${device}`, ts);
      const m = this.ddata(node, device, ts, i);
      m.client.publish(m.topic, m.payload, { qos: 1 });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync()));
  }
}

interface Round {
  metrics_per_s: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
}

/** The bare subscriber as a child process; resolves "done" lines per group. */
async function startBare(
  url: string,
): Promise<{ expect: (group: string, metrics: number) => Promise<{ at: number; p50: number; p99: number }>; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', BARE, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<string, (v: { at: number; p50: number; p99: number }) => void>();
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') return resolve();
      const [cmd, group, at, p50, p99] = line.split(' ');
      if (cmd === 'done') waiting.get(group!)?.({ at: Number(at), p50: Number(p50), p99: Number(p99) });
    });
  });
  await ready;
  return {
    expect: (group, metrics) =>
      new Promise((resolve) => {
        waiting.set(group, resolve);
        child.stdin!.write(`expect ${group} ${metrics}\n`);
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Case: Sparkplug DDATA (20 metrics each) from 4 nodes x 5 devices through mosquitto into the station, vs a bare decoding subscriber. */
export async function sparkplugCase(env: BenchEnv): Promise<CaseResult> {
  const title = 'Sparkplug B through Mosquitto: DDATA with 20 metrics from 4 edge nodes x 5 devices, stored vs decoded only';
  if (!hasMosquitto)
    return { id: 'sparkplug', title, params: {}, subjects: {}, ratios: {}, notes: [], skipped: 'mosquitto is not installed (apt-get install mosquitto)' };
  const messages = env.quick ? 5_000 : 25_000;
  const pacedMessages = env.quick ? 2_000 : 5_000;
  // one broker each, so neither subscriber sees (and pays for) the other's messages
  const broker = await TestMosquitto.start();
  const bareBroker = await TestMosquitto.start();
  const station = await new StationProcess(undefined, { ...BENCH_STATION_ENV, ML_ALARMS: 'false', MQTT_URL: broker.url, MQTT_HOST_ID: 'bench' }).start();
  const bare = await startBare(bareBroker.url);
  const db = station.openDb();
  const count = db.prepare(`SELECT COUNT(*) FROM telemetry`).pluck();
  const ours: Round[] = [];
  const ref: Round[] = [];
  try {
    const tsBase = Date.now() - 20 * 86_400_000;
    // warm-up, not measured: both subscribers' code paths compiled by V8 before the first round
    const warm = Math.ceil(messages / 10);
    const wnodes = await Nodes.connect(broker.url, 'W');
    const wbefore = await settle(() => count.get() as number);
    await wnodes.blast(warm, tsBase - 10_000_000);
    while ((count.get() as number) < wbefore + warm) await sleep(5);
    await wnodes.close();
    const wbare = await Nodes.connect(bareBroker.url, 'W');
    const wdone = bare.expect('W', warm * METRICS);
    await wbare.blast(warm, tsBase - 10_000_000);
    await wdone;
    await wbare.close();
    for (let r = 0; r < env.rounds; r++) {
      // the station
      const groupS = `S${r}`;
      const nodes = await Nodes.connect(broker.url, groupS);
      const before = await settle(() => count.get() as number);
      let t = Date.now();
      await nodes.blast(messages, tsBase + r * 10_000_000);
      while ((count.get() as number) < before + messages) await sleep(5);
      const stationMps = (messages * METRICS) / ((Date.now() - t) / 1000);
      const beforePaced = count.get() as number;
      t = Date.now();
      await nodes.paced(pacedMessages);
      while ((count.get() as number) < beforePaced + pacedMessages) await sleep(5);
      const lat = db
        .prepare(`SELECT received_at - ts AS l FROM telemetry WHERE ts >= ? ORDER BY id DESC LIMIT ?`)
        .pluck()
        .all(t - 1000, pacedMessages) as number[];
      ours.push({ metrics_per_s: round(stationMps, 0), latency_p50_ms: percentile(lat, 50), latency_p99_ms: percentile(lat, 99) });
      await nodes.close();

      // the bare subscriber, the same messages
      const groupB = `B${r}`;
      const bnodes = await Nodes.connect(bareBroker.url, groupB);
      const done = bare.expect(groupB, messages * METRICS);
      t = Date.now();
      await bnodes.blast(messages, tsBase);
      const d = await done;
      const bareMps = (messages * METRICS) / ((d.at - t) / 1000);
      const groupP = `P${r}`;
      const pnodes = await Nodes.connect(bareBroker.url, groupP);
      const pdone = bare.expect(groupP, pacedMessages * METRICS);
      await pnodes.paced(pacedMessages);
      const p = await pdone;
      ref.push({ metrics_per_s: round(bareMps, 0), latency_p50_ms: p.p50, latency_p99_ms: p.p99 });
      await bnodes.close();
      await pnodes.close();
    }
  } finally {
    db.close();
    await bare.stop();
    await station.remove();
    await broker.dispose();
    await bareBroker.dispose();
  }
  const m = (rs: Round[], k: keyof Round) => median(rs.map((x) => x[k]));
  return {
    id: 'sparkplug',
    title,
    params: {
      warm_up_messages: Math.ceil(messages / 10),
      messages_per_round: messages,
      metrics_per_message: METRICS,
      nodes: NODES,
      devices_per_node: DEVICES_PER_NODE,
      paced_rate_msgs_per_s: PACED_RATE,
      paced_messages: pacedMessages,
      rounds: env.rounds,
      qos: 1,
    },
    subjects: {
      station: { metrics_per_s: m(ours, 'metrics_per_s'), latency_p50_ms: m(ours, 'latency_p50_ms'), latency_p99_ms: m(ours, 'latency_p99_ms') },
      'bare mqtt subscriber (decode only)': {
        metrics_per_s: m(ref, 'metrics_per_s'),
        latency_p50_ms: m(ref, 'latency_p50_ms'),
        latency_p99_ms: m(ref, 'latency_p99_ms'),
      },
    },
    ratios: { 'station / bare subscriber metrics_per_s': ratio(m(ours, 'metrics_per_s'), m(ref, 'metrics_per_s')) },
    rounds: ours.map((o, i) => ({ station: o, bare: ref[i] })),
    notes: [
      'metrics/s: a burst of QoS 1 DDATA published as fast as the publishers can, until the last metric is stored (station) or decoded (bare); one reading of 20 metrics per message (temperature, pressure, 18 extra fields).',
      `latency: a paced phase at ${PACED_RATE} messages/s (${PACED_RATE * METRICS} metrics/s), publish time to received_at of the stored reading (station) or to decode (bare); publishers, broker, station and the bare subscriber share the same 2 cores.`,
      'The station acknowledges each QoS 1 message once its readings are queued and stores all queued in one transaction per event-loop turn; a stop stores them first (docs/FIELD.md, store and forward).',
    ],
  };
}

/** Waits until a counter stops moving (the births of a new round have been stored). */
async function settle(read: () => number): Promise<number> {
  let last = read();
  for (;;) {
    await sleep(200);
    const v = read();
    if (v === last) return v;
    last = v;
  }
}
