import { z } from 'zod';
import { deviceIdSchema } from './telemetry';

/**
 * Modbus devices the station polls itself: connection, register map (tags), poll settings.
 * One schema serves the API, the UI's forms, and map import/export (JSON and CSV).
 */

export const MODBUS_FUNCTIONS = ['coil', 'discrete', 'holding', 'input'] as const;
export type ModbusFunction = (typeof MODBUS_FUNCTIONS)[number];
export const MODBUS_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
export type ModbusType = (typeof MODBUS_TYPES)[number];
export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ByteOrder = (typeof BYTE_ORDERS)[number];
export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
export const PARITIES = ['none', 'even', 'odd'] as const;

/** Registers a value of each type takes (bits for bool). */
export const TYPE_WIDTH: Record<ModbusType, number> = { bool: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4 };
export const isBitFunction = (f: ModbusFunction) => f === 'coil' || f === 'discrete';

const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const TAG_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_ .:/-]{0,63}$/;

/** 40001-style references: the leading digit names the table, the rest is 1-based (5 or 6 digits). */
const REFERENCE_TABLES: Record<string, ModbusFunction> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

/** Parses "40001" / "400001" into its table and 0-based address; undefined when it is not that notation. */
export function parseReference(text: string): { function: ModbusFunction; address: number } | undefined {
  const m = /^([0134])(\d{4,5})$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[2]);
  if (n < 1 || n > 65536) return undefined;
  return { function: REFERENCE_TABLES[m[1]!]!, address: n - 1 };
}

