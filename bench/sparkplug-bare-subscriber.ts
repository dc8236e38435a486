// The reference for the Sparkplug case: a bare `mqtt` subscriber in its own node process that only
// decodes the same DDATA messages (sparkplug-payload) and counts their metrics: no host state, no
// validation, no storage. What the station adds on top (aliases, seq checks, readings, SQLite) is
// the cost being measured. argv: broker url. stdin lines: "expect <group> <metrics>"; stdout:
// "ready", then "done <group> <epoch ms of the last message> <latency p50 ms> <latency p99 ms>".
import { createInterface } from 'node:readline';
import { connect } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

const codec = sparkplugPayload.get('spBv1.0')!;
const expected = new Map<string, number>();
const seen = new Map<string, number>();
const latencies = new Map<string, number[]>();

const client = connect(process.argv[2]!, { protocolVersion: 5, clientId: `bare-${process.pid}`, clean: true, reconnectPeriod: 0 });
client.on('connect', () => client.subscribe('spBv1.0/#', { qos: 1 }, () => process.stdout.write('ready\n')));
client.on('message', (topic, payload) => {
  if (!topic.includes('/DDATA/')) return;
  const group = topic.split('/')[1]!;
  const p = codec.decodePayload(payload);
  const n = (seen.get(group) ?? 0) + (p.metrics?.length ?? 0);
  seen.set(group, n);
  const ts = Number(p.timestamp);
  let l = latencies.get(group);
  if (!l) latencies.set(group, (l = []));
  l.push(Date.now() - ts);
  const want = expected.get(group);
  if (want !== undefined && n >= want) {
    const sorted = l.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    process.stdout.write(`done ${group} ${Date.now()} ${at(0.5)} ${at(0.99)}\n`);
    expected.delete(group);
  }
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, group, metrics] = line.split(' ');
  if (cmd === 'expect') expected.set(group!, Number(metrics));
});
process.on('SIGTERM', () => client.end(true, () => process.exit(0)));
