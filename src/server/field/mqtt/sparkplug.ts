import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import type { ReadingRole } from '../../../shared/field-mqtt';

const codec = sparkplugPayload.get('spBv1.0')!;

export const NAMESPACE = 'spBv1.0';
export type MessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD' | 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';
const TYPES = new Set<string>(['NBIRTH', 'NDEATH', 'NDATA', 'NCMD', 'DBIRTH', 'DDEATH', 'DDATA', 'DCMD']);

export type SparkplugTopic =
  | { kind: 'state'; hostId: string }
  | { kind: 'message'; group: string; type: MessageType; node: string; device?: string };

/** spBv1.0/group/TYPE/node[/device] or spBv1.0/STATE/host; anything else is not Sparkplug B. */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const levels = topic.split('/');
  if (levels[0] !== NAMESPACE) return undefined;
  if (levels[1] === 'STATE' && levels.length === 3 && levels[2]) return { kind: 'state', hostId: levels[2] };
  if (levels.length < 4 || levels.length > 5 || !TYPES.has(levels[2]!) || levels.some((l) => !l)) return undefined;
  const type = levels[2] as MessageType;
  const isDevice = type.startsWith('D');
  if (isDevice !== (levels.length === 5)) return undefined;
  return { kind: 'message', group: levels[1]!, type, node: levels[3]!, device: levels[4] };
}

export const stateTopic = (hostId: string) => `${NAMESPACE}/STATE/${hostId}`;
export const ncmdTopic = (group: string, node: string) => `${NAMESPACE}/${group}/NCMD/${node}`;

export function decode(payload: Uint8Array): UPayload {
  return codec.decodePayload(payload);
}

export function encode(payload: UPayload): Uint8Array {
  return codec.encodePayload(payload);
}

/** The NCMD that asks an edge node to publish its births again. */
export function rebirthPayload(now = Date.now()): Uint8Array {
  return encode({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true, timestamp: now }] });
}

interface LongLike {
  toNumber(): number;
}
const isLong = (v: unknown): v is LongLike => typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function';

/** protobuf uint64/int64 fields arrive as Long objects (or numbers); ms and seq fit a double. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (isLong(v)) return v.toNumber();
  return undefined;
}

export type Scalar = number | string | boolean;

/** A metric's value as one of the reading's scalar types; arrays, data sets, templates and bytes are not readings. */
export function scalarValue(m: UMetric): Scalar | undefined {
  if (m.isNull) return undefined;
  const v = m.value;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (isLong(v)) return v.toNumber();
  return undefined;
}

/** Metrics the protocol uses for itself: never telemetry. */
export const isControlMetric = (name: string) => name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/') || name.startsWith('Properties/');

const EXTRA_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** A metric name as an `extra` key: folders joined by '.', other punctuation as '_'. */
export function extraKey(name: string): string {
  if (EXTRA_KEY.test(name)) return name;
  let key = name.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_');
  if (!/^[A-Za-z_]/.test(key)) key = `_${key}`;
  return key.slice(0, 64);
}

/** Which reading column a metric feeds: the configured mapping, else a last folder named like a column. */
export function roleOf(name: string, metricMap: Readonly<Record<string, ReadingRole>>): ReadingRole | undefined {
  const mapped = metricMap[name];
  if (mapped) return mapped;
  const last = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  return last === 'temperature' || last === 'pressure' || last === 'status' ? last : undefined;
}
