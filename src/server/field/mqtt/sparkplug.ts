import sparkplugPayload from 'sparkplug-payload';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import type { ReadingRole } from '../../../shared/field-mqtt';

const codec = sparkplugPayload.get('spBv1.0')!;
const PayloadProto = sparkplugProto.org.eclipse.tahu.protobuf.Payload;

export const NAMESPACE = 'spBv1.0';
export type MessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD' | 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';
const TYPES = new Set<string>(['NBIRTH', 'NDEATH', 'NDATA', 'NCMD', 'DBIRTH', 'DDEATH', 'DDATA', 'DCMD']);

export type SparkplugTopic = { kind: 'state'; hostId: string } | { kind: 'message'; group: string; type: MessageType; node: string; device?: string };

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

const TYPE_NAMES = [
  '',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
  'PropertySet',
  'PropertySetList',
];

export type Scalar = number | string | boolean;

/** One metric as the host needs it: numbers instead of Longs, and a value only when it is a scalar. */
export interface DecodedMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  /** Sparkplug data type name ('' when a data message leaves it out) */
  type: string;
  isHistorical: boolean;
  /** arrays, data sets, templates, bytes, files and nulls have none */
  value?: Scalar;
}

export interface DecodedPayload {
  timestamp?: number;
  seq?: number;
  metrics: DecodedMetric[];
}

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** The scalar in a metric's value fields; the data type picks signed or unsigned where the wire cannot say. */
function metricValue(m: ProtoMetric, datatype: number): Scalar | undefined {
  if (m.isNull) return undefined;
  if (own(m, 'doubleValue')) return Number.isFinite(m.doubleValue) ? m.doubleValue! : undefined;
  if (own(m, 'floatValue')) return Number.isFinite(m.floatValue) ? m.floatValue! : undefined;
  if (own(m, 'intValue')) return datatype >= 1 && datatype <= 3 ? m.intValue! | 0 : m.intValue! >>> 0;
  if (own(m, 'longValue')) {
    const v = m.longValue!;
    if (typeof v === 'number') return v;
    return datatype === 4 ? v.toSigned().toNumber() : v.toNumber();
  }
  if (own(m, 'booleanValue')) return m.booleanValue!;
  if (own(m, 'stringValue')) return m.stringValue!;
  return undefined;
}

interface LongValue {
  toNumber(): number;
  toSigned(): LongValue;
}
interface ProtoMetric {
  name?: string;
  alias?: LongValue | number;
  timestamp?: LongValue | number;
  datatype?: number;
  isHistorical?: boolean;
  isNull?: boolean;
  intValue?: number;
  longValue?: LongValue | number;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

/**
 * Decodes a Sparkplug B payload straight from the protobuf. sparkplug-payload's own decodePayload
 * converts every value, and 1.0.3 throws on a DataSet with Int32 columns (which it encodes itself),
 * losing the whole message; it also turns a value without a data type (allowed in data messages)
 * into null. Only the scalars a reading can hold are converted here.
 */
export function decode(raw: Uint8Array): DecodedPayload {
  const p = PayloadProto.decode(raw) as unknown as { timestamp?: LongValue; seq?: LongValue; metrics?: ProtoMetric[] };
  const out: DecodedPayload = { metrics: [] };
  if (own(p, 'timestamp')) out.timestamp = toNumber(p.timestamp);
  if (own(p, 'seq')) out.seq = toNumber(p.seq);
  for (const m of p.metrics ?? []) {
    const datatype = m.datatype ?? 0;
    const d: DecodedMetric = { type: TYPE_NAMES[datatype] ?? '', isHistorical: m.isHistorical === true, value: metricValue(m, datatype) };
    if (own(m, 'name')) d.name = m.name;
    if (own(m, 'alias')) d.alias = toNumber(m.alias);
    if (own(m, 'timestamp')) d.timestamp = toNumber(m.timestamp);
    out.metrics.push(d);
  }
  return out;
}

function encode(payload: UPayload): Uint8Array {
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
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (isLong(v)) return v.toNumber();
  return undefined;
}

/** Metrics the protocol uses for itself: never telemetry. */
export const isControlMetric = (name: string) =>
  name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/') || name.startsWith('Properties/');

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