const finite = (what: string) => z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be finite`);

/**
 * One tag as sent. `address` is 0-based (a number or digits), or a 40001-style reference, which
 * also names the table: then `function` may be left out, and must agree when given.
 */
export const tagInputSchema = z
  .strictObject({
    name: z.string().regex(TAG_NAME_PATTERN, 'must be 1-64 characters: letters, digits, space and _ . : / -'),
    function: z.enum(MODBUS_FUNCTIONS).optional(),
    address: z.union([z.number().int('must be a whole number'), z.string().max(16)]),
    type: z.enum(MODBUS_TYPES).optional(),
    order: z.enum(BYTE_ORDERS).default('ABCD'),
    scale: finite('scale')
      .refine((v) => v !== 0, 'scale must not be 0')
      .default(1),
    offset: finite('offset').default(0),
    unit: z.string().max(16).nullable().optional(),
    deadband: finite('deadband').min(0, 'deadband must be 0 or more').default(0),
    field: z.string().regex(FIELD_PATTERN, 'must be temperature, pressure, status, or a field name (letters, digits, _ . -)'),
  })
  .transform((tag, ctx) => {
    let fn = tag.function;
    let address: number;
    if (typeof tag.address === 'number') {
      address = tag.address;
    } else if (/^\d{1,5}$/.test(tag.address.trim()) && !parseReference(tag.address)) {
      address = Number(tag.address.trim());
    } else {
      const ref = parseReference(tag.address);
      if (!ref) {
        ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be a 0-based address (0-65535) or a reference like 40001' });
        return z.NEVER;
      }
      if (fn && fn !== ref.function) {
        ctx.addIssue({ code: 'custom', path: ['function'], message: `reference ${tag.address} is a ${ref.function} address, not ${fn}` });
        return z.NEVER;
      }
      fn = ref.function;
      address = ref.address;
    }
    if (!fn) {
      ctx.addIssue({ code: 'custom', path: ['function'], message: 'must be coil, discrete, holding or input (or give a reference like 40001)' });
      return z.NEVER;
    }
    const type: ModbusType = tag.type ?? (isBitFunction(fn) ? 'bool' : 'uint16');
    if (isBitFunction(fn) !== (type === 'bool')) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: isBitFunction(fn) ? `a ${fn} is a single bit: type must be bool` : `bool is only for coils and discrete inputs`,
      });
      return z.NEVER;
    }
    if (address < 0 || address + TYPE_WIDTH[type] - 1 > 65535) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: `${type} at ${address} does not fit in 0-65535` });
      return z.NEVER;
    }
    return {
      name: tag.name,
      function: fn,
      address,
      type,
      order: tag.order,
      scale: tag.scale,
      offset: tag.offset,
      unit: tag.unit ?? null,
      deadband: tag.deadband,
      field: tag.field,
    };
  });
export type TagInput = z.input<typeof tagInputSchema>;
export type Tag = z.output<typeof tagInputSchema>;

/** A stored tag, as the API answers it (always normalised: 0-based address, function and type set). */
export const tagSchema = z.object({
  name: z.string(),
  function: z.enum(MODBUS_FUNCTIONS),
  address: z.number().int(),
  type: z.enum(MODBUS_TYPES),
  order: z.enum(BYTE_ORDERS),
  scale: z.number(),
  offset: z.number(),
  unit: z.string().nullable(),
  deadband: z.number(),
  field: z.string(),
});

const hostSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(253)
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/,
    'must be a host name or an IP address',
  );

const tcpTransportSchema = z.strictObject({
  kind: z.literal('tcp'),
  host: hostSchema,
  port: z.number().int().min(1).max(65535).default(502),
});

/**
 * Serial device paths: absolute (/dev/ttyUSB0, /dev/serial/by-id/..., or a link a virtual pair
 * made elsewhere) on Linux and macOS, COMn on Windows. No shell characters, no "..".
 */
const SERIAL_PATH = /^(?:\/[A-Za-z0-9_.:+/-]{1,250}|COM[1-9]\d{0,2})$/;
const serialSettingsSchema = z.strictObject({
  path: z
    .string()
    .regex(SERIAL_PATH, 'must be a serial device such as /dev/ttyUSB0, /dev/serial/by-id/... or COM3')
    .refine((p) => !p.split('/').includes('..'), 'must not contain ".."'),
  baud: z
    .number()
    .int()
    .refine((b) => (BAUD_RATES as readonly number[]).includes(b), `must be one of ${BAUD_RATES.join(', ')}`)
    .default(9600),
  parity: z.enum(PARITIES).default('none'),
  data_bits: z.union([z.literal(7), z.literal(8)]).default(8),
  stop_bits: z.union([z.literal(1), z.literal(2)]).default(1),
});
const rtuTransportSchema = serialSettingsSchema.extend({ kind: z.literal('rtu') });

const transportSchema = z.discriminatedUnion('kind', [tcpTransportSchema, rtuTransportSchema], {
  error: 'kind must be "tcp" or "rtu"',
});
export type Transport = z.output<typeof transportSchema>;

const MAX_TAGS = 256;

/** A device body for POST and PUT. */
export const modbusDeviceInputSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(64),
    device_id: deviceIdSchema,
    enabled: z.boolean().default(true),
    interval_s: z.number().min(1, 'must be at least 1 second').max(3600, 'must be at most 3600 seconds (1 hour)').default(10),
    transport: transportSchema,
    unit_id: z.number().int().min(0).max(255).default(1),
    max_block: z.number().int().min(1).max(125, 'Modbus allows at most 125 registers per request').default(125),
    gap_ms: z.number().int().min(0).max(10_000).default(0),
    timeout_ms: z.number().int().min(20).max(30_000).default(1000),
    retries: z.number().int().min(0).max(5).default(1),
    tags: z.array(tagInputSchema).max(MAX_TAGS, `at most ${MAX_TAGS} tags per device`).default([]),
  })
  .superRefine((d, ctx) => {
    if (d.transport.kind === 'rtu' && (d.unit_id < 1 || d.unit_id > 247)) {
      ctx.addIssue({ code: 'custom', path: ['unit_id'], message: 'a serial unit id must be 1-247' });
    }
    if (d.enabled && d.tags.length === 0) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'an enabled device needs at least one tag' });
    const names = new Set<string>();
    const fields = new Set<string>();
    d.tags.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tags', i, 'name'], message: `tag name ${t.name} is used twice` });
      if (fields.has(t.field)) ctx.addIssue({ code: 'custom', path: ['tags', i, 'field'], message: `field ${t.field} is fed by two tags` });
      names.add(t.name);
      fields.add(t.field);
    });
  });
export type ModbusDeviceInput = z.input<typeof modbusDeviceInputSchema>;
export type ModbusDeviceConfig = z.output<typeof modbusDeviceInputSchema>;

export const modbusDeviceSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  device_id: z.string(),
  enabled: z.boolean(),
  interval_s: z.number(),
  transport: z.union([
    z.object({ kind: z.literal('tcp'), host: z.string(), port: z.number().int() }),
    z.object({
      kind: z.literal('rtu'),
      path: z.string(),
      baud: z.number().int(),
      parity: z.enum(PARITIES),
      data_bits: z.number().int(),
      stop_bits: z.number().int(),
    }),
  ]),
  unit_id: z.number().int(),
  max_block: z.number().int(),
  gap_ms: z.number().int(),
  timeout_ms: z.number().int(),
  retries: z.number().int(),
  tags: z.array(tagSchema),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ModbusDevice = z.infer<typeof modbusDeviceSchema>;

/** One tag's answer to "read now": raw registers (or bits) beside the decoded value. */
const tagReadSchema = z.object({
  name: z.string(),
  function: z.enum(MODBUS_FUNCTIONS),
  address: z.number().int(),
  type: z.enum(MODBUS_TYPES),
  order: z.enum(BYTE_ORDERS),
  raw: z.array(z.number().int()).describe('registers as 0-65535 (or bits as 0/1), in wire order'),
  value: z.union([z.number(), z.boolean()]).nullable().describe('scaled: raw value x scale + offset'),
  orders: z
    .object({ ABCD: z.number().nullable(), CDAB: z.number().nullable(), BADC: z.number().nullable(), DCBA: z.number().nullable() })
    .nullable()
    .describe('for 32- and 64-bit types: the scaled value in every byte order (null where it is NaN or infinite)'),
  error: z.string().nullable(),
});
export type TagRead = z.infer<typeof tagReadSchema>;

export const readNowSchema = z.object({
  device: z.number().int(),
  ts: z.number().describe('Unix seconds'),
  time: z.string(),
  response_ms: z.number(),
  requests: z.number().int(),
  tags: z.array(tagReadSchema),
});
export type ReadNow = z.infer<typeof readNowSchema>;

const POLL_STATES = ['ok', 'backoff', 'disconnected', 'disabled', 'starting'] as const;
const deviceStatusSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  device_id: z.string(),
  state: z.enum(POLL_STATES),
  endpoint: z.string(),
  last_poll_at: z.string().nullable(),
  last_ok_at: z.string().nullable(),
  last_error: z.string().nullable(),
  tag_errors: z.array(z.object({ tag: z.string(), error: z.string() })),
  polls_ok: z.number().int(),
  polls_failed: z.number().int(),
  consecutive_failures: z.number().int(),
  response_ms: z.number().nullable(),
  next_poll_at: z.string().nullable(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;
export const fieldStatusSchema = z.object({ modbus: z.array(deviceStatusSchema) });
export type FieldStatus = z.infer<typeof fieldStatusSchema>;

export const serialPortSchema = z.object({
  path: z.string().describe('the name to configure: a stable /dev/serial/by-id/... link when there is one'),
  device: z.string().describe('what it points at now, e.g. /dev/ttyUSB0'),
  stable: z.boolean(),
});
export type SerialPortInfo = z.infer<typeof serialPortSchema>;

export const SCAN_JOB = 'modbus.scan';
export const scanRequestSchema = z
  .strictObject({
    transport: transportSchema,
    unit_from: z.number().int().min(0).max(255).default(1),
    unit_to: z.number().int().min(0).max(255).default(247),
    timeout_ms: z.number().int().min(20).max(5000).default(200),
    bauds: z
      .array(
        z
          .number()
          .int()
          .refine((b) => (BAUD_RATES as readonly number[]).includes(b), `must be one of ${BAUD_RATES.join(', ')}`),
      )
      .max(BAUD_RATES.length)
      .optional()
      .describe("serial only: sweep these baud rates instead of the transport's one"),
  })
  .superRefine((s, ctx) => {
    if (s.unit_to < s.unit_from) ctx.addIssue({ code: 'custom', path: ['unit_to'], message: 'must be at least unit_from' });
    if (s.bauds && s.transport.kind !== 'rtu') ctx.addIssue({ code: 'custom', path: ['bauds'], message: 'baud rates only apply to serial (rtu) scans' });
  });
export type ScanRequest = z.output<typeof scanRequestSchema>;

const scanHitSchema = z.object({
  unit_id: z.number().int(),
  baud: z.number().int().nullable(),
  answer: z.string().describe('"registers" or the Modbus exception it answered with'),
});
export const scanResultSchema = z.object({
  endpoint: z.string(),
  probed: z.number().int(),
  found: z.array(scanHitSchema),
});
export type ScanResult = z.infer<typeof scanResultSchema>;

/** Register maps shared as CSV: one tag per line, these columns, a header line first. */
const TAG_CSV_COLUMNS = ['name', 'function', 'address', 'type', 'order', 'scale', 'offset', 'unit', 'deadband', 'field'] as const;

const csvCell = (v: unknown): string => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A register map as CSV (header line, one tag per line): what engineers keep per device model. */
export function tagsToCsv(tags: readonly Tag[]): string {
  const lines = [TAG_CSV_COLUMNS.join(',')];
  for (const t of tags) lines.push(TAG_CSV_COLUMNS.map((c) => csvCell(t[c])).join(','));
  return `${lines.join('\n')}\n`;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/**
 * Parses a CSV register map into tag bodies (not yet validated: run them through the device
 * schema, which names the bad line as tags.N). Columns are found by the header, in any order;
 * empty cells are left out so defaults apply.
 */
export function tagsFromCsv(text: string): Record<string, unknown>[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (!lines.length) return [];
  const header = splitCsvLine(lines[0]!).map((h) => h.trim().toLowerCase());
  const numeric = new Set(['scale', 'offset', 'deadband']);
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const tag: Record<string, unknown> = {};
    header.forEach((col, i) => {
      const raw = (cells[i] ?? '').trim();
      if (raw === '' || !(TAG_CSV_COLUMNS as readonly string[]).includes(col)) return;
      tag[col] = numeric.has(col) && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    });
    // With a function column the address is 0-based (as tagsToCsv writes it); without one it may
    // be a 40001-style reference, which the schema reads.
    if (typeof tag.address === 'string' && /^\d+$/.test(tag.address) && (tag.function !== undefined || tag.address.length < 5))
      tag.address = Number(tag.address);
    return tag;
  });
}
